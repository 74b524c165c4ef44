"""Worklist queries: which cases a user sees, filtered, and how many in each state."""

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from app.cases.access import visibility_clause
from app.cases.models import Assignment, Case, Channel
from app.cases.workflow import FINAL_STATES, State
from app.deadlines.models import Clock
from app.extensions import db
from app.supervision.models import SupervisionWarning


@dataclass(frozen=True)
class WorklistFilter:
    """What the worklist asks for; values already checked (see ``from_args``)."""

    state: str = "open"  # "open", "all", or one State
    channel: str = ""
    q: str = ""
    carded: bool = False  # only cases with a supervision card not yet cleared

    @classmethod
    def from_args(cls, state: str, channel: str, q: str, carded: bool) -> "WorklistFilter":
        """Return a filter from request values; unknown ones fall back to the defaults."""
        if state not in {"open", "all"} and state not in {s.value for s in State}:
            state = "open"
        if channel not in {c.value for c in Channel}:
            channel = ""
        return cls(state=state, channel=channel, q=q, carded=carded)


def worklist_select(user, f: WorklistFilter) -> sa.Select:
    """Return the SELECT of the cases ``user`` sees under ``f``, newest first, rows preloaded."""
    stmt = sa.select(Case).where(visibility_clause(user))
    if f.state == "open":
        stmt = stmt.where(Case.state.not_in([str(s) for s in FINAL_STATES]))
    elif f.state != "all":
        stmt = stmt.where(Case.state == f.state)
    if f.channel:
        stmt = stmt.where(Case.channel == f.channel)
    if f.q:
        like = f"%{f.q}%"
        stmt = stmt.where(sa.or_(Case.number.ilike(like), Case.title.ilike(like)))
    if f.carded:
        stmt = stmt.where(
            sa.exists().where(
                Clock.case_id == Case.id,
                SupervisionWarning.clock_id == Clock.id,
                SupervisionWarning.cleared_at.is_(None),
            )
        )
    # The worklist shows clocks, cards and units per row: load them in a fixed few queries.
    return stmt.options(
        selectinload(Case.clocks),
        selectinload(Case.warnings),
        selectinload(Case.assignments).joinedload(Assignment.unit),
        joinedload(Case.respondent_unit),
    ).order_by(Case.id.desc())


def state_counts(user) -> dict[str, int]:
    """Return how many cases ``user`` sees in each state."""
    stmt = (
        sa.select(Case.state, sa.func.count()).where(visibility_clause(user)).group_by(Case.state)
    )
    return dict(db.session.execute(stmt).all())
