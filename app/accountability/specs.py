"""The fields of every accountability action and referral step, declared once.

Services read their input with ``ACC_SPECS[action].read(data)``; the web forms and
the API's schema come from the same declarations (``app/core/fields.py``).
"""

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l

from app.accountability.models import (
    AccountabilityCase,
    AccountabilityForm,
    Decision,
    LegalBasis,
)
from app.core.fields import Choice, Day, Integer, Reference, ReferenceList, Spec, Text
from app.core.validation import FieldErrors
from app.extensions import db
from app.units.models import Staff
from app.units.services import get_unit_by_code

TEXT_MAX = 5000
FACTS_MAX = 20000


def _by_id(model, code: str):
    """Return the row of ``model`` whose id is the text ``code``, or None."""
    if not code.isascii() or not code.isdigit() or len(code) > 9:
        return None
    return db.session.get(model, int(code))


def active_form(code: str) -> AccountabilityForm | None:
    form = db.session.get(AccountabilityForm, code)
    return form if form is not None and form.active else None


def active_basis(code: str) -> LegalBasis | None:
    basis = _by_id(LegalBasis, code)
    return basis if basis is not None and basis.active else None


def decision_by_id(code: str) -> Decision | None:
    return _by_id(Decision, code)


def acc_case_by_number(number: str) -> AccountabilityCase | None:
    return db.session.scalar(
        sa.select(AccountabilityCase).where(AccountabilityCase.number == number)
    )


def staff_by_id(code: str) -> Staff | None:
    staff = _by_id(Staff, code)
    return staff if staff is not None and staff.active else None


def _decision(label=None) -> Reference:
    return Reference(
        "decision",
        label or _l("Subject of the decision"),
        lookup=decision_by_id,
        not_found=_l("No such decision in this case."),
        picker=True,
        required=True,
        max_length=10,
    )


def _text(name: str, label, *, required: bool = False, max_length: int = TEXT_MAX) -> Text:
    return Text(name, label, max_length=max_length, multiline=True, required=required)


def _statement_days() -> int:
    return current_app.config["STATEMENT_MAX_WORKDAYS"]


def _execution_days() -> int:
    return current_app.config["EXECUTION_MAX_WORKDAYS"]


SUBJECT_FIELDS = (
    Reference(
        "staff",
        _l("Person"),
        lookup=staff_by_id,
        not_found=_l("No such person on the staff lists."),
        picker=True,
        max_length=10,
        description=_l("A person on the staff list of a unit; leave empty to decide about a unit."),
    ),
    Reference(
        "unit_code",
        _l("Unit"),
        lookup=get_unit_by_code,
        not_found=_l("No such unit."),
        picker=True,
        description=_l("The unit decided about, when no person is named."),
    ),
)

ACC_SPECS: dict[str, Spec] = {
    "verify": Spec(),
    "request_statement": Spec(
        Integer(
            "days",
            _l("Working days to answer"),
            low=1,
            high=_statement_days,
            required=True,
        ),
        _text("note", _l("What the person is asked to explain")),
    ),
    "record_statement": Spec(_text("statement", _l("Statement"), required=True)),
    "draft_decision": Spec(
        _decision(),
        Reference(
            "form_code",
            _l("Form of accountability"),
            lookup=active_form,
            not_found=_l("No such form of accountability."),
            picker=True,
            required=True,
        ),
        _text("facts", _l("Facts"), required=True, max_length=FACTS_MAX),
        ReferenceList(
            "basis_ids",
            _l("Legal bases"),
            lookup=active_basis,
            not_found=lambda code: _l("No such legal basis: %(code)s", code=code[:10]),
            max_length=10,
            required=True,
        ),
        _text("requirements", _l("Execution requirements")),
        Integer(
            "execution_days",
            _l("Working days to carry out the requirements"),
            low=1,
            high=_execution_days,
            description=_l("Leave empty when nothing is to be carried out."),
        ),
        _text("consequences", _l("Consequences")),
    ),
    "add_subject": Spec(*SUBJECT_FIELDS),
    "remove_subject": Spec(_decision(_l("Subject to remove"))),
    "propose": Spec(_text("findings", _l("Findings of the verification"), max_length=FACTS_MAX)),
    "send_back": Spec(_text("reason", _l("What to verify or change"), required=True)),
    "approve": Spec(_text("note", _l("Note"))),
    "no_action": Spec(
        Choice("kind", _l("Kind"), kind="no_action", required=True, radio=True),
        _text("reason", _l("Reason"), required=True),
    ),
    "issue": Spec(),
    "serve": Spec(
        _decision(),
        Text("served_to", _l("Served to"), max_length=80, required=True),
        Choice("served_how", _l("How"), kind="service_method", required=True),
        Day(
            "served_on",
            _l("Served on"),
            description=_l("The day on the receipt; today if left empty."),
        ),
        _text("note", _l("Note")),
    ),
    "file_appeal": Spec(_decision(), _text("text", _l("Grounds of the appeal"), required=True)),
    "decide_appeal": Spec(
        _decision(),
        Choice("outcome", _l("Outcome"), kind="appeal_outcome", required=True, radio=True),
        Reference(
            "form_code",
            _l("Changed form"),
            lookup=active_form,
            not_found=_l("No such form of accountability."),
            picker=True,
            description=_l("Only when the outcome is a change."),
        ),
        _text("note", _l("Reasons"), required=True),
    ),
    "start_execution": Spec(),
    "record_execution": Spec(_decision(), _text("note", _l("What was done"), required=True)),
    "close": Spec(_text("note", _l("Note"))),
}

REFERRAL_SPECS: dict[str, Spec] = {
    "create": Spec(
        *SUBJECT_FIELDS,
        _text("summary", _l("What is referred"), required=True),
    ),
    "accept": Spec(
        Text("title", _l("Title of the accountability case"), max_length=200),
        Reference(
            "into",
            _l("Add to an open accountability case"),
            lookup=acc_case_by_number,
            not_found=_l("No such open accountability case."),
            picker=True,
            max_length=32,
        ),
    ),
    "decline": Spec(_text("reason", _l("Reason"), required=True)),
}


def forms_ladder() -> list[AccountabilityForm]:
    """Return the active forms, light to heavy."""
    return list(
        db.session.scalars(
            sa.select(AccountabilityForm)
            .where(AccountabilityForm.active.is_(True))
            .order_by(AccountabilityForm.rank)
        )
    )


def collect_subject(spec: Spec, data: dict):
    """Read a spec with the subject fields: a person, a unit, or both when they agree.

    Return (staff, unit, values, errors); the errors are not raised yet, so that the
    caller can add its own before it raises them.
    """
    values, errors = spec.collect(data)
    staff, unit = values["staff"], values["unit_code"]
    if staff is None and unit is None and not errors.errors:
        errors.add("unit_code", _l("Name a person or a unit."))
    if staff is not None and unit is not None and staff.unit_id != unit.id:
        errors.add("staff", _l("This person is not on the staff of that unit."))
    return staff, unit, values, errors


def refuse(spec: Spec, field: str, message) -> None:
    """Raise the refusal of one field of ``spec``, named by its label."""
    errors = FieldErrors(spec.labels)
    errors.add(field, message)
    errors.raise_if_any()
