"""Forms citizens fill in, without an account."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, MultipleFileField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from app.core.forms import Required
from app.intake.services import CONTENT_MAX, TITLE_MAX


class PublicComplaintForm(FlaskForm):
    """The complaint as typed; ``validate_complaint`` checks it, one message per field."""

    name = StringField(
        _l("Your name"),
        validators=[Required()],
        render_kw={"maxlength": 80, "autocomplete": "name"},
    )
    phone = StringField(
        _l("Your phone"), render_kw={"maxlength": 32, "autocomplete": "tel", "inputmode": "tel"}
    )
    email = StringField(
        _l("Your e-mail (for the receipt and the reply)"),
        render_kw={"maxlength": 120, "autocomplete": "email", "inputmode": "email"},
    )
    anonymous = BooleanField(_l("Complain anonymously (you will get no reply by message)"))
    respondent_unit_code = SelectField(
        _l("Which office is the complaint about"), validators=[Required()], validate_choice=False
    )
    category_code = SelectField(
        _l("What kind of problem"), validators=[Required()], validate_choice=False
    )
    title = StringField(_l("Title"), validators=[Required()], render_kw={"maxlength": TITLE_MAX})
    content = TextAreaField(
        _l("What happened (when, where, who)"),
        validators=[Required()],
        render_kw={"maxlength": CONTENT_MAX},
    )
    attachments = MultipleFileField(_l("Photos or documents"))
    # Honeypot: hidden from people, filled in by bots.
    website = StringField(_l("Leave this field empty"))

    def to_data(self) -> dict:
        return {
            "channel": "web",
            "complainant": {
                "name": self.name.data,
                "phone": self.phone.data,
                "email": self.email.data,
                "anonymous": bool(self.anonymous.data),
            },
            "respondent_unit_code": self.respondent_unit_code.data,
            "category_code": self.category_code.data,
            "title": self.title.data,
            "content": self.content.data,
        }


class TrackForm(FlaskForm):
    code = StringField(
        _l("Tracking code"),
        validators=[DataRequired(message=_l("This field is required.")), Length(max=24)],
        render_kw={"maxlength": 24, "autocomplete": "off", "autocapitalize": "characters"},
    )
