"""Gap-free counters for human numbers (case numbers, notice numbers)."""

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db


class Counter(db.Model):
    """One named sequence, e.g. ``case:CC:2026``."""

    __tablename__ = "counters"

    key: Mapped[str] = mapped_column(sa.String(80), primary_key=True)
    value: Mapped[int] = mapped_column(sa.Integer, default=0)


def next_value(key: str) -> int:
    """Return the next number of ``key``, safe under concurrent transactions.

    The UPDATE takes a row lock that is held until the caller's commit, so two
    transactions can never get the same number and a rollback leaves no gap.
    """
    stmt = (
        sa.update(Counter)
        .where(Counter.key == key)
        .values(value=Counter.value + 1)
        .returning(Counter.value)
    )
    value = db.session.execute(stmt).scalar_one_or_none()
    if value is not None:
        return value
    try:
        with db.session.begin_nested():
            db.session.add(Counter(key=key, value=0))
    except IntegrityError:
        pass  # another transaction created the row first; its lock orders us
    return db.session.execute(stmt).scalar_one()
