"""Look-ups the case specs resolve codes with, and the rules that span several fields."""

from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from app.cases.models import Case
from app.core.validation import FieldErrors
from app.extensions import db
from app.units.models import Unit, UnitKind
from app.units.services import get_unit_by_code

TEXT_MAX = 5000


def case_by_number(number: str) -> Case | None:
    return db.session.scalar(sa.select(Case).where(Case.number == number))


def case_by_id(case_id: int) -> Case | None:
    return db.session.get(Case, case_id)


def handling_unit_by_code(code: str) -> Unit | None:
    """Return the active unit with ``code`` unless it is a complaint center."""
    unit = get_unit_by_code(code)
    return unit if unit is not None and unit.kind != UnitKind.COMPLAINT_CENTER else None


def decision_outcome(
    values: dict[str, Any], flag: str, outcomes: tuple[str, str], errors: FieldErrors
) -> str | None:
    """Return the table outcome of the decision ``flag``; a no needs the note.

    The outcome is None while the decision itself is missing or invalid.
    """
    answer = values[flag]
    if answer is False and not values["note"]:
        errors.add("note", _l("This field is required."))
    return None if answer is None else outcomes[0] if answer else outcomes[1]
