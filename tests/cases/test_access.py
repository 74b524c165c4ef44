"""Who sees which case, and how much of the complainant."""

import pytest

from app.auth.models import Role, UserRole
from app.cases.access import complainant_view, get_visible_or_404
from app.core.errors import NotFound
from app.core.masking import mask_name, mask_phone
from app.extensions import db
from app.units.models import Tier, UnitKind
from tests.conftest import complaint
from tests.factories import create_case, create_unit, create_user


def test_masking_rules():
    assert mask_phone("13812345678") == "138****5678"
    assert mask_name("张三") == "张某"
    assert mask_name("欧阳娜娜") == "欧某"
    assert mask_phone("") == ""


def test_unit_user_sees_only_cases_routed_to_the_unit(app):
    rsj, zjj = create_unit(), create_unit()
    handler = create_user(roles=[Role.HANDLER], unit=rsj)
    handler2 = create_user(roles=[Role.HANDLER], unit=zjj)
    ours = create_case("dispatched", unit=rsj)
    undispatched = create_case("screening", unit=rsj)
    assert get_visible_or_404(ours.id, handler).id == ours.id
    with pytest.raises(NotFound):
        get_visible_or_404(undispatched.id, handler)
    with pytest.raises(NotFound):
        get_visible_or_404(ours.id, handler2)


def test_unit_lead_sees_cases_of_units_below(app):
    town = create_unit(tier=Tier.TOWNSHIP, kind=UnitKind.GOVERNMENT)
    village = create_unit(tier=Tier.VILLAGE, kind=UnitKind.GOVERNMENT, parent=town)
    town_lead = create_user(roles=[Role.UNIT_LEAD], unit=town)
    village_case = create_case("dispatched", unit=village)
    assert get_visible_or_404(village_case.id, town_lead).id == village_case.id
    town_lead.role_rows = [UserRole(role=Role.HANDLER)]
    db.session.flush()
    with pytest.raises(NotFound):
        get_visible_or_404(village_case.id, town_lead)


@pytest.mark.parametrize("role", ["operator", "center_lead", "inspector"])
def test_center_and_inspectors_see_full_identity(app, role):
    case = create_case("dispatched")
    user = create_user(roles=[role])
    view = complainant_view(get_visible_or_404(case.id, user), user)
    assert view == {
        "name": "张三",
        "phone": "13812345678",
        "email": "",
        "address": "",
        "anonymous": False,
        "masked": False,
    }


@pytest.mark.parametrize("role", ["handler", "unit_lead", "leader"])
def test_unit_users_and_leaders_see_masked_identity(app, role):
    case = create_case("dispatched")
    view = complainant_view(case, create_user(roles=[role]))
    assert view["name"] == "张某" and view["phone"] == "138****5678" and view["masked"]


def test_anonymous_complainant_shows_nothing_to_units(app):
    unit = create_unit()
    case = create_case(
        "dispatched", unit=unit, complainant={"name": "", "phone": "", "anonymous": True}
    )
    view = complainant_view(case, create_user(roles=[Role.HANDLER], unit=unit))
    assert view["name"] == "" and view["phone"] == "" and view["anonymous"]


def test_admin_sees_no_case(app):
    case = create_case("dispatched")
    with pytest.raises(NotFound):
        get_visible_or_404(case.id, create_user(roles=[Role.ADMIN]))


def test_leader_sees_cases_in_jurisdiction_only(app):
    county = create_unit(kind=UnitKind.GOVERNMENT)
    township = create_unit(tier=Tier.TOWNSHIP, kind=UnitKind.GOVERNMENT, parent=county)
    case = create_case("screening", unit=create_unit(parent=county))
    leader = create_user(roles=[Role.LEADER], unit=county)
    assert get_visible_or_404(case.id, leader).id == case.id
    outsider = create_user(roles=[Role.LEADER], unit=township)
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
