"""The triage queue's form: the case a message is put on."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField

from app.core.forms import Required


class AttachForm(FlaskForm):
    """The case number typed for one message; ``attach_to_case`` checks it."""

    case_number = StringField(
        _l("Case number"),
        validators=[Required()],
        render_kw={"maxlength": 32, "autocomplete": "off", "spellcheck": "false"},
    )
