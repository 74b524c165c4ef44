"""The web forms of the case actions, built from their specs (``specs.py``)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField

from app.cases.specs import SPECS
from app.core.forms import form_class, mark_required, prefix_ids


class ActionForm(FlaskForm):
    """Base: carries the case version for optimistic locking."""

    version = HiddenField()
    spec = None  # set on each action's form class
    action = None  # likewise

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # One page shows every action's form: ids carry the action, names stay the API's.
        prefix_ids(self, self.action)
        mark_required(self, self.spec.web_required)

    def to_data(self) -> dict:
        """Return what was posted in the shape the service (and API clients) use."""
        return {
            name: field.read_form(self)
            for name, field in self.spec.fields.items()
            if not field.api_only
        }

    def fill_from(self, case) -> None:
        """Prefill the form from the case where that helps the operator."""
        fill = PREFILL.get(type(self).action)
        if fill is not None:
            fill(self, case)


def _fill_classify(form, case) -> None:
    form.respondent_unit_code.data = case.respondent_unit.code if case.respondent_unit else ""
    form.category_code.data = case.category.code if case.category else ""
    form.subject_kind.data = case.subject_kind
    form.respondent_staff.data = case.respondent_staff
    form.respondent_staff_ids.data = [str(s.id) for s in case.staff]
    form.urgency.data = case.urgency


def _fill_dispatch(form, case) -> None:
    form.unit_code.data = case.respondent_unit.code if case.respondent_unit else ""


def _fill_review(form, case) -> None:
    # What the complainant will read starts as the unit's answer, for the center to edit.
    if case.replies:
        form.public_reply.data = case.replies[-1].text


PREFILL = {"classify": _fill_classify, "dispatch": _fill_dispatch, "review": _fill_review}


def _action_form(action: str) -> type[ActionForm]:
    name = "".join(part.title() for part in action.split("_")) + "Form"
    cls = form_class(name, SPECS[action], ActionForm)
    cls.action = action
    return cls


ACTION_FORMS: dict[str, type[ActionForm]] = {action: _action_form(action) for action in SPECS}


# Actions that cannot be undone ask first (app/core/confirm.py). ``{case_number}`` is
# filled with what the form holds when it is sent.
CONFIRMATIONS = {
    "merge": _l(
        "After merging, case %(number)s is closed and merged into {case_number}. "
        "This cannot be undone. Merge?"
    ),
    "reject": _l(
        "Case %(number)s will not be accepted and is closed; the complainant is told the "
        "reason. This cannot be undone. Continue?"
    ),
    "invalidate": _l(
        "Case %(number)s will be marked invalid and closed. This cannot be undone. Continue?"
    ),
    "resolve_directly": _l(
        "Your reply goes to the complainant and case %(number)s is closed without being "
        "dispatched. This cannot be undone. Continue?"
    ),
    "reopen": _l(
        "Case %(number)s will be reopened for screening: a new time limit starts and it "
        "counts as reopened. This cannot be undone. Reopen?"
    ),
}


def confirmation(action: str, case) -> str | None:
    """Return the question to ask before ``action`` on ``case``, if it cannot be undone."""
    question = CONFIRMATIONS.get(action)
    return None if question is None else str(question) % {"number": case.number}
