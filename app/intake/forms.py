"""Staff intake forms: the hotline, ordered for an operator on a live call, and letters."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    MultipleFileField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional

from app.cases.models import SUBJECT_KIND_LABELS, URGENCY_LABELS
from app.core.fields import ids_from_form
from app.core.forms import select_choices
from app.units.naming import NO_STAFF_LISTED, PICK_LABELS, typed_on_form
from app.units.staff import NAME_MAX, POST_MAX


class ComplaintFields(FlaskForm):
    """What every staff intake form asks about the complaint itself."""

    respondent_unit_code = SelectField(
        _l("Unit complained about"), validators=[DataRequired()], validate_choice=False
    )
    subject_kind = SelectField(
        _l("Complaint is about"),
        choices=select_choices(SUBJECT_KIND_LABELS.items()),
        default="unit",
    )
    respondent_staff = StringField(_l("Staff named"), validators=[Optional(), Length(max=120)])
    # static/staff-picker.js keeps the staff of the unit chosen above; the service checks.
    respondent_staff_ids = SelectMultipleField(
        PICK_LABELS["respondent_staff_ids"],
        validate_choice=False,
        render_kw={
            "data-unit-select": "respondent_unit_code",
            "data-none": NO_STAFF_LISTED,
            "size": 6,
        },
    )
    new_staff_name = StringField(
        _l("Not on the list: name"), validators=[Optional(), Length(max=NAME_MAX)]
    )
    new_staff_post = StringField(
        _l("Their post (optional)"), validators=[Optional(), Length(max=POST_MAX)]
    )
    category_code = SelectField(_l("Category"), validators=[DataRequired()], validate_choice=False)
    urgency = SelectField(
        _l("Urgency"), choices=select_choices(URGENCY_LABELS.items()), default="normal"
    )
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])

    def complaint_data(self) -> dict:
        return {
            "respondent_unit_code": self.respondent_unit_code.data,
            "subject_kind": self.subject_kind.data,
            "respondent_staff": self.respondent_staff.data,
            "respondent_staff_ids": ids_from_form(self.respondent_staff_ids.data),
            "respondent_staff_new": typed_on_form(
                self.new_staff_name.data, self.new_staff_post.data
            ),
            "category_code": self.category_code.data,
            "urgency": self.urgency.data,
            "title": self.title.data,
            "content": self.content.data,
        }


class HotlineForm(ComplaintFields):
    # The template renders the caller first (keyboard order): the number brings
    # up their earlier cases while the operator keeps typing.
    phone = StringField(_l("Caller's phone"), validators=[Optional(), Length(max=32)])
    name = StringField(_l("Caller's name"), validators=[Optional(), Length(max=80)])
    anonymous = BooleanField(_l("Caller wishes to stay anonymous"))
    call_reference = StringField(_l("Call reference"), validators=[Optional(), Length(max=64)])
    content = TextAreaField(_l("What happened"), validators=[DataRequired(), Length(max=20000)])

    def to_data(self) -> dict:
        return {
            "channel": "hotline",
            "complainant": {
                "name": self.name.data,
                "phone": self.phone.data,
                "anonymous": bool(self.anonymous.data),
            },
            "call_reference": self.call_reference.data,
            **self.complaint_data(),
        }


class LetterForm(ComplaintFields):
    """A letter from a complaint box, typed in by an operator with its scanned pages."""

    letter_box = SelectField(
        _l("Complaint box"), validators=[DataRequired()], validate_choice=False
    )
    letter_collected_on = DateField(_l("Date collected"), validators=[DataRequired()])
    name = StringField(_l("Writer's name"), validators=[Optional(), Length(max=80)])
    phone = StringField(_l("Writer's phone"), validators=[Optional(), Length(max=32)])
    address = StringField(_l("Writer's address"), validators=[Optional(), Length(max=200)])
    anonymous = BooleanField(_l("The letter is anonymous"))
    content = TextAreaField(
        _l("Text of the letter"), validators=[DataRequired(), Length(max=20000)]
    )
    scans = MultipleFileField(_l("Scanned pages"))

    def to_data(self) -> dict:
        return {
            "channel": "letter",
            "letter_box": self.letter_box.data,
            "letter_collected_on": self.letter_collected_on.data,
            "complainant": {
                "name": self.name.data,
                "phone": self.phone.data,
                "address": self.address.data,
                "anonymous": bool(self.anonymous.data),
            },
            **self.complaint_data(),
        }
