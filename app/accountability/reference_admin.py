"""The admin's edits of accountability reference data: legal bases and accumulation rules.

Local rules differ, so the articles a decision may cite and the counts that raise a
suggestion are the office's data, kept by the administrator. Nothing is deleted: a
basis a decision cited stays readable, so one no longer in force is switched off.
"""

from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from app.accountability.models import (
    AccountabilityForm,
    AccumulationRule,
    LegalBasis,
    RuleCount,
    RulePeriod,
    SubjectType,
)
from app.core.labels import register_labels
from app.core.trail import record_event
from app.core.types import utcnow
from app.core.validation import FieldErrors
from app.extensions import db

BASIS_LABELS = {
    "name": _l("Name of the rule or law"),
    "article": _l("Article"),
    "text": _l("Text of the article"),
    "position": _l("Position in lists"),
    "active": _l("In force"),
}
RULE_LABELS = {
    "subject_type": _l("Whose record"),
    "counts": _l("What is counted"),
    "form_code": _l("Form counted"),
    "threshold": _l("From how many"),
    "period": _l("Within"),
    "suggests_code": _l("Suggests"),
    "active": _l("Active"),
}
SUBJECT_TYPE_LABELS = register_labels(
    "subject_type_record", {SubjectType.STAFF: _l("a person"), SubjectType.UNIT: _l("a unit")}
)
RULE_COUNT_LABELS = register_labels(
    "rule_count",
    {RuleCount.DECISION: _l("decisions of a form"), RuleCount.RED_CARD: _l("red cards")},
)
RULE_PERIOD_LABELS = register_labels(
    "rule_period", {RulePeriod.YEAR: _l("a year"), RulePeriod.QUARTER: _l("a quarter")}
)


def _form(errors: FieldErrors, name: str, value, *, required: bool) -> AccountabilityForm | None:
    code = errors.text(name, value, max_length=32, required=required)
    if not code:
        return None
    form = db.session.get(AccountabilityForm, code)
    if form is None:
        errors.add(name, _l("No such form of accountability."))
    return form


def save_basis(basis: LegalBasis | None, data: dict[str, Any], actor=None) -> LegalBasis:
    """Create or change a legal basis; the (name, article) pair is unique."""
    errors = FieldErrors(BASIS_LABELS)
    name = errors.text("name", data.get("name"), max_length=80)
    article = errors.text("article", data.get("article"), max_length=40)
    text = errors.text("text", data.get("text"), max_length=5000, multiline=True)
    position = errors.integer("position", data.get("position") or 0, 0, 9999)
    if name and article:
        clash = db.session.scalar(
            sa.select(LegalBasis).where(LegalBasis.name == name, LegalBasis.article == article)
        )
        if clash is not None and clash is not basis:
            errors.add("article", _l("This article of this rule is already on the list."))
    errors.raise_if_any()
    basis = basis or LegalBasis()
    basis.name, basis.article, basis.text, basis.position = name, article, text, position
    basis.active = bool(data.get("active", True))
    db.session.add(basis)
    db.session.flush()
    _record("legal_basis", basis.id, actor, {"name": name, "article": article})
    return basis


def save_rule(rule: AccumulationRule | None, data: dict[str, Any], actor=None) -> AccumulationRule:
    """Create or change an accumulation rule."""
    errors = FieldErrors(RULE_LABELS)
    subject = errors.choice(
        "subject_type", data.get("subject_type"), list(SubjectType), labels=SUBJECT_TYPE_LABELS
    )
    counts = errors.choice("counts", data.get("counts"), list(RuleCount), labels=RULE_COUNT_LABELS)
    form = _form(errors, "form_code", data.get("form_code"), required=counts == RuleCount.DECISION)
    threshold = errors.integer("threshold", data.get("threshold"), 1, 99)
    period = errors.choice(
        "period", data.get("period"), list(RulePeriod), labels=RULE_PERIOD_LABELS
    )
    suggests = _form(errors, "suggests_code", data.get("suggests_code"), required=False)
    if counts == RuleCount.RED_CARD and subject == SubjectType.STAFF:
        errors.add("counts", _l("Red cards are a unit's: count them on a unit's record."))
    if form is not None and suggests is not None and suggests.code == form.code:
        errors.add("suggests_code", _l("A rule suggests another form than the one it counts."))
    same = sa.select(AccumulationRule.id).where(
        AccumulationRule.subject_type == subject,
        AccumulationRule.counts == counts,
        AccumulationRule.form_code == (form.code if form is not None else None)
        if form is not None
        else AccumulationRule.form_code.is_(None),
        AccumulationRule.period == period,
        AccumulationRule.threshold == threshold,
    )
    if rule is not None:
        same = same.where(AccumulationRule.id != rule.id)
    if subject and counts and period and threshold and db.session.scalar(same.limit(1)):
        errors.add("threshold", _l("The same rule is already on the list."))
    errors.raise_if_any()
    rule = rule or AccumulationRule()
    rule.subject_type, rule.counts, rule.threshold, rule.period = subject, counts, threshold, period
    rule.form_code = form.code if form is not None and counts == RuleCount.DECISION else None
    rule.suggests_code = suggests.code if suggests is not None else None
    rule.active = bool(data.get("active", True))
    db.session.add(rule)
    db.session.flush()
    _record("accumulation_rule", rule.id, actor, {"threshold": threshold, "period": period})
    return rule


def _record(subject_type: str, subject_id: int, actor, data: dict) -> None:
    record_event(subject_type, subject_id, actor, "save", data=data, at=utcnow())
