"""Keeping the working-day calendar right: entering years, editing days, recomputing clocks.

The official schedule for next year is published late in the year (国务院办公厅关于
某年部分节假日安排的通知), often before the ``chinesecalendar`` package has it. An admin
then enters it by hand: the holidays (放假) as dates or ranges, and the weekend days
that become working days (调休上班). Every change recomputes the due dates of the open
clocks whose period it touches and records that on each affected case.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from app.core.trail import record_events
from app.core.types import utcnow
from app.core.validation import FieldErrors
from app.deadlines.models import CalendarDay, Clock
from app.deadlines.services import (
    calendar_years,
    chinesecalendar_year,
    import_year,
    load_calendar,
    set_warning_times,
    who_changed,
)
from app.deadlines.workdays import SHANGHAI, add_workdays, to_local
from app.extensions import db

FIRST_YEAR, LAST_YEAR = 2000, 2100
NOTE_MAX = 40
# How far ahead a missing year starts to matter: a 15-day limit plus two extensions.
ALERT_HORIZON = timedelta(days=60)

_RANGE = re.compile(
    r"^(?P<start>\d{4}-\d{1,2}-\d{1,2})"
    r"(?:\s*(?:\.\.|~|～|至|—|–)\s*(?P<end>\d{4}-\d{1,2}-\d{1,2}))?"
    r"(?:\s+(?P<name>.+))?$"
)


def _parse_date(text: str) -> date:
    year, month, day = (int(part) for part in text.split("-"))
    return date(year, month, day)


def _parse_lines(
    errors: FieldErrors, name: str, text: str, year: int, *, ranges: bool
) -> dict[date, str]:
    """Read one entry per line: ``DATE [NAME]`` or, for holidays, ``DATE..DATE NAME``."""
    days: dict[date, str] = {}
    for number, raw in enumerate((text or "").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        match = _RANGE.match(line)
        if not match or (match["end"] and not ranges):
            errors.add(name, _l("Line %(n)d: cannot read %(line)s.", n=number, line=line[:40]))
            continue
        try:
            start = _parse_date(match["start"])
            end = _parse_date(match["end"]) if match["end"] else start
        except ValueError:
            errors.add(name, _l("Line %(n)d: no such date.", n=number))
            continue
        label = (match["name"] or "").strip()[:NOTE_MAX]
        if start.year != year or end.year != year:
            errors.add(name, _l("Line %(n)d: the date is not in %(year)d.", n=number, year=year))
            continue
        if end < start:
            errors.add(name, _l("Line %(n)d: the range ends before it starts.", n=number))
            continue
        if (end - start).days > 14:
            errors.add(name, _l("Line %(n)d: a holiday lasts at most 15 days.", n=number))
            continue
        day = start
        while day <= end:
            if day in days:
                errors.add(name, _l("Line %(n)d: %(day)s is listed twice.", n=number, day=day))
            days[day] = label
            day += timedelta(days=1)
    return days


# How the calendar forms' fields are called in messages.
CALENDAR_FIELD_LABELS = {
    "year": _l("Year"),
    "holidays": _l("Holidays (放假)"),
    "makeup_days": _l("Make-up working days (调休上班)"),
    "day": _l("Date"),
    "kind": _l("This day is"),
    "note": _l("Note"),
}
DAY_KIND_LABELS = {"workday": _l("a working day"), "off": _l("a day off")}


def parse_year(data: dict[str, Any]) -> tuple[int, dict[date, tuple[bool, str]]]:
    """Build a whole year from the holidays and make-up days an admin typed in.

    Weekdays work and weekends rest unless listed: a holiday is a day off, a make-up
    day (调休上班) a weekend day that works. Raises ``ValidationFailed`` on bad input.
    """
    errors = FieldErrors(CALENDAR_FIELD_LABELS)
    year = None
    try:
        year = int(str(data.get("year") or "").strip())
    except ValueError:
        errors.add("year", _l("Must be a whole number."))
    if year is not None and not FIRST_YEAR <= year <= LAST_YEAR:
        errors.add("year", _l("Between %(low)d and %(high)d.", low=FIRST_YEAR, high=LAST_YEAR))
        year = None
    if year is None:
        errors.raise_if_any()
    holidays = _parse_lines(errors, "holidays", data.get("holidays", ""), year, ranges=True)
    makeup = _parse_lines(errors, "makeup_days", data.get("makeup_days", ""), year, ranges=False)
    if not holidays:
        errors.add("holidays", _l("List the year's holidays (放假), one date or range per line."))
    for day in sorted(set(holidays) & set(makeup)):
        errors.add("makeup_days", _l("%(day)s is listed as a holiday too.", day=day))
    for day in sorted(makeup):
        if day.weekday() < 5:
            errors.add(
                "makeup_days", _l("%(day)s is a weekday: only weekend days are made up.", day=day)
            )
    errors.raise_if_any()
    days: dict[date, tuple[bool, str]] = {}
    day = date(year, 1, 1)
    while day.year == year:
        if day in holidays:
            days[day] = (False, holidays[day] or "节假日")
        elif day in makeup:
            days[day] = (True, f"{makeup[day]}调休上班" if makeup[day] else "调休上班")
        else:
            days[day] = (day.weekday() < 5, "" if day.weekday() < 5 else "周末")
        day += timedelta(days=1)
    return year, days


def enter_year(data: dict[str, Any], actor=None) -> "CalendarChange":
    """Store a year typed in by an admin (replacing what was stored) and recompute clocks."""
    year, days = parse_year(data)
    return save_year(year, days, actor)


def save_year(year: int, days: dict[date, tuple[bool, str]], actor=None) -> "CalendarChange":
    """Store a year read by ``parse_year`` (replacing what was stored) and recompute clocks."""
    import_year(year, days, "manual", actor)
    return recompute_open_clocks(date(year, 1, 1), date(year, 12, 31), actor, f"{year}")


def stored_days(year: int) -> tuple[int, int]:
    """Return how many days of ``year`` are stored, and how many of them an admin set."""
    count, manual = db.session.execute(
        sa.select(
            sa.func.count(),
            sa.func.count(sa.case((CalendarDay.source == "manual", 1))),
        ).where(CalendarDay.day.between(date(year, 1, 1), date(year, 12, 31)))
    ).one()
    return count, manual


def import_package_year(year: int, actor=None) -> "CalendarChange":
    """Load a year from the ``chinesecalendar`` package and recompute clocks."""
    import_year(year, chinesecalendar_year(year), "chinesecalendar", actor)
    return recompute_open_clocks(date(year, 1, 1), date(year, 12, 31), actor, f"{year}")


def set_day(data: dict[str, Any], actor=None) -> "CalendarChange":
    """Change one day (working or not, and its note) and recompute clocks."""
    errors = FieldErrors(CALENDAR_FIELD_LABELS)
    try:
        day = date.fromisoformat(str(data.get("day") or "").strip())
    except ValueError:
        errors.add("day", _l("Give a date such as 2027-02-13."))
        errors.raise_if_any()
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        errors.add("day", _l("Between %(low)d and %(high)d.", low=FIRST_YEAR, high=LAST_YEAR))
    kind = errors.choice("kind", data.get("kind"), list(DAY_KIND_LABELS), labels=DAY_KIND_LABELS)
    note = errors.text("note", data.get("note"), max_length=NOTE_MAX, required=False)
    errors.raise_if_any()
    # Years are stored whole, so a missing day means a missing year.
    row = db.session.get(CalendarDay, day)
    if row is None:
        errors.add(
            "day",
            _l("%(year)d has no calendar yet: enter the whole year first.", year=day.year),
        )
        errors.raise_if_any()
    is_workday = kind == "workday"
    if row.is_workday == is_workday and row.note == note:
        return CalendarChange(day, day, label=str(day))
    row.is_workday, row.note, row.source = is_workday, note, "manual"
    row.changed_by, row.changed_at = who_changed(actor), utcnow()
    db.session.flush()
    return recompute_open_clocks(day, day, actor, str(day))


@dataclass
class CalendarChange:
    """What a calendar change did to the open clocks."""

    first: date
    last: date
    label: str = ""
    examined: int = 0
    moved: int = 0
    cases: set[int] = field(default_factory=set)


# Other domains' clocks on the same calendar (accountability), recomputed with the cases':
# each is called as ``recompute(first, last, actor, label)`` and returns how many moved.
OTHER_CLOCKS: list[Callable[..., int]] = []


def register_clocks(recompute: Callable[..., int]) -> None:
    """Have a calendar change recompute another domain's open clocks too."""
    if recompute not in OTHER_CLOCKS:
        OTHER_CLOCKS.append(recompute)


def recompute_open_clocks(first: date, last: date, actor=None, label: str = "") -> CalendarChange:
    """Recompute the open working-day clocks whose period touches ``first``..``last``.

    A clock's period runs from its start to its red-card moment, so a change there can
    move the pre-warning, the deadline or the red card. Stopped clocks keep their frozen
    verdict. Each case whose deadline moved gets an event; warnings already issued stand.
    """
    change = CalendarChange(first, last, label=label)
    db.session.flush()
    for recompute in OTHER_CLOCKS:
        change.moved += recompute(first, last, actor, label)
    clocks = db.session.scalars(
        sa.select(Clock)
        .where(
            Clock.stopped_at.is_(None),
            Clock.limit_unit == "workdays",
            # Started before the last changed day ends, and not over before the first begins.
            Clock.started_at < _day_start_utc(last + timedelta(days=1)),
            sa.func.coalesce(Clock.red_at, Clock.due_at) >= _day_start_utc(first),
        )
        .order_by(Clock.case_id, Clock.id)
    ).all()
    if not clocks:
        return change
    # One calendar for all of them, reaching past the latest red card any could get.
    earliest = min(to_local(c.started_at).date() for c in clocks)
    latest = max(to_local(c.started_at).date() for c in clocks)
    calendar = load_calendar(earliest, latest + timedelta(days=400))
    now = utcnow()
    events = []
    with db.session.no_autoflush:
        for clock in clocks:
            change.examined += 1
            old_due, old_provisional = clock.due_at, clock.provisional
            deadline = add_workdays(clock.started_at, clock.limit_amount, calendar)
            clock.due_at, clock.provisional = deadline.due_at, deadline.provisional
            set_warning_times(clock, calendar, red_calendar=calendar)
            if clock.due_at == old_due and clock.provisional == old_provisional:
                continue
            change.moved += 1
            change.cases.add(clock.case_id)
            events.append(
                {
                    "subject_type": "case",
                    "subject_id": clock.case_id,
                    "actor_id": actor.id if actor is not None else None,
                    "action": "deadline_recomputed",
                    "at": now,
                    "data": {
                        "clock": clock.kind,
                        "old_due": old_due.isoformat(),
                        "new_due": clock.due_at.isoformat(),
                        "provisional": clock.provisional,
                        "calendar_change": label,
                    },
                }
            )
    db.session.flush()
    if events:
        # One executemany for the trail, not an ORM round trip per case.
        record_events(events)
    db.session.flush()
    return change


def _day_start_utc(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=SHANGHAI).astimezone(UTC)


@dataclass
class CalendarStatus:
    """What admins must be told about the calendar."""

    missing_years: list[int]
    provisional_clocks: int

    @property
    def alert(self) -> bool:
        return bool(self.missing_years or self.provisional_clocks)


def calendar_status(now: datetime | None = None) -> CalendarStatus:
    """Return the years deadlines need that have no data, and the open provisional clocks."""
    today = to_local(now or utcnow()).date()
    covered = set(calendar_years())
    needed = {today.year, (today + ALERT_HORIZON).year}
    provisional = db.session.execute(
        sa.select(sa.func.count(), sa.func.max(Clock.due_at)).where(
            Clock.stopped_at.is_(None), Clock.provisional.is_(True)
        )
    ).one()
    if provisional[1] is not None:
        needed.update(range(today.year, to_local(provisional[1]).year + 1))
    return CalendarStatus(sorted(needed - covered), provisional[0])


def year_view(year: int) -> list[list[list[Any]]]:
    """Return 12 months of weeks (Monday first) of ``DayInfo`` or None for padding."""
    calendar = load_calendar(date(year, 1, 1), date(year, 12, 31))
    months = []
    for month in range(1, 13):
        first = date(year, month, 1)
        weeks, week = [], [None] * first.weekday()
        day = first
        while day.month == month:
            week.append(calendar.day(day))
            if len(week) == 7:
                weeks.append(week)
                week = []
            day += timedelta(days=1)
        if week:
            weeks.append(week + [None] * (7 - len(week)))
        months.append(weeks)
    return months
