"""Reading the fields of case actions: decisions, units, the case to merge into."""

from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from app.cases.models import Case
from app.core.validation import FieldErrors
from app.extensions import db
from app.units.models import UnitKind
from app.units.services import get_unit_by_code

TEXT_MAX = 5000


def read_decision(
    data: dict[str, Any], flag: str, outcomes: tuple[str, str], errors: FieldErrors
) -> tuple[bool | None, str, str | None]:
    """Read a yes/no decision and its note, which is required when the answer is no.

    Returns the answer, the note and the table outcome (None if the answer is invalid).
    """
    answer = data.get(flag)
    if not isinstance(answer, bool):
        errors.add(flag, _l("Must be true or false."))
        answer = None
    note = errors.text(
        "note", data.get("note"), max_length=TEXT_MAX, required=answer is False, multiline=True
    )
    outcome = None if answer is None else outcomes[0] if answer else outcomes[1]
    return answer, note, outcome


def read_assist_units(errors: FieldErrors, codes, lead) -> list:
    if codes in (None, "", []):
        return []
    if not isinstance(codes, list) or not all(isinstance(c, str) for c in codes):
        errors.add("assist_unit_codes", _l("Must be a list of unit codes."))
        return []
    units = []
    for code in dict.fromkeys(c.strip() for c in codes if c.strip()):
        unit = get_unit_by_code(code)
        if unit is None or unit.kind == UnitKind.COMPLAINT_CENTER:
            errors.add("assist_unit_codes", _l("No such unit: %(code)s", code=code))
        elif lead is not None and unit.id == lead.id:
            errors.add("assist_unit_codes", _l("The lead unit cannot also assist."))
        else:
            units.append(unit)
    return units


def find_merge_target(data: dict[str, Any], errors: FieldErrors) -> Case | None:
    """Resolve the case to merge into, given by ``case_id`` or ``case_number``."""
    if data.get("case_number"):
        number = errors.text("case_number", data["case_number"], max_length=32)
        target = db.session.scalar(sa.select(Case).where(Case.number == number))
        if target is None:
            errors.add("case_number", _l("No such case."))
        return target
    target_id = data.get("case_id")
    if isinstance(target_id, bool) or not isinstance(target_id, int):
        errors.add("case_id", _l("Must be a case id."))
        return None
    target = db.session.get(Case, target_id)
    if target is None:
        errors.add("case_id", _l("No such case."))
    return target
