"""The router: which unit must handle a complaint, and a reason anyone can read."""

from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from app.core.labels import label
from app.extensions import db
from app.routing.models import Relation, RoutingRule
from app.units.models import Unit, UnitKind

RELATION_LABELS = {
    Relation.SELF: _l("the unit complained about itself"),
    Relation.PARENT: _l("its territorial parent (属地)"),
    Relation.SUPERVISOR: _l("its sector supervisor (归口)"),
    Relation.DISCIPLINE_SAME_TIER: _l("the discipline office at its tier"),
    Relation.DISCIPLINE_PARENT_TIER: _l("the discipline office one tier up"),
    Relation.CENTER: _l("the complaint center itself (直办)"),
}
TIER_LABELS = {1: _l("city"), 2: _l("county"), 3: _l("township"), 4: _l("village")}


@dataclass
class RuleCheck:
    """How one rule fared against a complaint."""

    rule: RoutingRule
    matched: bool
    reasons: list[str]
    unit: Unit | None = None


@dataclass
class Suggestion:
    """The router's answer: the unit, the rule that chose it, and why."""

    unit: Unit | None
    rule: RoutingRule | None
    relation: Relation
    explanation: str
    trace: list[RuleCheck] = field(default_factory=list)


def territory(unit: Unit | None) -> Unit | None:
    """Return the government a unit belongs to (itself if it is one)."""
    seen = set()
    while unit is not None and unit.id not in seen:
        if unit.kind == UnitKind.GOVERNMENT:
            return unit
        seen.add(unit.id)
        unit = unit.parent
    return None


def _child_of_kind(government: Unit | None, kind: str) -> Unit | None:
    if government is None:
        return None
    return db.session.scalar(
        sa.select(Unit)
        .where(Unit.parent_id == government.id, Unit.kind == kind, Unit.active.is_(True))
        .order_by(Unit.id)
        .limit(1)
    )


def complaint_center_for(unit: Unit) -> Unit | None:
    """Return the nearest complaint center above the unit, walking up the territories."""
    government = territory(unit)
    while government is not None:
        center = _child_of_kind(government, UnitKind.COMPLAINT_CENTER)
        if center is not None:
            return center
        government = territory(government.parent)
    return None


def resolve_relation(relation: Relation, respondent: Unit) -> Unit | None:
    """Return the unit that ``relation`` names for ``respondent``, or None if there is none."""
    if relation is Relation.SELF:
        return respondent
    if relation is Relation.PARENT:
        return respondent.parent
    if relation is Relation.SUPERVISOR:
        return respondent.supervisor
    if relation is Relation.DISCIPLINE_SAME_TIER:
        return _child_of_kind(territory(respondent), UnitKind.DISCIPLINE_OFFICE)
    if relation is Relation.DISCIPLINE_PARENT_TIER:
        own = territory(respondent)
        return _child_of_kind(territory(own.parent) if own else None, UnitKind.DISCIPLINE_OFFICE)
    if relation is Relation.CENTER:
        return complaint_center_for(respondent)
    raise ValueError(f"unknown relation {relation!r}")


def check_rule(rule: RoutingRule, respondent: Unit, category, subject_kind: str) -> RuleCheck:
    """Say whether every condition the rule sets holds, and name each one."""
    reasons, matched = [], True

    def condition(holds: bool, text) -> None:
        nonlocal matched
        matched = matched and holds
        reasons.append(("✓ " if holds else "✗ ") + str(text))

    if rule.subject_kind:
        condition(
            subject_kind == rule.subject_kind,
            _l("complaint is about: %(what)s", what=label(rule.subject_kind, "subject_kind")),
        )
    if rule.category_id:
        condition(
            category is not None and category.id == rule.category_id,
            _l("category is %(name)s", name=rule.category.name),
        )
    if rule.severity:
        condition(
            category is not None and category.severity == rule.severity,
            _l("category is %(severity)s", severity=label(rule.severity, "severity")),
        )
    if rule.respondent_tier:
        condition(
            respondent.tier == rule.respondent_tier,
            _l("unit is at %(tier)s tier", tier=TIER_LABELS.get(rule.respondent_tier, "")),
        )
    if rule.respondent_kind:
        condition(
            respondent.kind == rule.respondent_kind,
            _l("unit is a %(kind)s", kind=label(rule.respondent_kind, "unit_kind")),
        )
    if not reasons:
        reasons.append(str(_l("applies to every complaint")))
    return RuleCheck(rule, matched, reasons)


def active_rules() -> list[RoutingRule]:
    """Return the active rules in their order."""
    return list(
        db.session.scalars(
            sa.select(RoutingRule)
            .where(RoutingRule.active.is_(True))
            .order_by(RoutingRule.position, RoutingRule.id)
        )
    )


def suggest_route(respondent: Unit, category, subject_kind: str, rules=None) -> Suggestion:
    """Return where the first matching rule sends the complaint, with the reason."""
    trace = []
    for rule in active_rules() if rules is None else rules:
        check = check_rule(rule, respondent, category, subject_kind)
        trace.append(check)
        if not check.matched:
            continue
        relation = Relation(rule.target)
        check.unit = resolve_relation(relation, respondent)
        if check.unit is None:
            check.reasons.append(
                str(
                    _l(
                        "but %(relation)s does not exist; next rule",
                        relation=RELATION_LABELS[relation],
                    )
                )
            )
            continue
        explanation = _l(
            "Rule %(position)d “%(name)s” matched (%(why)s): %(relation)s, %(unit)s.",
            position=rule.position,
            name=rule.name,
            why="; ".join(r.removeprefix("✓ ") for r in check.reasons),
            relation=RELATION_LABELS[relation],
            unit=check.unit.name,
        )
        return Suggestion(check.unit, rule, relation, str(explanation), trace)
    center = complaint_center_for(respondent)
    return Suggestion(
        center,
        None,
        Relation.CENTER,
        str(
            _l(
                "No rule matched: the complaint center handles it (%(unit)s).",
                unit=center.name if center else "—",
            )
        ),
        trace,
    )
