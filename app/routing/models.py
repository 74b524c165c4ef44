"""The ordered, admin-editable routing rule table (DESIGN §5)."""

import enum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.cases.models import Severity, SubjectKind
from app.core.constraints import enum_check
from app.extensions import db
from app.units.models import Tier, UnitKind


class Relation(enum.StrEnum):
    """Where a rule sends a case, relative to the unit complained about."""

    SELF = "self"
    PARENT = "parent"
    SUPERVISOR = "supervisor"
    DISCIPLINE_SAME_TIER = "discipline_same_tier"
    DISCIPLINE_PARENT_TIER = "discipline_parent_tier"
    CENTER = "center"


class RoutingRule(db.Model):
    """One rule: every condition that is set must hold; the first matching rule wins."""

    __tablename__ = "routing_rules"
    __table_args__ = (
        enum_check("severity", Severity),
        enum_check("respondent_tier", Tier),
        enum_check("respondent_kind", UnitKind),
        enum_check("subject_kind", SubjectKind),
        enum_check("target", Relation),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    position: Mapped[int] = mapped_column(sa.Integer, index=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    active: Mapped[bool] = mapped_column(sa.Boolean, default=True)
    category_id: Mapped[int | None] = mapped_column(sa.ForeignKey("categories.id"))
    severity: Mapped[str | None] = mapped_column(sa.String(16))
    respondent_tier: Mapped[int | None] = mapped_column(sa.SmallInteger)
    respondent_kind: Mapped[str | None] = mapped_column(sa.String(32))
    subject_kind: Mapped[str | None] = mapped_column(sa.String(16))
    target: Mapped[str] = mapped_column(sa.String(32))

    category = relationship("Category")
