"""The web forms of accountability, built from the specs (``specs.py``)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import FileField, HiddenField
from wtforms.fields.choices import SelectChoice

from app.accountability.specs import ACC_SPECS, REFERRAL_SPECS, forms_ladder
from app.core.forms import form_class, mark_required, prefix_ids


class AccActionForm(FlaskForm):
    """Base: carries the case version for optimistic locking."""

    version = HiddenField()
    spec = None
    action = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        prefix_ids(self, self.action)
        mark_required(self, self.spec.web_required)

    def to_data(self) -> dict:
        return {
            name: field.from_form(self[name].data)
            for name, field in self.spec.fields.items()
            if not field.api_only
        }


def _form(prefix: str, action: str, spec, base=AccActionForm) -> type:
    name = "".join(part.title() for part in f"{prefix}_{action}".split("_")) + "Form"
    cls = form_class(name, spec, base)
    cls.action = action
    return cls


ACC_FORMS = {action: _form("acc", action, spec) for action, spec in ACC_SPECS.items()}
# The scan of the signed receipt (送达回证) goes with the service, on the web.
ACC_FORMS["serve"].receipt = FileField(_l("Scan of the receipt (optional)"))


class ReferralForm(FlaskForm):
    spec = None
    action = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        prefix_ids(self, f"referral-{self.action}")
        mark_required(self, self.spec.web_required)

    def to_data(self) -> dict:
        return {name: field.from_form(self[name].data) for name, field in self.spec.fields.items()}


REFERRAL_FORMS = {
    action: _form("referral", action, spec, ReferralForm) for action, spec in REFERRAL_SPECS.items()
}


def fill_choices(form, *, decisions=(), units=(), staff=(), bases=(), open_cases=()) -> None:
    """Offer the records each picker names, as the page's case has them."""
    blank = SelectChoice("", "—")
    for field in form:
        if field.name == "decision":
            field.choices = [blank, *(SelectChoice(str(d.id), d.subject_label) for d in decisions)]
        elif field.name == "form_code":
            field.choices = [blank, *(SelectChoice(f.code, f.name) for f in forms_ladder())]
        elif field.name == "basis_ids":
            field.choices = [
                SelectChoice(
                    str(b.id), b.citation if b.active else f"{b.citation}（{_l('not in force')}）"
                )
                for b in bases
            ]
        elif field.name == "unit_code":
            field.choices = [blank, *units]
        elif field.name == "staff":
            field.choices = [
                blank,
                *(SelectChoice(str(s.id), f"{s.unit.name} · {s.label}") for s in staff),
            ]
        elif field.name == "into":
            field.choices = [
                blank,
                *(SelectChoice(c.number, f"{c.number} {c.title}") for c in open_cases),
            ]
