"""Forms citizens fill in, without an account."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, MultipleFileField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional


class PublicComplaintForm(FlaskForm):
    name = StringField(_l("Your name"), validators=[Optional(), Length(max=80)])
    phone = StringField(_l("Your phone"), validators=[Optional(), Length(max=32)])
    email = StringField(
        _l("Your e-mail (for the receipt and the reply)"), validators=[Optional(), Length(max=120)]
    )
    anonymous = BooleanField(_l("Complain anonymously (you will get no reply by message)"))
    respondent_unit_code = SelectField(
        _l("Which office is the complaint about"),
        validators=[DataRequired()],
        validate_choice=False,
    )
    category_code = SelectField(
        _l("What kind of problem"), validators=[DataRequired()], validate_choice=False
    )
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    content = TextAreaField(
        _l("What happened (when, where, who)"), validators=[DataRequired(), Length(max=20000)]
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
    code = StringField(_l("Tracking code"), validators=[DataRequired(), Length(max=24)])
