"""Cards on clocks: 预警, 黄牌, 红牌, each at most once per clock, with their notices."""

import enum
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.cases.models import Case
from app.core.constraints import enum_check, one_of
from app.core.labels import register_labels
from app.core.types import UTCDateTime, utcnow
from app.extensions import db

# A case sent back after a second unsatisfied visit is red-carded at once.
REDO_RED_CARD = 2

# The sweep looks for such cases every few minutes. They are few, so a partial index
# finds them without reading every case. The sweep's query repeats the predicate as a
# literal, which is what lets PostgreSQL and SQLite use the index.
ix_cases_redone = sa.Index(
    "ix_cases_redone",
    Case.id,
    postgresql_where=Case.redo_count >= REDO_RED_CARD,
    sqlite_where=Case.redo_count >= REDO_RED_CARD,
)


class WarningLevel(enum.StrEnum):
    PREWARN = "prewarn"  # 预警: one working day (or 20% of an hour limit) left
    YELLOW = "yellow"  # 黄牌: the deadline has passed
    RED = "red"  # 红牌: still overdue days after the yellow card, or redone twice


WARNING_LABELS = register_labels(
    "warning",
    {
        WarningLevel.PREWARN: _l("Pre-warning"),
        WarningLevel.YELLOW: _l("Yellow card"),
        WarningLevel.RED: _l("Red card"),
    },
)


class NoticeKind(enum.StrEnum):
    REMINDER = "reminder"  # 催办通知书, with a yellow card
    ORDER = "order"  # 督办单, with a red card


NOTICE_LABELS = register_labels(
    "notice",
    {NoticeKind.REMINDER: _l("Reminder notice"), NoticeKind.ORDER: _l("Supervision order")},
)


# The clocks that units run; the center's own (screen, visit) get cards but no notices.
UNIT_CLOCKS = ("sign", "handle", "rectify")


class SupervisionWarning(db.Model):
    """One card on a clock, and the numbered notice it brings to the lead unit.

    The unique key (clock, level) makes every sweep idempotent, even two at once. A
    yellow card on a unit's clock carries a reminder notice (催办通知书), a red card a
    supervision order (督办单) with an answer deadline and a referral suggestion; the
    notice lives on its card (one each), so a sweep writes one row per card, not two.
    """

    __tablename__ = "warnings"
    __table_args__ = (
        sa.UniqueConstraint("clock_id", "level"),
        sa.Index("ix_warnings_open", "cleared_at", "level"),
        enum_check("level", WarningLevel),
        # A pre-warning brings no notice.
        sa.CheckConstraint(
            f"number IS NULL OR {one_of('level', [WarningLevel.YELLOW, WarningLevel.RED])}",
            name="notice",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # The case is the clock's: clocks.case_id.
    clock_id: Mapped[int] = mapped_column(sa.ForeignKey("clocks.id"))
    level: Mapped[str] = mapped_column(sa.String(8))
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    cleared_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The notice, if the card brought one: its number, the unit it went to, its answer.
    number: Mapped[str | None] = mapped_column(sa.String(60), unique=True)
    unit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("units.id"), index=True)
    respond_by: Mapped[datetime | None] = mapped_column(UTCDateTime)
    responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    response: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    # A red card suggests the inspectors consider accountability (问责).
    refer_to_inspectors: Mapped[bool] = mapped_column(
        sa.Boolean, default=False, server_default=sa.false()
    )

    unit = relationship("Unit")

    @property
    def notice_kind(self) -> str | None:
        """``reminder`` or ``order`` for a card that brought a notice, else None."""
        if self.number is None:
            return None
        return str(NoticeKind.REMINDER if self.level == WarningLevel.YELLOW else NoticeKind.ORDER)
