"""Administration of the accountability reference data: legal bases, accumulation rules."""

import sqlalchemy as sa
from flask import render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice

from app.accountability.models import AccumulationRule, LegalBasis
from app.accountability.reference_admin import (
    BASIS_LABELS,
    RULE_COUNT_LABELS,
    RULE_LABELS,
    RULE_PERIOD_LABELS,
    SUBJECT_TYPE_LABELS,
    save_basis,
    save_rule,
)
from app.accountability.specs import forms_ladder
from app.admin import bp
from app.admin.views import _edit
from app.core.forms import Required, mark_required, select_choices
from app.extensions import db


class LegalBasisForm(FlaskForm):
    name = StringField(BASIS_LABELS["name"], validators=[Required()], render_kw={"maxlength": 80})
    article = StringField(
        BASIS_LABELS["article"], validators=[Required()], render_kw={"maxlength": 40}
    )
    text = TextAreaField(BASIS_LABELS["text"], validators=[Required()])
    position = IntegerField(BASIS_LABELS["position"], default=0)
    active = BooleanField(BASIS_LABELS["active"], default=True)


class AccumulationRuleForm(FlaskForm):
    subject_type = SelectField(
        RULE_LABELS["subject_type"],
        choices=select_choices(SUBJECT_TYPE_LABELS.items()),
        validate_choice=False,
    )
    counts = SelectField(
        RULE_LABELS["counts"],
        choices=select_choices(RULE_COUNT_LABELS.items()),
        validate_choice=False,
    )
    form_code = SelectField(RULE_LABELS["form_code"], validate_choice=False)
    threshold = IntegerField(RULE_LABELS["threshold"], validators=[Required()])
    period = SelectField(
        RULE_LABELS["period"],
        choices=select_choices(RULE_PERIOD_LABELS.items()),
        validate_choice=False,
    )
    suggests_code = SelectField(
        RULE_LABELS["suggests_code"],
        description=_l("Empty: refer the subject to the inspectors."),
        validate_choice=False,
    )
    active = BooleanField(RULE_LABELS["active"], default=True)


def _form_choices(form) -> None:
    ladder = [SelectChoice(f.code, f.name) for f in forms_ladder()]
    form.form_code.choices = [SelectChoice("", "—"), *ladder]
    form.suggests_code.choices = [SelectChoice("", "—"), *ladder]


@bp.get("/legal-bases")
def legal_bases():
    """List the legal bases decisions may cite."""
    rows = db.session.scalars(sa.select(LegalBasis).order_by(LegalBasis.position, LegalBasis.id))
    return render_template("admin/legal_bases.html", bases=list(rows))


@bp.route("/legal-bases/new", methods=["GET", "POST"])
@bp.route("/legal-bases/<int:basis_id>", methods=["GET", "POST"])
def legal_basis(basis_id: int | None = None):
    """Create or edit a legal basis."""
    obj = db.get_or_404(LegalBasis, basis_id) if basis_id else None
    form = LegalBasisForm(obj=obj) if request.method == "GET" and obj else LegalBasisForm()
    mark_required(form, ("name", "article", "text"))
    response, status, _saved = _edit(
        form,
        obj,
        lambda basis, data: save_basis(basis, data, current_user),
        "admin/form.html",
        "admin.legal_bases",
        title=_("Legal basis"),
    )
    return response, status


@bp.get("/accumulation-rules")
def accumulation_rules():
    """List the accumulation rules of the efficiency records."""
    rows = db.session.scalars(sa.select(AccumulationRule).order_by(AccumulationRule.id))
    return render_template("admin/accumulation_rules.html", rules=list(rows))


@bp.route("/accumulation-rules/new", methods=["GET", "POST"])
@bp.route("/accumulation-rules/<int:rule_id>", methods=["GET", "POST"])
def accumulation_rule(rule_id: int | None = None):
    """Create or edit an accumulation rule."""
    obj = db.get_or_404(AccumulationRule, rule_id) if rule_id else None
    form = (
        AccumulationRuleForm(obj=obj) if request.method == "GET" and obj else AccumulationRuleForm()
    )
    if request.method == "GET" and obj:
        form.form_code.data = obj.form_code or ""
        form.suggests_code.data = obj.suggests_code or ""
    _form_choices(form)
    response, status, _saved = _edit(
        form,
        obj,
        lambda rule, data: save_rule(rule, data, current_user),
        "admin/form.html",
        "admin.accumulation_rules",
        title=_("Accumulation rule"),
    )
    return response, status
