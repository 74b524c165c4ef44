"""Pure working-day arithmetic on the Chinese calendar, in Asia/Shanghai.

Counting rule (次日起算): day 1 is the first working day after the start date,
and the deadline is the end (23:59:59) of the Nth working day. Weekends are days
off unless the official schedule makes them make-up working days (调休); holidays
are days off even on weekdays. A year without official data is counted on plain
weekdays and every result that touched it is marked provisional.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")
END_OF_DAY = time(23, 59, 59)


@dataclass(frozen=True)
class DayInfo:
    """What the calendar says of one day."""

    day: date
    is_workday: bool
    note: str = ""
    known: bool = True

    @property
    def is_makeup(self) -> bool:
        """A weekend day that the official schedule makes a working day."""
        return self.is_workday and self.day.weekday() >= 5


class WorkCalendar:
    """A working-day calendar built from stored days and the years they cover."""

    def __init__(self, days: Mapping[date, tuple[bool, str]], covered_years: set[int]):
        self._days = dict(days)
        self._covered = set(covered_years)

    def day(self, d: date) -> DayInfo:
        """Return the calendar's answer for ``d``."""
        if d in self._days:
            is_workday, note = self._days[d]
            return DayInfo(d, is_workday, note, True)
        weekday = d.weekday() < 5
        note = "" if weekday else "周末"
        return DayInfo(d, weekday, note, d.year in self._covered)


@dataclass
class Deadline:
    """A computed due moment and how it was reached."""

    due_at: datetime
    provisional: bool = False
    counted: list[date] = field(default_factory=list)
    skipped: list[DayInfo] = field(default_factory=list)
    makeup: list[date] = field(default_factory=list)


def to_local(moment: datetime) -> datetime:
    """Return an aware datetime in Asia/Shanghai."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime: give an aware one")
    return moment.astimezone(SHANGHAI)


def end_of_local_day(d: date) -> datetime:
    """Return 23:59:59 Asia/Shanghai of ``d`` as aware UTC."""
    return datetime.combine(d, END_OF_DAY, tzinfo=SHANGHAI).astimezone(UTC)


def add_workdays(start: datetime, n: int, calendar: WorkCalendar) -> Deadline:
    """Return the end of the ``n``-th working day after ``start`` (次日起算)."""
    if n < 1:
        raise ValueError("a working-day limit must be at least 1")
    result = Deadline(due_at=start)
    current = to_local(start).date()
    while len(result.counted) < n:
        current += timedelta(days=1)
        info = calendar.day(current)
        if not info.known:
            result.provisional = True
        if info.is_workday:
            result.counted.append(current)
            if info.is_makeup:
                result.makeup.append(current)
        else:
            result.skipped.append(info)
    result.due_at = end_of_local_day(current)
    return result


def add_hours(start: datetime, hours: int) -> Deadline:
    """Return ``start`` plus ``hours`` elapsed hours (urgent limits run on the clock)."""
    if hours < 1:
        raise ValueError("an hour limit must be at least 1")
    return Deadline(due_at=to_local(start).astimezone(UTC) + timedelta(hours=hours))


def compute_deadline(start: datetime, unit: str, amount: int, calendar: WorkCalendar) -> Deadline:
    """Return the deadline for a limit given as (``workdays`` | ``hours``, amount)."""
    if unit == "workdays":
        return add_workdays(start, amount, calendar)
    if unit == "hours":
        return add_hours(start, amount)
    raise ValueError(f"unknown time-limit unit {unit!r}")


def workdays_late(due_at: datetime, at: datetime, calendar: WorkCalendar) -> int:
    """Return how many working days ``at`` is past ``due_at``: the days overdue.

    The day of the deadline is not counted (it ended on time at 23:59:59); each working
    day after it up to and including the day of ``at`` is one day late.
    """
    if at <= due_at:
        return 0
    day, last = to_local(due_at).date(), to_local(at).date()
    late = 0
    while day < last:
        day += timedelta(days=1)
        late += calendar.day(day).is_workday
    return late
