"""The discipline office handles what is routed to it; nobody dispatches into a void."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.auth.models import Role
from app.auth.services import create_user
from app.cases.access import complainant_view
from app.cases.actions import perform_action
from app.cases.models import Case
from app.cases.services import suggest_for, units_nobody_can_sign, who_can_sign
from app.cases.workflow import State, allowed_actions
from app.core.errors import ValidationFailed
from app.core.types import utcnow
from app.extensions import db
from app.notifications.models import Notification
from app.units.models import UnitKind
from app.units.services import units_below

BRIBERY = {"respondent_unit_code": "CC-ZJJ", "category_code": "bribery"}


def act(org, case, action, user, **data):
    perform_action(case, action, org["users"][user], data)
    db.session.commit()
    return case


def test_who_can_sign_is_the_units_handlers_and_lead_not_its_inspector(org):
    users, units = org["users"], org["units"]
    assert who_can_sign(units["CC-JW"]) == {users["jw_handler"].id, users["jw_lead"].id}
    assert who_can_sign(units["CC-RSJ"]) == {users["handler"].id, users["unit_lead"].id}
    assert who_can_sign(units["CC-CGZ"]) == set()
    assert who_can_sign(units["CZ-JW"]) == set()


def test_who_can_sign_counts_a_backup_for_an_away_colleague_and_no_one_inactive(org):
    users, units = org["users"], org["units"]
    clerk = create_user("cgz", "城关承办", "demo1234", [Role.HANDLER], units["CC-CGZ"])
    db.session.commit()
    assert who_can_sign(units["CC-CGZ"]) == {clerk.id}
    clerk.away_until = utcnow() + timedelta(days=3)
    db.session.commit()
    assert who_can_sign(units["CC-CGZ"]) == set()  # away, and nobody stands in
    clerk.backup_user_id = users["handler2"].id
    db.session.commit()
    assert who_can_sign(units["CC-CGZ"]) == {users["handler2"].id}
    users["handler2"].active = False
    db.session.commit()
    assert who_can_sign(units["CC-CGZ"]) == set()
    clerk.away_until = None
    db.session.commit()
    assert who_can_sign(units["CC-CGZ"]) == {clerk.id}
    clerk.active = False
    db.session.commit()
    assert who_can_sign(units["CC-CGZ"]) == set()


def test_units_nobody_can_sign_is_one_answer_for_many(org):
    units = org["units"]
    asked = [units[c] for c in ("CC-JW", "CC-RSJ", "CC-ZJJ", "CC-CGZ", "CZ-JW")]
    assert units_nobody_can_sign(asked) == {units["CC-CGZ"].id, units["CZ-JW"].id}


def test_dispatch_where_nobody_signs_asks_first_and_stores_nothing(make_case, org):
    case = make_case(respondent_unit_code="CC-CGZ", category_code="sloth")
    version = case.version
    with pytest.raises(ValidationFailed) as info:
        act(org, case, "dispatch", "operator", unit_code="CC-CGZ")
    assert set(info.value.fields) == {"confirm_no_signer"}
    db.session.rollback()
    fresh = db.session.get(Case, case.id)
    assert fresh.state == State.SCREENING and fresh.assignments == []
    assert fresh.version == version
    with pytest.raises(ValidationFailed) as info:
        act(org, fresh, "dispatch", "operator", unit_code="CC-CGZ", confirm_no_signer="yes")
    assert set(info.value.fields) == {"confirm_no_signer"}  # a flag is a boolean
    db.session.rollback()
    act(org, fresh, "dispatch", "operator", unit_code="CC-CGZ", confirm_no_signer=True)
    assert fresh.state == State.DISPATCHED
    assert fresh.events[-1].data["no_signer"] is True


def test_dispatch_where_someone_signs_needs_no_confirmation(make_case, org):
    case = act(org, make_case(), "dispatch", "operator", unit_code="CC-RSJ")
    assert case.state == State.DISPATCHED and case.events[-1].data["no_signer"] is False


def test_the_discipline_office_signs_and_handles_a_bribery_case(make_case, org):
    users = org["users"]
    case = make_case(**BRIBERY, urgency="urgent")
    suggestion = suggest_for(case)
    assert suggestion.unit.code == "CC-JW" and suggestion.unit.kind == UnitKind.DISCIPLINE_OFFICE
    act(org, case, "dispatch", "operator", unit_code="CC-JW")
    told = set(
        db.session.scalars(
            sa.select(Notification.user_id).where(
                Notification.case_id == case.id, Notification.channel == "inapp"
            )
        )
    )
    # The office's handlers hear of it; its inspector, who does not sign, does not.
    assert told == {users["jw_handler"].id, users["jw_lead"].id}
    assert allowed_actions(case, users["inspector"]) == []
    assert "sign" in allowed_actions(case, users["jw_handler"])
    act(org, case, "sign", "jw_handler")
    assert case.state == State.HANDLING
    act(org, case, "reply", "jw_handler", text="经查属实，已立案处理。", finding="substantiated")
    assert case.state == State.HANDLING
    assert allowed_actions(case, users["inspector"]) == []
    act(org, case, "sign_off", "jw_lead", approve=True, note="")
    assert case.state == State.REPLIED
    act(org, case, "review", "operator", **{"pass": True, "note": ""})
    assert case.state == State.VISITING


def test_handlers_of_the_discipline_office_see_the_complainant_masked(make_case, org):
    users = org["users"]
    case = act(org, make_case(**BRIBERY), "dispatch", "operator", unit_code="CC-JW")
    # Handling staff see masked data like any unit's; the inspector sees it in full.
    assert complainant_view(case, users["jw_handler"])["phone"] == "138****5678"
    assert complainant_view(case, users["jw_lead"])["masked"] is True
    assert complainant_view(case, users["inspector"])["phone"] == "13812345678"


def test_units_below_follow_the_tree_and_never_name_the_center(org):
    units = org["units"]

    def below(code):
        return [u.code for u in units_below(units[code])]

    # 县纪委监委 supervises the complaint center, which handles nothing: not offered.
    assert below("CC-JW") == ["CC-CGZ-JW"]
    assert below("CC-RSJ") == ["CC-CGZ-SBS"]
    assert below("CC-CGZ") == ["CC-CGZ-JW", "CC-CGZ-SBS", "CC-CGZ-DJ"]  # by tier, code
    assert below("CC-ZJJ") == []
    county = below("CC")
    assert "CC-TSZX" not in county and "CC" not in county and "CZ-JW" not in county
    assert {"CC-RSJ", "CC-CGZ", "CC-SQX-LC"} <= set(county)
    units["CC-CGZ-DJ"].active = False
    db.session.commit()
    assert below("CC-CGZ") == ["CC-CGZ-JW", "CC-CGZ-SBS"]
