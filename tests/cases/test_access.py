"""Who sees which case, and how much of the complainant."""

import pytest

from app.cases.access import complainant_view, get_visible_or_404
from app.cases.actions import perform_action
from app.core.errors import NotFound
from app.core.masking import mask_name, mask_phone
from app.extensions import db
from tests.conftest import complaint


def test_masking_rules():
    assert mask_phone("13812345678") == "138****5678"
    assert mask_name("张三") == "张某"
    assert mask_name("欧阳娜娜") == "欧某"
    assert mask_phone("") == ""


def test_unit_user_sees_only_cases_routed_to_the_unit(make_case, org):
    ours = make_case("dispatch")
    undispatched = make_case()
    users = org["users"]
    assert get_visible_or_404(ours.id, users["handler"]).id == ours.id
    with pytest.raises(NotFound):
        get_visible_or_404(undispatched.id, users["handler"])
    with pytest.raises(NotFound):
        get_visible_or_404(ours.id, users["handler2"])


def test_unit_lead_sees_cases_of_units_below(make_case, org):
    from app.auth.models import Role, UserRole
    from app.auth.services import create_user

    town_lead = create_user(
        "town_lead", "镇长", "demo1234", [Role.UNIT_LEAD], org["units"]["CC-CGZ"]
    )
    village_case = make_case(respondent_unit_code="CC-CGZ-DJ")
    perform_action(
        village_case,
        "dispatch",
        org["users"]["operator"],
        {"unit_code": "CC-CGZ-DJ", "override_reason": "村委会可直接办理"},
    )
    db.session.commit()
    assert get_visible_or_404(village_case.id, town_lead).id == village_case.id
    town_lead.role_rows = [UserRole(role=Role.HANDLER)]
    db.session.flush()
    with pytest.raises(NotFound):
        get_visible_or_404(village_case.id, town_lead)


@pytest.mark.parametrize("user", ["operator", "center_lead", "inspector"])
def test_center_and_inspectors_see_full_identity(make_case, org, user):
    case = make_case("dispatch")
    view = complainant_view(get_visible_or_404(case.id, org["users"][user]), org["users"][user])
    assert view == {
        "name": "张三",
        "phone": "13812345678",
        "email": "",
        "address": "",
        "anonymous": False,
        "masked": False,
    }


@pytest.mark.parametrize("user", ["handler", "unit_lead", "leader"])
def test_unit_users_and_leaders_see_masked_identity(make_case, org, user):
    case = make_case("dispatch")
    view = complainant_view(case, org["users"][user])
    assert view["name"] == "张某" and view["phone"] == "138****5678" and view["masked"]


def test_anonymous_complainant_shows_nothing_to_units(make_case, org):
    case = make_case("dispatch", complainant={"name": "", "phone": "", "anonymous": True})
    view = complainant_view(case, org["users"]["handler"])
    assert view["name"] == "" and view["phone"] == "" and view["anonymous"]


def test_admin_sees_no_case(make_case, org):
    case = make_case("dispatch")
    with pytest.raises(NotFound):
        get_visible_or_404(case.id, org["users"]["admin"])


def test_leader_sees_cases_in_jurisdiction_only(make_case, org):
    from app.auth.models import Role
    from app.auth.services import create_user

    case = make_case()
    assert get_visible_or_404(case.id, org["users"]["leader"]).id == case.id
    outsider = create_user("city_x", "外县领导", "demo1234", [Role.LEADER], org["units"]["CC-SQX"])
    with pytest.raises(NotFound):
        get_visible_or_404(case.id, outsider)


def test_complaint_validation_names_every_bad_field(org):
    from app.core.errors import ValidationFailed
    from app.intake.services import register_case

    bad = complaint(
        channel="fax",
        respondent_unit_code="NOPE",
        category_code="nope",
        urgency="asap",
        title="",
        content="x\x00y",
    )
    with pytest.raises(ValidationFailed) as info:
        register_case(bad, org["users"]["operator"])
    assert set(info.value.fields) == {
        "channel",
        "respondent_unit_code",
        "category_code",
        "urgency",
        "title",
        "content",
    }
