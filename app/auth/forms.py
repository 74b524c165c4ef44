"""Login, password and account forms."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.validators import DataRequired, Length
from wtforms.widgets import CheckboxInput, ListWidget

from app.auth.models import ROLE_LABELS
from app.core.forms import Required, select_choices


class LoginForm(FlaskForm):
    username = StringField(_l("Username"), validators=[DataRequired(), Length(max=64)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=256)])
    remember = BooleanField(_l("Remember me"))


class _CheckboxesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


# The account forms only carry what was typed; the services check it (app/auth/users.py,
# app/auth/tokens.py) and their messages are shown beside the fields. ``Required`` only
# marks what the service requires, so that each field still gets one message.
class UserForm(FlaskForm):
    username = StringField(_l("Username"), validators=[Required()])
    name = StringField(_l("Full name"), validators=[Required()])
    unit_id = SelectField(_l("Unit"), validate_choice=False)
    roles = _CheckboxesField(
        _l("Roles"),
        choices=lambda: select_choices(ROLE_LABELS.items()),
        validators=[Required()],
        validate_choice=False,
    )
    email = StringField(_l("E-mail"))
    phone = StringField(_l("Phone"))
    # static/backup-picker.js offers only the colleagues of the unit chosen in unit_id.
    backup_user_id = SelectField(
        _l("Backup (AB post)"), validate_choice=False, render_kw={"data-unit-select": "unit_id"}
    )


class NewUserForm(UserForm):
    password = PasswordField(_l("Password"), validators=[Required()])
    password_confirm = PasswordField(_l("Password again"), validators=[Required()])


class PasswordResetForm(FlaskForm):
    password = PasswordField(_l("New password"), validators=[Required()])
    password_confirm = PasswordField(_l("Password again"), validators=[Required()])


class PasswordChangeForm(FlaskForm):
    current_password = PasswordField(_l("Current password"), validators=[Required()])
    password = PasswordField(_l("New password"), validators=[Required()])
    password_confirm = PasswordField(_l("Password again"), validators=[Required()])


class TokenForm(FlaskForm):
    username = StringField(_l("Username"), validators=[Required()])
    name = StringField(_l("Token name"), validators=[Required()])
    days = StringField(_l("Valid for (days)"))
    # One value per form shown: sent again (a reload, Back), it creates no second token.
    once = HiddenField()


class ConfirmForm(FlaskForm):
    """A bare POST with its CSRF token: the button that confirms an irreversible step."""
