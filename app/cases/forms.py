"""Forms for case actions; each turns itself into the service's data dict."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional

from app.cases.models import Finding, Resolved, Satisfaction, SubjectKind, Urgency
from app.core.forms import select_choices
from app.core.labels import CHOICE_LABELS


def _choices(kind: str, values):
    return select_choices((v, CHOICE_LABELS[kind][str(v)]) for v in values)


class ActionForm(FlaskForm):
    """Base: carries the case version for optimistic locking."""

    version = HiddenField()

    def to_data(self) -> dict:
        return {}

    def fill_from(self, case) -> None:
        """Prefill the form from the case where that helps the operator."""


class ScreenForm(ActionForm):
    pass


class SignForm(ActionForm):
    pass


class ClassifyForm(ActionForm):
    respondent_unit_code = SelectField(
        _l("Unit complained about"), validators=[DataRequired()], validate_choice=False
    )
    category_code = SelectField(_l("Category"), validators=[DataRequired()], validate_choice=False)
    subject_kind = SelectField(
        _l("Complaint is about"), choices=_choices("subject_kind", SubjectKind), default="unit"
    )
    respondent_staff = StringField(_l("Staff named"), validators=[Optional(), Length(max=120)])
    urgency = SelectField(_l("Urgency"), choices=_choices("urgency", Urgency), default="normal")

    def to_data(self) -> dict:
        return {
            "respondent_unit_code": self.respondent_unit_code.data,
            "category_code": self.category_code.data,
            "subject_kind": self.subject_kind.data,
            "respondent_staff": self.respondent_staff.data,
            "urgency": self.urgency.data,
        }

    def fill_from(self, case) -> None:
        self.respondent_unit_code.data = case.respondent_unit.code if case.respondent_unit else ""
        self.category_code.data = case.category.code if case.category else ""
        self.subject_kind.data = case.subject_kind
        self.respondent_staff.data = case.respondent_staff
        self.urgency.data = case.urgency


class DispatchForm(ActionForm):
    unit_code = SelectField(_l("Lead unit"), validators=[DataRequired()], validate_choice=False)
    override_reason = TextAreaField(
        _l("Reason for not following the suggestion"), validators=[Optional(), Length(max=5000)]
    )
    assist_unit_codes = SelectMultipleField(
        _l("Assisting units (optional)"), validators=[Optional()], validate_choice=False
    )
    note = TextAreaField(_l("Instructions to the unit"), validators=[Optional(), Length(max=5000)])

    def to_data(self) -> dict:
        return {
            "unit_code": self.unit_code.data,
            "override_reason": self.override_reason.data,
            "assist_unit_codes": [c for c in self.assist_unit_codes.data or [] if c],
            "note": self.note.data,
        }

    def fill_from(self, case) -> None:
        self.unit_code.data = case.respondent_unit.code if case.respondent_unit else ""


class RejectForm(ActionForm):
    reason = TextAreaField(_l("Reason not accepted"), validators=[DataRequired(), Length(max=5000)])
    advice = TextAreaField(_l("Where to go instead"), validators=[Optional(), Length(max=5000)])

    def to_data(self) -> dict:
        return {"reason": self.reason.data, "advice": self.advice.data}


class MergeForm(ActionForm):
    case_number = StringField(
        _l("Number of the original case"), validators=[DataRequired(), Length(max=32)]
    )

    def to_data(self) -> dict:
        return {"case_number": self.case_number.data.strip()}


class RequestReturnForm(ActionForm):
    reason = TextAreaField(
        _l("Why this case is not for your unit"), validators=[DataRequired(), Length(max=5000)]
    )
    suggested_unit_code = SelectField(
        _l("Unit you believe responsible"), validators=[Optional()], validate_choice=False
    )

    def to_data(self) -> dict:
        return {"reason": self.reason.data, "suggested_unit_code": self.suggested_unit_code.data}


class DecideReturnForm(ActionForm):
    decision = RadioField(
        _l("Decision"),
        choices=select_choices(
            [
                ("approve", _l("Approve: back to screening for re-routing")),
                ("deny", _l("Deny: the unit keeps the case")),
            ]
        ),
        validators=[DataRequired()],
    )
    note = TextAreaField(_l("Decision note"), validators=[Optional(), Length(max=5000)])

    def to_data(self) -> dict:
        return {"approve": self.decision.data == "approve", "note": self.note.data}


class InvalidateForm(ActionForm):
    reason = TextAreaField(_l("Why it is invalid"), validators=[DataRequired(), Length(max=5000)])

    def to_data(self) -> dict:
        return {"reason": self.reason.data}


class ResolveDirectlyForm(ActionForm):
    text = TextAreaField(
        _l("Reply to the complainant"), validators=[DataRequired(), Length(max=20000)]
    )

    def to_data(self) -> dict:
        return {"text": self.text.data}


def _decision_form(approve_label, reject_label, note_label):
    class DecisionForm(ActionForm):
        decision = RadioField(
            _l("Decision"),
            choices=select_choices([("approve", approve_label), ("reject", reject_label)]),
            validators=[DataRequired()],
        )
        note = TextAreaField(note_label, validators=[Optional(), Length(max=5000)])

        def to_data(self) -> dict:
            return {"approve": self.decision.data == "approve", "note": self.note.data}

    return DecisionForm


SignOffForm = _decision_form(
    _l("Approve: send the reply to the center"),
    _l("Return it to the handler"),
    _l("Note (required to return)"),
)
DecideExtensionForm = _decision_form(
    _l("Approve the extension"), _l("Deny it"), _l("Note (required to deny)")
)


class RequestExtensionForm(ActionForm):
    days = IntegerField(_l("Working days needed"), validators=[DataRequired()])
    reason = TextAreaField(
        _l("Why more time is needed"), validators=[DataRequired(), Length(max=5000)]
    )

    def to_data(self) -> dict:
        return {"days": self.days.data, "reason": self.reason.data}


class SubDispatchForm(ActionForm):
    unit_code = SelectField(
        _l("Unit below yours"), validators=[DataRequired()], validate_choice=False
    )
    note = TextAreaField(_l("Instructions"), validators=[Optional(), Length(max=5000)])

    def to_data(self) -> dict:
        return {"unit_code": self.unit_code.data, "note": self.note.data}


def _text_form(text_label):
    class TextForm(ActionForm):
        text = TextAreaField(text_label, validators=[DataRequired(), Length(max=20000)])

        def to_data(self) -> dict:
            return {"text": self.text.data}

    return TextForm


SubReplyForm = _text_form(_l("Your reply to the lead unit"))
ContributeForm = _text_form(_l("Your unit's input"))
CommentForm = _text_form(_l("Comment"))


class ReplyForm(ActionForm):
    finding = RadioField(
        _l("Finding"), choices=_choices("finding", Finding), validators=[DataRequired()]
    )
    text = TextAreaField(_l("Reply"), validators=[DataRequired(), Length(max=20000)])

    def to_data(self) -> dict:
        return {"text": self.text.data, "finding": self.finding.data}


class ReviewForm(ActionForm):
    decision = RadioField(
        _l("Decision"),
        choices=select_choices(
            [("pass", _l("Pass: go to return visit")), ("send_back", _l("Send back to redo"))]
        ),
        validators=[DataRequired()],
    )
    note = TextAreaField(_l("Review note"), validators=[Optional(), Length(max=5000)])
    public_reply = TextAreaField(
        _l("Reply to the complainant (shown on the progress page)"),
        validators=[Optional(), Length(max=20000)],
    )
    rectify_days = IntegerField(
        _l("Rectification due within (working days; empty: none)"),
        validators=[Optional()],
    )

    def to_data(self) -> dict:
        return {
            "pass": self.decision.data == "pass",
            "note": self.note.data,
            "public_reply": self.public_reply.data,
            "rectify_days": self.rectify_days.data,
        }


class ReportRectificationForm(ActionForm):
    text = TextAreaField(_l("What was put right"), validators=[DataRequired(), Length(max=20000)])

    def to_data(self) -> dict:
        return {"text": self.text.data}


class VisitForm(ActionForm):
    satisfaction = RadioField(
        _l("Satisfaction"),
        choices=_choices("satisfaction", Satisfaction),
        validators=[DataRequired()],
    )
    resolved = RadioField(
        _l("Resolved"), choices=_choices("resolved", Resolved), validators=[DataRequired()]
    )
    method = SelectField(
        _l("Method"),
        default="phone",
        choices=select_choices(
            [
                ("phone", _l("Phone")),
                ("sms", _l("SMS")),
                ("web", _l("Web")),
                ("visit", _l("In person")),
            ]
        ),
    )
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=5000)])

    def to_data(self) -> dict:
        return {
            "satisfaction": self.satisfaction.data,
            "resolved": self.resolved.data,
            "method": self.method.data,
            "note": self.note.data,
        }


class ReopenForm(ActionForm):
    reason = TextAreaField(
        _l("Reason for reopening"), validators=[DataRequired(), Length(max=5000)]
    )

    def to_data(self) -> dict:
        return {"reason": self.reason.data}


class AnswerOrderForm(ActionForm):
    text = TextAreaField(
        _l("Answer to the supervision order"), validators=[DataRequired(), Length(max=20000)]
    )

    def to_data(self) -> dict:
        return {"text": self.text.data}


ACTION_FORMS: dict[str, type[ActionForm]] = {
    "screen": ScreenForm,
    "classify": ClassifyForm,
    "dispatch": DispatchForm,
    "reject": RejectForm,
    "merge": MergeForm,
    "invalidate": InvalidateForm,
    "resolve_directly": ResolveDirectlyForm,
    "sign": SignForm,
    "sign_off": SignOffForm,
    "request_extension": RequestExtensionForm,
    "decide_extension": DecideExtensionForm,
    "sub_dispatch": SubDispatchForm,
    "sub_reply": SubReplyForm,
    "contribute": ContributeForm,
    "comment": CommentForm,
    "request_return": RequestReturnForm,
    "decide_return": DecideReturnForm,
    "reply": ReplyForm,
    "review": ReviewForm,
    "visit": VisitForm,
    "reopen": ReopenForm,
    "report_rectification": ReportRectificationForm,
    "answer_order": AnswerOrderForm,
}
