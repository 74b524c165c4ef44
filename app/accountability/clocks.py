"""The clocks of accountability cases: working days on the shared calendar (DESIGN §6, §7)."""

from datetime import datetime

import sqlalchemy as sa
from flask import current_app

from app.accountability.models import AccClock
from app.deadlines.services import load_calendar
from app.deadlines.workdays import add_workdays, to_local
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
