"""The staff lists: entries, pending names from intake, confirming and merging them."""

import pytest
import sqlalchemy as sa

from app.cases.models import CaseStaff
from app.core.errors import Conflict, ValidationFailed
from app.core.trail import Event, events_of, verify_chains
from app.extensions import db
from app.units.models import Staff
from app.units.naming import name_staff_for_case
from app.units.staff import (
    confirm_staff,
    create_staff,
    deactivate_staff,
    find_staff,
    merge_staff,
    pending_staff,
    reactivate_staff,
    staff_of_unit,
    update_staff,
)
from tests.conftest import complaint


def entries() -> int:
    return db.session.scalar(sa.select(sa.func.count(Staff.id)))


def actions(subject: str, subject_id: int) -> list[str]:
    return [e.action for e in db.session.scalars(events_of(subject, subject_id))]


def test_an_entry_is_added_once_per_unit_name_and_post(org, staff):
    admin, rsj = org["users"]["admin"], org["units"]["CC-RSJ"]
    entry = create_staff({"unit_id": str(rsj.id), "name": " 郑某 ", "post": "科员"}, admin)
    assert (entry.name, entry.post, entry.active, entry.confirmed) == ("郑某", "科员", True, True)
    assert actions("staff", entry.id) == ["staff_created"]
    with pytest.raises(ValidationFailed) as refused:
        create_staff({"unit_id": rsj.id, "name": "郑某", "post": "科员"}, admin)
    assert refused.value.message == "姓名：该单位已有同名同职务的人员。"
    # Another post, or the same person in another unit, is another entry.
    create_staff({"unit_id": rsj.id, "name": "郑某", "post": "股长"}, admin)
    create_staff({"unit_id": org["units"]["CC-ZJJ"].id, "name": "郑某", "post": "科员"}, admin)


@pytest.mark.parametrize(
    "data, field",
    [
        ({"name": "", "post": ""}, "name"),
        ({"name": "  ", "post": ""}, "name"),
        ({"name": "张" * 41, "post": ""}, "name"),
        ({"name": "a\x00b", "post": ""}, "name"),
        ({"name": "张某", "post": "x" * 61}, "post"),
        ({"name": "张某", "post": "a\nb"}, "post"),
        ({"name": "张某", "post": ["x"]}, "post"),
        ({"name": "张某", "unit_id": "abc"}, "unit_id"),
        ({"name": "张某", "unit_id": str(2**31)}, "unit_id"),
        ({"name": "张某", "unit_id": "999999"}, "unit_id"),
        ({"name": "张某", "unit_id": ""}, "unit_id"),
    ],
)
def test_bad_entries_are_refused_and_nothing_is_stored(org, staff, data, field):
    before = entries()
    data = {"unit_id": str(org["units"]["CC-RSJ"].id), **data}
    with pytest.raises(ValidationFailed) as refused:
        create_staff(data, org["users"]["admin"])
    assert field in refused.value.fields
    db.session.rollback()
    assert entries() == before


def test_an_entry_is_corrected_deactivated_and_reactivated_on_its_trail(org, staff):
    admin, entry = org["users"]["admin"], staff["王某某"]
    update_staff(entry, {"name": "王某某", "post": "就业股股长"}, admin)
    assert entry.post == "就业股股长"
    with pytest.raises(ValidationFailed):
        update_staff(entry, {"name": "刘某某", "post": "社会保险经办科员"}, admin)  # a colleague
    assert deactivate_staff(entry, admin) and not deactivate_staff(entry, admin)
    assert entry not in staff_of_unit(entry.unit_id)
    assert entry in staff_of_unit(entry.unit_id, active_only=False)
    assert reactivate_staff(entry, admin) and entry in staff_of_unit(entry.unit_id)
    assert actions("staff", entry.id) == ["staff_updated", "staff_deactivated", "staff_reactivated"]
    db.session.commit()
    assert verify_chains().broken == []


def test_a_case_names_staff_of_its_unit_and_refuses_others(org, staff, make_case):
    case = make_case()  # against 人社局
    operator = org["users"]["operator"]
    assert name_staff_for_case(case, [staff["王某某"].id], [], operator)
    assert case.staff == [staff["王某某"]]
    event = db.session.scalars(events_of("case", case.id)).all()[-1]
    assert event.action == "name_staff" and event.data["added"][0]["name"] == "王某某"
    for bad in ([staff["张某某"].id], [2**31], [0], ["1"], [True], "1", [1.5], list(range(1, 30))):
        with pytest.raises(ValidationFailed) as refused:
            name_staff_for_case(case, bad, [], operator)
        assert "respondent_staff_ids" in refused.value.fields, bad
    assert case.staff == [staff["王某某"]]
    # Named again as it is: nothing changes, nothing is recorded.
    assert not name_staff_for_case(case, [staff["王某某"].id], [], operator)


def test_a_deactivated_entry_is_not_offered_but_stays_on_its_cases(org, staff, make_case):
    case, operator, admin = make_case(), org["users"]["operator"], org["users"]["admin"]
    name_staff_for_case(case, [staff["王某某"].id], [], operator)
    deactivate_staff(staff["王某某"], admin)
    other = make_case()
    with pytest.raises(ValidationFailed):
        name_staff_for_case(other, [staff["王某某"].id], [], operator)
    # The case that named the person may be corrected without dropping them.
    name_staff_for_case(case, [staff["王某某"].id, staff["刘某某"].id], [], operator)
    assert case.staff == [staff["王某某"], staff["刘某某"]]


def test_names_typed_become_one_pending_entry_each(org, staff, make_case):
    operator = org["users"]["operator"]
    first, second = make_case(), make_case()
    typed = [{"name": "钱某", "post": "窗口人员"}, {"name": "钱某", "post": "窗口人员"}]
    name_staff_for_case(first, [], typed, operator)
    name_staff_for_case(second, [], [{"name": " 钱某 ", "post": "窗口人员"}], operator)
    pending = db.session.scalars(pending_staff()).all()
    assert [(s.name, s.post, s.confirmed) for s in pending] == [("钱某", "窗口人员", False)]
    assert first.staff == second.staff == pending
    assert pending[0].unit.code == "CC-RSJ"
    # Typing someone on the list finds them, whatever the list says.
    name_staff_for_case(second, [], [{"name": "王某某", "post": "就业和失业保险股股长"}], operator)
    assert second.staff == [staff["王某某"]]


@pytest.mark.parametrize(
    "typed",
    [
        [{"name": ""}],
        [{"name": "x" * 41}],
        [{"name": "张\x00"}],
        [{"name": "张", "post": "y" * 61}],
        [{"name": "张", "unit": "CC-ZJJ"}],
        [{"post": "科员"}],
        ["张某"],
        {"name": "张某"},
        [{"name": "张某", "post": 3}],
        [{"name": f"人{i}"} for i in range(11)],
    ],
)
def test_bad_names_typed_are_refused_and_nothing_is_stored(org, staff, make_case, typed):
    case, before = make_case(), entries()
    with pytest.raises(ValidationFailed) as refused:
        name_staff_for_case(case, [], typed, org["users"]["operator"])
    assert any(k.startswith("respondent_staff_new") for k in refused.value.fields)
    db.session.rollback()
    assert entries() == before and case.staff == []


def test_a_case_without_a_unit_cannot_name_staff(org, staff):
    from app.intake.services import register_case

    email = complaint(channel="email", respondent_unit_code=None, category_code=None)
    case = register_case(email, org["users"]["operator"])
    with pytest.raises(ValidationFailed) as refused:
        name_staff_for_case(case, [staff["王某某"].id], [], org["users"]["operator"])
    assert refused.value.message == "被投诉人员（单位名单）：请先选择被投诉单位。"


def test_confirming_puts_a_pending_entry_on_the_list(org, staff, make_case):
    case = make_case()
    name_staff_for_case(case, [], [{"name": "钱某", "post": ""}], org["users"]["operator"])
    entry = case.staff[0]
    assert entry not in staff_of_unit(entry.unit_id)
    assert confirm_staff(entry, org["users"]["admin"]) and not confirm_staff(entry, None)
    assert entry in staff_of_unit(entry.unit_id)
    assert actions("staff", entry.id) == ["staff_named_pending", "staff_confirmed"]


def test_merging_moves_the_case_links_and_keeps_the_slip(org, staff, make_case):
    operator, admin = org["users"]["operator"], org["users"]["admin"]
    real = staff["王某某"]
    one, both, other = make_case(), make_case(), make_case()
    name_staff_for_case(one, [], [{"name": "王某", "post": ""}], operator)
    slip = one.staff[0]
    name_staff_for_case(both, [real.id], [{"name": "王某", "post": ""}], operator)
    name_staff_for_case(other, [staff["刘某某"].id], [], operator)
    db.session.commit()

    assert merge_staff(slip, real, admin) == 2
    db.session.commit()
    db.session.expire_all()
    assert one.staff == [real] and both.staff == [real] and other.staff == [staff["刘某某"]]
    links = db.session.scalars(sa.select(CaseStaff).where(CaseStaff.staff_id == slip.id)).all()
    assert links == []
    # The slip stays for the record, inactive and pointing at the real entry ...
    assert (slip.merged_into, slip.active, slip.confirmed) == (real, False, False)
    assert slip not in db.session.scalars(pending_staff()).all()
    assert actions("case", one.id)[-1] == "staff_merged"
    assert "staff_merged_in" in actions("staff", real.id)
    # ... so that the same slip typed again names the real person.
    assert find_staff(slip.unit_id, "王某", "") == real
    again = make_case()
    name_staff_for_case(again, [], [{"name": "王某", "post": ""}], operator)
    assert again.staff == [real]
    assert verify_chains().broken == []


def test_merging_is_refused_where_it_would_not_be_sound(org, staff, make_case):
    operator, admin = org["users"]["operator"], org["users"]["admin"]
    case = make_case()
    name_staff_for_case(case, [], [{"name": "王某", "post": ""}], operator)
    slip = case.staff[0]
    for into in (slip, staff["张某某"]):  # itself; another unit's
        with pytest.raises(ValidationFailed):
            merge_staff(slip, into, admin)
    with pytest.raises(ValidationFailed):
        merge_staff(staff["王某某"], staff["刘某某"], admin)  # not pending
    deactivate_staff(staff["刘某某"], admin)
    with pytest.raises(ValidationFailed):
        merge_staff(slip, staff["刘某某"], admin)  # not active
    merge_staff(slip, staff["王某某"], admin)
    with pytest.raises(Conflict):
        update_staff(slip, {"name": "王某某"}, admin)
    with pytest.raises(ValidationFailed):
        merge_staff(slip, staff["王某某"], admin)  # merged already


def test_the_database_refuses_an_unsound_merge(org, staff):
    entry = staff["王某某"]
    entry.merged_into_id = staff["刘某某"].id  # still active and confirmed
    with pytest.raises(sa.exc.IntegrityError):
        db.session.flush()
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count(Event.id))) == 0
