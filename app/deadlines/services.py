"""Clocks on cases and the stored working-day calendar."""

from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from app.deadlines.models import BY_COMMAND_LINE, CalendarDay, Clock
from app.deadlines.workdays import WorkCalendar, add_workdays, compute_deadline, to_local
from app.extensions import db

# Far enough ahead for any limit plus extensions (15 + 2 x 15 working days).
_CALENDAR_WINDOW = timedelta(days=200)


def load_calendar(start: date, end: date | None = None) -> WorkCalendar:
    """Return the stored calendar for ``start``..``end`` (default: a window ahead)."""
    end = end or start + _CALENDAR_WINDOW
    rows = db.session.execute(
        sa.select(CalendarDay.day, CalendarDay.is_workday, CalendarDay.note).where(
            CalendarDay.day.between(start, end)
        )
    ).all()
    days = {r.day: (r.is_workday, r.note) for r in rows}
    return WorkCalendar(days, covered_years={d.year for d in days})


def calendar_years() -> list[int]:
    """Return the years that have calendar data, ascending."""
    year = sa.extract("year", CalendarDay.day)
    years = db.session.scalars(sa.select(year).distinct().order_by(year))
    return [int(y) for y in years]


def who_changed(actor) -> str:
    """How a calendar change names who made it (the command line has no user)."""
    return f"{actor.name} ({actor.username})" if actor is not None else BY_COMMAND_LINE


def import_year(
    year: int, source_days: dict[date, tuple[bool, str]], source: str, actor=None
) -> int:
    """Replace the stored days of ``year`` with ``source_days``; return the count stored."""
    from app.core.types import utcnow

    now = utcnow()
    db.session.execute(
        sa.delete(CalendarDay).where(CalendarDay.day.between(date(year, 1, 1), date(year, 12, 31)))
    )
    db.session.add_all(
        CalendarDay(
            day=d,
            is_workday=w,
            note=note,
            source=source,
            changed_by=who_changed(actor),
            changed_at=now,
        )
        for d, (w, note) in sorted(source_days.items())
    )
    db.session.flush()
    return len(source_days)


# The official names, as they appear in the State Council's notice.
HOLIDAY_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "抗战胜利70周年纪念日",
}


def chinesecalendar_year(year: int) -> dict[date, tuple[bool, str]]:
    """Read one year from the ``chinesecalendar`` package (raises if it has no data)."""
    import chinese_calendar

    days = {}
    d = date(year, 1, 1)
    while d.year == year:
        is_holiday, name = chinese_calendar.get_holiday_detail(d)
        is_workday = chinese_calendar.is_workday(d)
        if name:
            name = HOLIDAY_NAMES.get(name, name)
            note = name if is_holiday else f"{name}调休上班"
        else:
            note = "" if is_workday else "周末"
        days[d] = (is_workday, note)
        d += timedelta(days=1)
    return days


def clock_limit(case, kind: str) -> tuple[str, int]:
    """Return the (unit, amount) limit of clock ``kind`` for ``case``."""
    limits = current_app.config["CLOCK_LIMITS"][kind]
    unit, amount = limits.get(case.urgency, limits["normal"])
    if (
        kind == "handle"
        and case.urgency == "normal"
        and case.category
        and case.category.handle_days
    ):
        return "workdays", case.category.handle_days
    return unit, amount


def start_clock(case, kind: str, at: datetime, limit: tuple[str, int] | None = None) -> Clock:
    """Start clock ``kind`` on ``case`` at ``at`` and compute its deadline.

    ``limit`` gives the (unit, amount) where a person sets it, as the reviewer does for
    rectification; otherwise it comes from the settings and the category.
    """
    unit, amount = limit or clock_limit(case, kind)
    calendar = load_calendar(to_local(at).date())
    deadline = compute_deadline(at, unit, amount, calendar)
    clock = Clock(
        case_id=case.id,
        kind=kind,
        limit_unit=unit,
        limit_amount=amount,
        started_at=at,
        due_at=deadline.due_at,
        provisional=deadline.provisional,
    )
    set_warning_times(clock, calendar)
    db.session.add(clock)
    case.clocks.append(clock)
    return clock


def set_warning_times(
    clock: Clock, calendar: WorkCalendar | None = None, *, red_calendar: WorkCalendar | None = None
) -> None:
    """Compute when the sweep pre-warns and shows the red card for this clock (DESIGN §6).

    ``red_calendar`` must reach past the deadline; without it, it is loaded from there.
    """
    config = current_app.config
    calendar = calendar or load_calendar(to_local(clock.started_at).date())
    if clock.limit_unit == "hours":
        span = clock.due_at - clock.started_at
        clock.prewarn_at = clock.due_at - span * config["PREWARN_HOURS_FRACTION"]
    else:
        ahead = clock.limit_amount - config["PREWARN_WORKDAYS"]
        clock.prewarn_at = (
            add_workdays(clock.started_at, ahead, calendar).due_at
            if ahead >= 1
            else clock.started_at
        )
    red_calendar = red_calendar or load_calendar(to_local(clock.due_at).date())
    clock.red_at = add_workdays(clock.due_at, config["RED_AFTER_WORKDAYS"], red_calendar).due_at


def extend_clock(clock: Clock, days: int) -> Clock:
    """Move a running clock's deadline ``days`` working days later (an approved extension)."""
    deadline = add_workdays(clock.due_at, days, load_calendar(to_local(clock.due_at).date()))
    clock.due_at = deadline.due_at
    clock.provisional = clock.provisional or deadline.provisional
    clock.limit_amount += days
    set_warning_times(clock)
    return clock


def stop_clock(case, kind: str, at: datetime) -> Clock | None:
    """Stop the running clock ``kind`` and freeze its on-time verdict."""
    clock = case.open_clock(kind)
    if clock is None:
        return None
    clock.stopped_at = at
    clock.late = at > clock.due_at
    return clock


def stop_all_clocks(case, at: datetime, keep: tuple[str, ...] = ()) -> None:
    """Stop every running clock of ``case`` except those of the kinds in ``keep``."""
    for clock in case.clocks:
        if clock.stopped_at is None and clock.kind not in keep:
            clock.stopped_at = at
            clock.late = at > clock.due_at
