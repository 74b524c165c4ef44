"""Forms of the administration screens; the services do the real checks."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from app.cases.models import SEVERITY_LABELS, SUBJECT_KIND_LABELS
from app.core.forms import Required, select_choices
from app.routing.router import RELATION_LABELS, TIER_LABELS
from app.units.models import UNIT_KIND_LABELS

TIER_CHOICES = select_choices((k, v) for k, v in TIER_LABELS.items())
KIND_CHOICES = select_choices(UNIT_KIND_LABELS.items())


class UnitForm(FlaskForm):
    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=40)])
    name = StringField(_l("Unit name"), validators=[DataRequired(), Length(max=120)])
    tier = SelectField(_l("Tier"), choices=TIER_CHOICES, validate_choice=False)
    kind = SelectField(_l("Kind"), choices=KIND_CHOICES, validate_choice=False)
    parent_id = SelectField(_l("Territorial parent (属地)"), validate_choice=False)
    supervisor_id = SelectField(_l("Sector supervisor (归口)"), validate_choice=False)
    active = BooleanField(_l("Active"), default=True)


class CategoryForm(FlaskForm):
    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=40)])
    name = StringField(_l("Category name"), validators=[DataRequired(), Length(max=80)])
    severity = SelectField(
        _l("Severity"),
        choices=select_choices(SEVERITY_LABELS.items()),
        validate_choice=False,
    )
    handle_days = IntegerField(
        _l("Working days to handle (empty: the default)"), validators=[Optional()]
    )
    position = IntegerField(_l("Position in lists"), default=0, validators=[Optional()])
    active = BooleanField(_l("Active"), default=True)


class RuleForm(FlaskForm):
    position = IntegerField(_l("Position (lower is tried first)"), validators=[DataRequired()])
    name = StringField(_l("Rule name"), validators=[DataRequired(), Length(max=120)])
    subject_kind = SelectField(
        _l("If the complaint is about"),
        validate_choice=False,
        choices=select_choices([("", _l("(any)")), *SUBJECT_KIND_LABELS.items()]),
    )
    category_id = SelectField(_l("If the category is"), validate_choice=False)
    severity = SelectField(
        _l("If the severity is"),
        validate_choice=False,
        choices=select_choices([("", _l("(any)")), *SEVERITY_LABELS.items()]),
    )
    respondent_tier = SelectField(
        _l("If the unit's tier is"),
        validate_choice=False,
        choices=select_choices([("", _l("(any)")), *TIER_LABELS.items()]),
    )
    respondent_kind = SelectField(
        _l("If the unit's kind is"),
        validate_choice=False,
        choices=select_choices([("", _l("(any)")), *UNIT_KIND_LABELS.items()]),
    )
    target = SelectField(
        _l("Then send it to"),
        validate_choice=False,
        choices=select_choices(RELATION_LABELS.items()),
    )
    active = BooleanField(_l("Active"), default=True)


class CalendarYearForm(FlaskForm):
    year = IntegerField(_l("Year"), validators=[DataRequired()])
    holidays = TextAreaField(
        _l("Holidays (放假): one date or range per line, with its name"),
        validators=[Length(max=4000)],
        render_kw={"rows": 10, "placeholder": "2027-01-01 元旦\n2027-02-05..2027-02-11 春节"},
    )
    makeup_days = TextAreaField(
        _l("Make-up working days (调休上班): one weekend date per line, with its holiday"),
        validators=[Length(max=2000)],
        render_kw={"rows": 6, "placeholder": "2027-02-14 春节"},
    )


class CalendarDayForm(FlaskForm):
    kind = SelectField(
        _l("This day is"),
        choices=[
            SelectChoice("workday", _l("a working day")),
            SelectChoice("off", _l("a day off")),
        ],
        validate_choice=False,
    )
    note = StringField(_l("Note (holiday name, 调休)"), validators=[Length(max=40)])


# The staff forms carry what was typed; app/units/staff.py checks it, beside each field.
class StaffForm(FlaskForm):
    unit_id = SelectField(_l("Unit"), validators=[Required()], validate_choice=False)
    name = StringField(_l("Name"), validators=[Required()], render_kw={"maxlength": 40})
    post = StringField(_l("Post"), render_kw={"maxlength": 60})


class StaffEditForm(FlaskForm):
    """The unit of an entry stays: someone who moves gets an entry in the new unit."""

    name = StringField(_l("Name"), validators=[Required()], render_kw={"maxlength": 40})
    post = StringField(_l("Post"), render_kw={"maxlength": 60})


class StaffImportForm(FlaskForm):
    file = FileField(
        _l("Staff list (CSV or XLSX)"),
        validators=[Required()],
        render_kw={
            "accept": ".csv,.xlsx,text/csv,"
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        },
    )
