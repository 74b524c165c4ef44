"""The unit tree: territorial parent (属地) and sector supervisor (归口)."""

import enum

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.constraints import enum_check
from app.core.labels import register_labels
from app.extensions import db


class Tier(enum.IntEnum):
    CITY = 1
    COUNTY = 2
    TOWNSHIP = 3
    VILLAGE = 4


class UnitKind(enum.StrEnum):
    GOVERNMENT = "government"
    DEPARTMENT = "department"
    STATION = "station"
    DISCIPLINE_OFFICE = "discipline_office"
    COMPLAINT_CENTER = "complaint_center"


UNIT_KIND_LABELS = register_labels(
    "unit_kind",
    {
        UnitKind.GOVERNMENT: _l("government"),
        UnitKind.DEPARTMENT: _l("department"),
        UnitKind.STATION: _l("station"),
        UnitKind.DISCIPLINE_OFFICE: _l("discipline office"),
        UnitKind.COMPLAINT_CENTER: _l("complaint center"),
    },
)


class Unit(db.Model):
    """A government body that can be complained about or handle complaints."""

    __tablename__ = "units"
    __table_args__ = (enum_check("tier", Tier), enum_check("kind", UnitKind))

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(40), unique=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    tier: Mapped[int] = mapped_column(sa.SmallInteger)
    kind: Mapped[str] = mapped_column(sa.String(32))
    parent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("units.id"), index=True)
    supervisor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("units.id"))
    active: Mapped[bool] = mapped_column(sa.Boolean, default=True)
    # The organ's short name in document numbers (机关代字): 澄纪 in 澄纪效告〔2026〕3号.
    doc_prefix: Mapped[str] = mapped_column(sa.String(12), default="", server_default="")

    parent: Mapped["Unit | None"] = relationship(
        remote_side=[id], foreign_keys=[parent_id], back_populates="children"
    )
    children: Mapped[list["Unit"]] = relationship(foreign_keys=[parent_id], back_populates="parent")
    supervisor: Mapped["Unit | None"] = relationship(remote_side=[id], foreign_keys=[supervisor_id])

    def __repr__(self) -> str:
        return f"<Unit {self.code}>"


class Staff(db.Model):
    """A person working in a unit, whom a complaint or a decision can name (DESIGN §7).

    Kept apart from ``User``: most staff never log in, and an account is not a person's
    record. ``confirmed`` is false for a name an operator typed at intake that is not yet
    on the unit's list; the admin confirms it (or merges it into the real entry), so a
    typing slip never becomes a person with an efficiency record of their own.
    """

    __tablename__ = "staff"
    __table_args__ = (
        # One entry per person and post in a unit: an import run twice adds nobody.
        sa.UniqueConstraint("unit_id", "name", "post"),
        sa.CheckConstraint("name <> ''", name="name"),
        # A merged entry is a slip kept for the record: inactive, pointing at someone else.
        sa.CheckConstraint(
            "merged_into_id IS NULL OR (NOT active AND NOT confirmed AND merged_into_id <> id)",
            name="merged",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(40))
    post: Mapped[str] = mapped_column(sa.String(60), default="", server_default="")
    active: Mapped[bool] = mapped_column(sa.Boolean, default=True, server_default=sa.true())
    confirmed: Mapped[bool] = mapped_column(sa.Boolean, default=True, server_default=sa.true())
    # Set when the admin merged this pending entry into the real one (app/units/staff.py).
    merged_into_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff.id"))

    unit: Mapped[Unit] = relationship()
    merged_into: Mapped["Staff | None"] = relationship(remote_side=[id])

    @property
    def label(self) -> str:
        """Name and post as a list shows them: 王某（窗口科员）."""
        return f"{self.name}（{self.post}）" if self.post else self.name

    def __repr__(self) -> str:
        return f"<Staff {self.id} {self.name}>"
