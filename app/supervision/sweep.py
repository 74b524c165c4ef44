"""The supervision sweep: a handful of set-based statements, whatever the number of cases.

Each insert selects the clocks that have crossed a threshold and relies on the
unique key (clock, level) to skip warnings already issued, so running the sweep
twice, or on two workers at once, issues nothing twice.
"""

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from app.cases.models import Case
from app.core.types import utcnow
from app.deadlines.models import Clock
from app.extensions import db
from app.supervision.models import SupervisionWarning, WarningLevel

# A case sent back after a second unsatisfied visit is red-carded at once.
REDO_RED_CARD = 2


@dataclass
class SweepResult:
    prewarn: int = 0
    yellow: int = 0
    red: int = 0
    cleared: int = 0
    statements: int = 0


def _insert_ignoring_duplicates(select: sa.Select):
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return (
        insert(SupervisionWarning)
        .from_select(["case_id", "clock_id", "level", "issued_at"], select)
        .on_conflict_do_nothing(index_elements=["clock_id", "level"])
    )


def _issue(level: WarningLevel, now: datetime, *conditions) -> int:
    select = sa.select(
        Clock.case_id,
        Clock.id,
        sa.literal(str(level)),
        sa.literal(now, SupervisionWarning.issued_at.type),
    ).where(Clock.stopped_at.is_(None), *conditions)
    # RETURNING yields only the rows really inserted (duplicates are skipped).
    inserted = _insert_ignoring_duplicates(select).returning(SupervisionWarning.id)
    return len(db.session.execute(inserted).all())


def run_sweep(now: datetime | None = None) -> SweepResult:
    """Issue due warnings and clear those whose clock has stopped; flush, not commit."""
    now = now or utcnow()
    result = SweepResult()
    result.prewarn = _issue(WarningLevel.PREWARN, now, Clock.prewarn_at <= now, Clock.due_at > now)
    result.yellow = _issue(WarningLevel.YELLOW, now, Clock.due_at <= now)
    result.red = _issue(WarningLevel.RED, now, Clock.red_at <= now)
    redone = sa.select(Case.id).where(Case.reopen_count >= REDO_RED_CARD)
    result.red += _issue(WarningLevel.RED, now, Clock.kind == "handle", Clock.case_id.in_(redone))
    stopped = sa.select(Clock.id).where(Clock.stopped_at.is_not(None))
    result.cleared = db.session.execute(
        sa.update(SupervisionWarning)
        .where(SupervisionWarning.cleared_at.is_(None), SupervisionWarning.clock_id.in_(stopped))
        .values(cleared_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    result.statements = 5
    return result
