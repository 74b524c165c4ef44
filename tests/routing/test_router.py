"""Routing by tiered responsibility: the default rules across all four tiers, and edits."""

import pytest

from app.cases.models import Category
from app.extensions import db
from app.routing.models import RoutingRule
from app.routing.router import suggest_route

# respondent, category, subject kind -> expected unit, expected rule position (None: center)
SCENARIOS = [
    ("CC-RSJ", "time_limit", "unit", "CC-RSJ", 40),  # a county bureau handles its own
    ("CC-RSJ", "attitude", "staff", "CC-RSJ", 40),
    ("CC-RSJ", "time_limit", "unit_leader", "CZ-JW", 10),  # its leadership: discipline up
    ("CC-RSJ", "bribery", "unit", "CC-JW", 20),  # serious: discipline at the same tier
    ("CC-RSJ", "illegal_fees", "staff", "CC-JW", 20),
    ("CC-RSJ", "bribery", "unit_leader", "CZ-JW", 10),  # the first matching rule wins
    ("CC-ZWFW", "attitude", "unit", "CC-ZWFW", 40),
    ("CC-ZJJ", "buck_passing", "unit", "CC-ZJJ", 40),
    ("CC-SQX-LC", "sloth", "unit", "CC-SQX", 30),  # a village goes to its township
    ("CC-CGZ-DJ", "attitude", "staff", "CC-CGZ", 30),
    ("CC-CGZ-DJ", "bribery", "unit", "CC-CGZ", 30),  # no village discipline office: next rule
    ("CC-CGZ", "bribery", "unit", "CC-CGZ-JW", 20),  # township with its own discipline office
    ("CC-SQX", "bribery", "unit", "CC-SQX", 40),  # township without one falls through
    ("CC-SQX", "attitude", "unit_leader", "CC-JW", 10),  # township leadership: county office
    ("CC-CGZ", "inaction", "unit_leader", "CC-JW", 10),
    ("CC-CGZ-SBS", "attitude", "unit", "CC-CGZ-SBS", 40),  # a station handles its own
    ("CC-CGZ-SBS", "attitude", "unit_leader", "CC-JW", 10),
    ("CC", "inaction", "unit_leader", "CZ-JW", 10),  # county government leadership
    ("CC", "illegal_fees", "unit", "CC-JW", 20),
    ("CZ", "attitude", "unit_leader", "CZ", 40),  # no tier above the city: next rule
    ("CZ", "bribery", "unit", "CZ-JW", 20),
    ("CC-JW", "attitude", "staff", "CC-JW", 40),
]


@pytest.mark.parametrize(("respondent", "category", "subject", "expected", "position"), SCENARIOS)
def test_default_rules(org, respondent, category, subject, expected, position):
    suggestion = suggest_route(org["units"][respondent], org["categories"][category], subject)
    assert suggestion.unit.code == expected
    assert suggestion.rule.position == position
    assert suggestion.unit.name in suggestion.explanation
    assert str(position) in suggestion.explanation


def add_rule(position, target, **conditions) -> RoutingRule:
    rule = RoutingRule(
        position=position, name=f"test {position}", target=target, active=True, **conditions
    )
    db.session.add(rule)
    db.session.flush()
    return rule


def test_no_rule_matches_means_the_center(org):
    for rule in db.session.query(RoutingRule):
        rule.active = False
    suggestion = suggest_route(org["units"]["CC-RSJ"], org["categories"]["attitude"], "unit")
    assert suggestion.unit.code == "CC-TSZX" and suggestion.rule is None


def test_sector_supervisor_rule(org):
    add_rule(5, "supervisor", respondent_kind="station")
    station = suggest_route(org["units"]["CC-CGZ-SBS"], org["categories"]["attitude"], "unit")
    assert station.unit.code == "CC-RSJ" and station.rule.position == 5


def test_rule_whose_relation_does_not_resolve_falls_through_with_a_trace(org):
    add_rule(5, "supervisor", category_id=org["categories"]["intermediary"].id)
    suggestion = suggest_route(org["units"]["CC-ZWFW"], org["categories"]["intermediary"], "unit")
    assert suggestion.unit.code == "CC-ZWFW" and suggestion.rule.position == 40
    assert suggestion.trace[0].matched and suggestion.trace[0].unit is None


def test_admins_can_send_village_misconduct_to_the_township_discipline_office(org):
    add_rule(15, "discipline_parent_tier", severity="serious", respondent_tier=4)
    suggestion = suggest_route(org["units"]["CC-CGZ-DJ"], org["categories"]["bribery"], "unit")
    assert suggestion.unit.code == "CC-CGZ-JW"


def test_center_rule_keeps_a_case_for_direct_handling(org):
    add_rule(1, "center", category_id=org["categories"]["other"].id)
    suggestion = suggest_route(org["units"]["CC-RSJ"], org["categories"]["other"], "unit")
    assert suggestion.unit.code == "CC-TSZX"


def test_category_condition_names_the_category(org):
    category: Category = org["categories"]["one_time_notice"]
    add_rule(1, "parent", category_id=category.id)
    suggestion = suggest_route(org["units"]["CC-RSJ"], category, "unit")
    assert suggestion.unit.code == "CC" and category.name in suggestion.explanation


def test_dispatch_records_suggestion_and_requires_a_reason_to_override(make_case, org):
    from app.cases.actions import perform_action
    from app.core.errors import ValidationFailed

    case = make_case(category_code="bribery")
    operator = org["users"]["operator"]
    with pytest.raises(ValidationFailed) as info:
        perform_action(case, "dispatch", operator, {"unit_code": "CC-RSJ"})
    assert set(info.value.fields) == {"override_reason"}
    perform_action(
        case, "dispatch", operator, {"unit_code": "CC-RSJ", "override_reason": "先由主管部门核查"}
    )
    db.session.commit()
    db.session.refresh(case)
    event = case.events[-1]
    assert event.data["suggested_unit_code"] == "CC-JW"
    assert event.data["override_reason"] == "先由主管部门核查"
    assert "CC-JW" not in event.data["unit_code"] and event.data["explanation"]


def test_following_the_suggestion_needs_no_reason(make_case, org):
    from app.cases.actions import perform_action

    case = make_case(category_code="bribery")
    perform_action(case, "dispatch", org["users"]["operator"], {"unit_code": "CC-JW"})
    assert case.lead_assignment.unit.code == "CC-JW"
