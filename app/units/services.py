"""The unit tree: look-ups, and changes that keep both trees free of circles."""

from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from app.core.validation import FieldErrors
from app.extensions import db
from app.units.models import UNIT_KIND_LABELS, Tier, Unit, UnitKind


def get_unit_by_code(code: str) -> Unit | None:
    """Return the active unit with ``code``, or None."""
    return db.session.scalar(sa.select(Unit).where(Unit.code == code, Unit.active.is_(True)))


def read_unit(errors: FieldErrors, name: str, value, *, required: bool = True):
    """Read an active unit by code, recording why it is not acceptable."""
    code = errors.text(name, value, max_length=40, required=required)
    unit = get_unit_by_code(code) if code else None
    if code and unit is None:
        errors.add(name, _l("No such unit."))
    return unit


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


def units_below(unit: Unit) -> list[Unit]:
    """Return the units ``unit`` may pass work down to (下派, DESIGN §5), by tier and code.

    Below it are the units of its territory (属地, at any depth) and those on its sector
    line (归口); never itself, an inactive unit or a complaint center (the center
    dispatches, it does not handle).
    """
    tree = sa.select(Unit.id).where(Unit.parent_id == unit.id).cte("below", recursive=True)
    tree = tree.union_all(sa.select(Unit.id).where(Unit.parent_id == tree.c.id))
    return list(
        db.session.scalars(
            sa.select(Unit)
            .where(
                sa.or_(Unit.id.in_(sa.select(tree.c.id)), Unit.supervisor_id == unit.id),
                Unit.id != unit.id,
                Unit.active.is_(True),
                Unit.kind != UnitKind.COMPLAINT_CENTER,
            )
            .order_by(Unit.tier, Unit.code)
        )
    )


def pinyin_initials(text: str) -> str:
    """Return the pinyin initials of Chinese text: 人社局 -> rsj."""
    from pypinyin import Style, lazy_pinyin

    return "".join(lazy_pinyin(text, style=Style.FIRST_LETTER, errors="ignore")).lower()


def unit_picker_choices(units: list[Unit], flagged: set[int] = frozenset()):
    """Return select choices whose options can be searched by name, code or pinyin initials.

    Options of the units in ``flagged`` (ids) carry ``data-flagged``, for a page's script.
    """
    from wtforms.fields.choices import SelectChoice

    def attrs(u: Unit) -> dict:
        kw = {"data-search": f"{u.name} {u.code} {pinyin_initials(u.name)}".lower()}
        if u.id in flagged:
            kw["data-flagged"] = "1"
        return kw

    return [SelectChoice(u.code, f"{u.name} ({u.code})", render_kw=attrs(u)) for u in units]


def handling_units() -> list[Unit]:
    """Return the units a complaint can be about or be dispatched to (not the center)."""
    from app.units.models import UnitKind

    return [u for u in list_units() if u.kind != UnitKind.COMPLAINT_CENTER]


def _unit_ref(errors: FieldErrors, name: str, value) -> Unit | None:
    if value in (None, ""):
        return None
    unit = db.session.get(Unit, errors.integer(name, value, 1, 2**31) or 0)
    if unit is None:
        errors.add(name, _l("No such unit."))
    return unit


def _chain_reaches(start: Unit | None, target: Unit, attr: str) -> bool:
    """Return True if following ``attr`` links from ``start`` arrives at ``target``."""
    seen = set()
    while start is not None and start.id not in seen:
        if start.id == target.id:
            return True
        seen.add(start.id)
        start = getattr(start, attr)
    return False


# How a unit's fields are called in messages.
UNIT_FIELD_LABELS = {
    "code": _l("Code"),
    "name": _l("Unit name"),
    "tier": _l("Tier"),
    "kind": _l("Kind"),
    "parent_id": _l("Territorial parent (属地)"),
    "supervisor_id": _l("Sector supervisor (归口)"),
}


def save_unit(unit: Unit | None, data: dict[str, Any]) -> Unit:
    """Create or update a unit; refuse duplicate codes and cycles in either tree."""
    errors = FieldErrors(UNIT_FIELD_LABELS)
    code = errors.text("code", data.get("code"), max_length=40)
    name = errors.text("name", data.get("name"), max_length=120)
    tier = errors.integer("tier", data.get("tier"), Tier.CITY, Tier.VILLAGE)
    kind = errors.choice("kind", data.get("kind"), list(UnitKind), labels=UNIT_KIND_LABELS)
    parent = _unit_ref(errors, "parent_id", data.get("parent_id"))
    supervisor = _unit_ref(errors, "supervisor_id", data.get("supervisor_id"))
    clash = db.session.scalar(sa.select(Unit).where(Unit.code == code)) if code else None
    if clash is not None and clash is not unit:
        errors.add("code", _l("Another unit has this code."))
    if unit is not None and parent is not None and _chain_reaches(parent, unit, "parent"):
        errors.add("parent_id", _l("A unit cannot be placed under itself or a unit below it."))
    if (
        unit is not None
        and supervisor is not None
        and _chain_reaches(supervisor, unit, "supervisor")
    ):
        errors.add("supervisor_id", _l("This would make the sector line a circle."))
    if parent is not None and tier is not None and tier < parent.tier:
        errors.add("tier", _l("A unit cannot be at a higher tier than its parent."))
    errors.raise_if_any()
    unit = unit or Unit()
    unit.code, unit.name, unit.tier, unit.kind = code, name, tier, kind
    unit.parent_id = parent.id if parent else None
    unit.supervisor_id = supervisor.id if supervisor else None
    unit.active = bool(data.get("active", True))
    db.session.add(unit)
    db.session.flush()
    return unit
