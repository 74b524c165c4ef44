"""Changing reference data, with the checks that keep routing sound."""

from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from app.cases.models import Category, Severity, SubjectKind
from app.core.validation import FieldErrors
from app.extensions import db
from app.routing.models import Relation, RoutingRule
from app.routing.router import resolve_relation
from app.units.models import Tier, Unit, UnitKind


def _unit_ref(errors: FieldErrors, name: str, value) -> Unit | None:
    if value in (None, ""):
        return None
    unit = db.session.get(Unit, errors.integer(name, value, 1, 2**31) or 0)
    if unit is None:
        errors.add(name, _l("No such unit."))
    return unit


def _chain_reaches(start: Unit | None, target: Unit, attr: str) -> bool:
    """Return True if following ``attr`` links from ``start`` arrives at ``target``."""
    seen = set()
    while start is not None and start.id not in seen:
        if start.id == target.id:
            return True
        seen.add(start.id)
        start = getattr(start, attr)
    return False


def save_unit(unit: Unit | None, data: dict[str, Any]) -> Unit:
    """Create or update a unit; refuse duplicate codes and cycles in either tree."""
    errors = FieldErrors()
    code = errors.text("code", data.get("code"), max_length=40)
    name = errors.text("name", data.get("name"), max_length=120)
    tier = errors.integer("tier", data.get("tier"), Tier.CITY, Tier.VILLAGE)
    kind = errors.choice("kind", data.get("kind"), list(UnitKind))
    parent = _unit_ref(errors, "parent_id", data.get("parent_id"))
    supervisor = _unit_ref(errors, "supervisor_id", data.get("supervisor_id"))
    clash = db.session.scalar(sa.select(Unit).where(Unit.code == code)) if code else None
    if clash is not None and clash is not unit:
        errors.add("code", _l("Another unit has this code."))
    if unit is not None and parent is not None and _chain_reaches(parent, unit, "parent"):
        errors.add("parent_id", _l("A unit cannot be placed under itself or a unit below it."))
    if (
        unit is not None
        and supervisor is not None
        and _chain_reaches(supervisor, unit, "supervisor")
    ):
        errors.add("supervisor_id", _l("This would make the sector line a circle."))
    if parent is not None and tier is not None and tier < parent.tier:
        errors.add("tier", _l("A unit cannot be at a higher tier than its parent."))
    errors.raise_if_any()
    unit = unit or Unit()
    unit.code, unit.name, unit.tier, unit.kind = code, name, tier, kind
    unit.parent_id = parent.id if parent else None
    unit.supervisor_id = supervisor.id if supervisor else None
    unit.active = bool(data.get("active", True))
    db.session.add(unit)
    db.session.flush()
    return unit


def save_category(category: Category | None, data: dict[str, Any]) -> Category:
    """Create or update a category with its severity and default time limit."""
    errors = FieldErrors()
    code = errors.text("code", data.get("code"), max_length=40)
    name = errors.text("name", data.get("name"), max_length=80)
    severity = errors.choice("severity", data.get("severity"), list(Severity))
    days = errors.integer("handle_days", data.get("handle_days"), 1, 60, required=False)
    position = errors.integer("position", data.get("position") or 0, 0, 999)
    clash = db.session.scalar(sa.select(Category).where(Category.code == code)) if code else None
    if clash is not None and clash is not category:
        errors.add("code", _l("Another category has this code."))
    errors.raise_if_any()
    category = category or Category()
    category.code, category.name, category.severity = code, name, severity
    category.handle_days, category.position = days, position
    category.active = bool(data.get("active", True))
    db.session.add(category)
    db.session.flush()
    return category


def save_rule(rule: RoutingRule | None, data: dict[str, Any]) -> RoutingRule:
    """Create or update a routing rule whose relation must resolve for some unit it matches."""
    errors = FieldErrors()
    name = errors.text("name", data.get("name"), max_length=120)
    position = errors.integer("position", data.get("position"), 1, 9999)
    target = errors.choice("target", data.get("target"), list(Relation))
    tier = errors.integer("respondent_tier", data.get("respondent_tier"), 1, 4, required=False)
    kind = errors.choice(
        "respondent_kind", data.get("respondent_kind"), list(UnitKind), required=False
    )
    subject = errors.choice(
        "subject_kind", data.get("subject_kind"), list(SubjectKind), required=False
    )
    severity = errors.choice("severity", data.get("severity"), list(Severity), required=False)
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
