"""Look-ups over the unit tree."""

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from app.core.validation import FieldErrors
from app.extensions import db
from app.units.models import Unit


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


def pinyin_initials(text: str) -> str:
    """Return the pinyin initials of Chinese text: 人社局 -> rsj."""
    from pypinyin import Style, lazy_pinyin

    return "".join(lazy_pinyin(text, style=Style.FIRST_LETTER, errors="ignore")).lower()


def unit_picker_choices(units: list[Unit]):
    """Return select choices whose options can be searched by name, code or pinyin initials."""
    from wtforms.fields.choices import SelectChoice

    return [
        SelectChoice(
            u.code,
            f"{u.name} ({u.code})",
            render_kw={"data-search": f"{u.name} {u.code} {pinyin_initials(u.name)}".lower()},
        )
        for u in units
    ]


def handling_units() -> list[Unit]:
    """Return the units a complaint can be about or be dispatched to (not the center)."""
    from app.units.models import UnitKind

    return [u for u in list_units() if u.kind != UnitKind.COMPLAINT_CENTER]


def return_counts() -> dict[int, tuple[int, int]]:
    """Return, per unit id, how many returns (退单) it asked for and how many were approved."""
    from app.cases.models import ReturnRequest

    rows = db.session.execute(
        sa.select(
            ReturnRequest.unit_id,
            sa.func.count(ReturnRequest.id),
            sa.func.count(ReturnRequest.id).filter(ReturnRequest.approved.is_(True)),
        ).group_by(ReturnRequest.unit_id)
    )
    return {unit_id: (asked, approved) for unit_id, asked, approved in rows}
