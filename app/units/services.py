"""Look-ups over the unit tree."""

import sqlalchemy as sa

from app.extensions import db
from app.units.models import Unit


def get_unit_by_code(code: str) -> Unit | None:
    """Return the active unit with ``code``, or None."""
    return db.session.scalar(sa.select(Unit).where(Unit.code == code, Unit.active.is_(True)))


def list_units() -> list[Unit]:
    """Return all active units ordered by tier and code."""
    return list(
        db.session.scalars(
            sa.select(Unit).where(Unit.active.is_(True)).order_by(Unit.tier, Unit.code)
        )
    )


def descendant_ids(unit_id: int) -> set[int]:
    """Return the ids of ``unit_id`` and every unit below it in the territorial tree."""
    tree = sa.select(Unit.id).where(Unit.id == unit_id).cte("tree", recursive=True)
    tree = tree.union_all(sa.select(Unit.id).where(Unit.parent_id == tree.c.id))
    return set(db.session.scalars(sa.select(tree.c.id)))
