"""The clocks of accountability cases: working days on the shared calendar (DESIGN §6, §7)."""

from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from app.accountability.models import AccClock, AccClockKind, AccountabilityCase, Decision
from app.core.trail import record_events
from app.core.types import utcnow
from app.deadlines.calendar_admin import register_clocks
from app.deadlines.services import load_calendar
from app.deadlines.workdays import add_workdays, end_of_local_day, to_local
from app.extensions import db


def start_acc_clock(acc_case, kind: str, days: int, at: datetime, decision=None) -> AccClock:
    """Start a clock of ``days`` working days from ``at`` (次日起算) and return it."""
    deadline = add_workdays(at, days, load_calendar(to_local(at).date()))
    clock = AccClock(
        acc_case_id=acc_case.id,
        decision_id=decision.id if decision is not None else None,
        kind=kind,
        days=days,
        started_at=at,
        due_at=deadline.due_at,
        provisional=deadline.provisional,
    )
    db.session.add(clock)
    return clock


def open_acc_clock(acc_case, kind: str, decision=None) -> AccClock | None:
    """Return the running clock ``kind`` of the case (or of one of its decisions)."""
    stmt = sa.select(AccClock).where(
        AccClock.acc_case_id == acc_case.id,
        AccClock.kind == kind,
        AccClock.stopped_at.is_(None),
        AccClock.decision_id == decision.id
        if decision is not None
        else AccClock.decision_id.is_(None),
    )
    return db.session.scalars(stmt).first()


def stop_acc_clock(acc_case, kind: str, at: datetime, decision=None) -> AccClock | None:
    """Stop the running clock and freeze its on-time verdict."""
    clock = open_acc_clock(acc_case, kind, decision)
    if clock is not None:
        clock.stopped_at = at
        clock.late = at > clock.due_at
    return clock


def appeal_days() -> int:
    return current_app.config["APPEAL_WORKDAYS"]


def recompute_acc_clocks(first: date, last: date, actor=None, label: str = "") -> int:
    """Recompute the running accountability clocks whose period touches ``first``..``last``.

    The deadline each shows (statement, appeal, execution) moves with its clock, and the
    case's trail says so. Stopped clocks keep their frozen verdict.
    """
    clocks = db.session.scalars(
        sa.select(AccClock)
        .where(
            AccClock.stopped_at.is_(None),
            AccClock.started_at < end_of_local_day(last),
            AccClock.due_at >= end_of_local_day(first - timedelta(days=1)),
        )
        .order_by(AccClock.id)
    ).all()
    if not clocks:
        return 0
    earliest = min(to_local(c.started_at).date() for c in clocks)
    calendar = load_calendar(
        earliest, max(to_local(c.due_at).date() for c in clocks) + timedelta(days=400)
    )
    now, moved, events = utcnow(), 0, []
    with db.session.no_autoflush:
        for clock in clocks:
            deadline = add_workdays(clock.started_at, clock.days, calendar)
            if deadline.due_at == clock.due_at and deadline.provisional == clock.provisional:
                continue
            old = clock.due_at
            clock.due_at, clock.provisional = deadline.due_at, deadline.provisional
            _show_due(clock)
            moved += 1
            events.append(
                {
                    "subject_type": "acc_case",
                    "subject_id": clock.acc_case_id,
                    "actor_id": actor.id if actor is not None else None,
                    "action": "deadline_recomputed",
                    "at": now,
                    "data": {
                        "clock": clock.kind,
                        "old_due": old.isoformat(),
                        "new_due": clock.due_at.isoformat(),
                        "calendar_change": label,
                    },
                }
            )
    db.session.flush()
    record_events(events)
    return moved


def _show_due(clock: AccClock) -> None:
    """Copy a moved deadline to where the case and its decision show it."""
    if clock.kind == AccClockKind.STATEMENT:
        db.session.get(AccountabilityCase, clock.acc_case_id).statement_due_at = clock.due_at
        return
    decision = db.session.get(Decision, clock.decision_id)
    if clock.kind == AccClockKind.APPEAL:
        decision.appeal_until = clock.due_at
    else:
        decision.execution_due_at = clock.due_at


register_clocks(recompute_acc_clocks)
