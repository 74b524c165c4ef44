"""The accountability part of the periodic sweep: referrals, rules and overdue clocks."""

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from app.accountability.models import AccClock, AccClockKind
from app.accountability.records import apply_card_rules
from app.accountability.referrals import refer_all
from app.core.trail import record_events
from app.core.types import utcnow
from app.extensions import db


@dataclass
class AccSweepResult:
    referrals: int = 0
    suggestions: int = 0
    overdue: int = 0


def sweep_accountability(now: datetime | None = None) -> AccSweepResult:
    """Refer new cards and valid complaints, apply the card rules, mark passed deadlines."""
    now = now or utcnow()
    result = AccSweepResult()
    result.referrals = refer_all(now)
    result.suggestions = apply_card_rules(now)
    result.overdue = mark_overdue(now)
    return result


def mark_overdue(now: datetime) -> int:
    """Mark each running clock whose deadline passed, once, and put it on its case's trail.

    One UPDATE … RETURNING finds and marks them together; a second sweep finds none.
    The appeal period is not a duty of anybody, so its end is no lateness: it is left
    for the close guard to read.
    """
    stmt = (
        sa.update(AccClock)
        .where(
            AccClock.stopped_at.is_(None),
            AccClock.overdue_at.is_(None),
            AccClock.due_at < now,
            AccClock.kind != AccClockKind.APPEAL,
        )
        .values(overdue_at=now)
        .returning(AccClock.id, AccClock.acc_case_id, AccClock.kind, AccClock.decision_id)
        .execution_options(synchronize_session=False)
    )
    rows = db.session.execute(stmt).all()
    record_events(
        [
            {
                "subject_type": "acc_case",
                "subject_id": case_id,
                "actor_id": None,
                "action": "overdue",
                "at": now,
                "data": {"clock_id": clock_id, "kind": kind, "decision_id": decision_id},
            }
            for clock_id, case_id, kind, decision_id in rows
        ]
    )
    return len(rows)
