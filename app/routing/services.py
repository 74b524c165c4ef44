"""Changing the routing rule table, with the check that every rule can resolve."""

from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from app.cases.models import SEVERITY_LABELS, SUBJECT_KIND_LABELS, Category, Severity, SubjectKind
from app.core.validation import FieldErrors
from app.extensions import db
from app.routing.models import Relation, RoutingRule
from app.routing.router import RELATION_LABELS, resolve_relation
from app.units.models import UNIT_KIND_LABELS, Unit, UnitKind

# How a rule's fields are called in messages.
RULE_FIELD_LABELS = {
    "name": _l("Rule name"),
    "position": _l("Position"),
    "target": _l("Sent to"),
    "respondent_tier": _l("Tier of the unit complained about"),
    "respondent_kind": _l("Kind of the unit complained about"),
    "subject_kind": _l("Complaint is about"),
    "severity": _l("Severity"),
    "category_id": _l("Category"),
}


def save_rule(rule: RoutingRule | None, data: dict[str, Any]) -> RoutingRule:
    """Create or update a routing rule whose relation must resolve for some unit it matches."""
    errors = FieldErrors(RULE_FIELD_LABELS)
    name = errors.text("name", data.get("name"), max_length=120)
    position = errors.integer("position", data.get("position"), 1, 9999)
    target = errors.choice("target", data.get("target"), list(Relation), labels=RELATION_LABELS)
    tier = errors.integer("respondent_tier", data.get("respondent_tier"), 1, 4, required=False)
    kind = errors.choice(
        "respondent_kind",
        data.get("respondent_kind"),
        list(UnitKind),
        required=False,
        labels=UNIT_KIND_LABELS,
    )
    subject = errors.choice(
        "subject_kind",
        data.get("subject_kind"),
        list(SubjectKind),
        required=False,
        labels=SUBJECT_KIND_LABELS,
    )
    severity = errors.choice(
        "severity", data.get("severity"), list(Severity), required=False, labels=SEVERITY_LABELS
    )
    category = None
    if data.get("category_id") not in (None, ""):
        category = db.session.get(
            Category, errors.integer("category_id", data["category_id"], 1, 2**31) or 0
        )
        if category is None:
            errors.add("category_id", _l("No such category."))
    if (
        target
        and "target" not in errors.errors
        and not _resolves_somewhere(Relation(target), tier, kind)
    ):
        errors.add("target", _l("This relation resolves for no unit the rule can match."))
    errors.raise_if_any()
    rule = rule or RoutingRule()
    rule.name, rule.position, rule.target = name, position, target
    rule.respondent_tier, rule.respondent_kind = tier, kind
    rule.subject_kind, rule.severity = subject, severity
    rule.category_id = category.id if category else None
    rule.active = bool(data.get("active", True))
    db.session.add(rule)
    db.session.flush()
    return rule


def _resolves_somewhere(relation: Relation, tier: int | None, kind: str | None) -> bool:
    stmt = sa.select(Unit).where(Unit.active.is_(True))
    if tier:
        stmt = stmt.where(Unit.tier == tier)
    if kind:
        stmt = stmt.where(Unit.kind == kind)
    return any(resolve_relation(relation, unit) is not None for unit in db.session.scalars(stmt))


def delete_rule(rule: RoutingRule) -> None:
    """Remove a rule from the table."""
    db.session.delete(rule)
    db.session.flush()
