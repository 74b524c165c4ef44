"""The board's queries: open cards by level and lead unit, over the cases a user sees."""

from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from app.auth.models import CENTER_ROLES, INSPECTOR_ROLES, Role
from app.cases.access import visibility_clause
from app.cases.models import Assignment, Case
from app.deadlines.models import Clock
from app.extensions import db
from app.supervision.models import SupervisionWarning, WarningLevel
from app.units.models import Unit

# Who reads the board: the center, the inspectors, and leaders for their jurisdiction.
BOARD_ROLES = (*CENTER_ROLES, *INSPECTOR_ROLES, Role.LEADER)
LEVELS = [WarningLevel.RED, WarningLevel.YELLOW, WarningLevel.PREWARN]
RANK = {WarningLevel.PREWARN: 1, WarningLevel.YELLOW: 2, WarningLevel.RED: 3}


@dataclass
class BoardPage:
    """One page of the board with its totals."""

    rows: list
    total: int
    page: int
    pages: int
    totals: dict[str, int]
    per_unit: list
    notices: dict[int, list[SupervisionWarning]] = field(default_factory=dict)


def _open_cards():
    """One row per clock with open cards: its highest level and when the last was issued."""
    rank = sa.case(
        {str(level): value for level, value in RANK.items()}, value=SupervisionWarning.level
    )
    return (
        sa.select(
            SupervisionWarning.clock_id,
            sa.func.max(rank).label("rank"),
            sa.func.max(SupervisionWarning.issued_at).label("issued_at"),
        )
        .where(SupervisionWarning.cleared_at.is_(None))
        .group_by(SupervisionWarning.clock_id)
        .subquery()
    )


def _joined(user, cards, *columns) -> sa.Select:
    """Select ``columns`` over the open cards ``user`` may see, with the lead unit."""
    lead = aliased(Assignment)
    return (
        sa.select(*columns)
        .select_from(cards)
        .join(Clock, Clock.id == cards.c.clock_id)
        .join(Case, Case.id == Clock.case_id)
        .outerjoin(
            lead,
            sa.and_(lead.case_id == Case.id, lead.role == "lead", lead.ended_at.is_(None)),
        )
        .outerjoin(Unit, Unit.id == lead.unit_id)
        .where(visibility_clause(user))
    )


def board_page(user, *, level: str, unit_id: int | None, page: int, size: int) -> BoardPage:
    """Return the open cards ``user`` sees, one row per clock at its highest level."""
    cards = _open_cards()
    by_rank = dict(
        db.session.execute(
            _joined(user, cards, cards.c.rank, sa.func.count()).group_by(cards.c.rank)
        ).all()
    )
    totals = {str(lv): by_rank.get(RANK[lv], 0) for lv in LEVELS}
    counts = [
        sa.func.sum(sa.case((cards.c.rank == RANK[lv], 1), else_=0)).label(str(lv)) for lv in LEVELS
    ]
    per_unit = db.session.execute(
        _joined(user, cards, Unit.id, Unit.name, *counts)
        .group_by(Unit.id, Unit.name)
        .order_by(*(c.desc() for c in counts), Unit.name)
    ).all()
    stmt = _joined(user, cards, cards.c.rank, cards.c.issued_at, Case, Clock, Unit)
    if level:
        stmt = stmt.where(cards.c.rank == RANK[WarningLevel(level)])
    if unit_id:
        stmt = stmt.where(Unit.id == unit_id)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(stmt.subquery()))
    pages = max(1, -(-total // size))
    page = min(max(page, 1), pages)
    rows = db.session.execute(
        stmt.order_by(cards.c.rank.desc(), Clock.due_at, Case.id)
        .limit(size)
        .offset((page - 1) * size)
    ).all()
    return BoardPage(
        rows=rows,
        total=total,
        page=page,
        pages=pages,
        totals=totals,
        per_unit=per_unit,
        notices=notices_of([r.Case.id for r in rows]),
    )


def notices_of(case_ids: list[int]) -> dict[int, list[SupervisionWarning]]:
    """Return the cards with numbered notices of the listed cases, by case."""
    found: dict[int, list[SupervisionWarning]] = {}
    if case_ids:
        rows = db.session.execute(
            sa.select(Clock.case_id, SupervisionWarning)
            .join(Clock, Clock.id == SupervisionWarning.clock_id)
            .where(Clock.case_id.in_(case_ids), SupervisionWarning.number.is_not(None))
            .order_by(SupervisionWarning.id)
        )
        for case_id, notice in rows:
            found.setdefault(case_id, []).append(notice)
    return found
