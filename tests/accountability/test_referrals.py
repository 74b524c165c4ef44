"""Referrals: from red cards and valid complaints, once per source; accepted or declined."""

import pytest
import sqlalchemy as sa

from app.accountability.models import (
    AccountabilityCase,
    Referral,
    ReferralOrigin,
    ReferralSource,
    ReferralState,
)
from app.accountability.referrals import (
    accept_referral,
    create_referral,
    decline_referral,
    organ_for,
    refer_all,
)
from app.accountability.workflow import AccState
from app.cases.models import CaseStaff, Finding
from app.cases.workflow import State
from app.core.errors import Conflict, ValidationFailed
from app.core.trail import Event
from app.extensions import db
from app.supervision.models import WarningLevel
from tests.factories import create_card, create_case


def _red_card(acc_org):
    case = create_case(State.HANDLING, unit=acc_org["units"]["CC-RSJ"])
    create_card(case, WarningLevel.YELLOW)
    return case, create_card(case, WarningLevel.RED)


def test_a_red_card_is_referred_once_to_the_office_of_its_units_tier(acc_org):
    case, card = _red_card(acc_org)
    assert refer_all() == 1
    assert refer_all() == 0  # the next sweep finds it referred
    referral = db.session.scalar(sa.select(Referral))
    assert referral.origin == ReferralOrigin.RED_CARD
    assert referral.organ.code == "CC-JW" and referral.unit.code == "CC-RSJ"
    assert case.number in referral.summary and card.number in referral.summary
    assert [(s.kind, s.source_id, s.case_id) for s in referral.sources] == [
        ("warning", card.id, case.id)
    ]


def test_a_source_cannot_be_referred_twice_even_by_hand(acc_org):
    _case, card = _red_card(acc_org)
    refer_all()
    db.session.add(ReferralSource(referral_id=1, kind="warning", source_id=card.id))
    with pytest.raises(sa.exc.IntegrityError):
        db.session.flush()


def test_a_card_without_a_referral_suggestion_is_not_referred(acc_org):
    case = create_case(State.HANDLING, unit=acc_org["units"]["CC-RSJ"])
    create_card(case, WarningLevel.YELLOW)
    assert refer_all() == 0


def test_a_case_closed_with_a_valid_finding_is_referred_with_its_person(acc_org):
    staff = acc_org["staff"]["王某某"]
    valid = create_case(
        State.CLOSED,
        unit=acc_org["units"]["CC-RSJ"],
        finding=Finding.SUBSTANTIATED,
    )
    unfounded = create_case(
        State.CLOSED,
        unit=acc_org["units"]["CC-RSJ"],
        finding=Finding.UNSUBSTANTIATED,
    )
    db.session.add(CaseStaff(case_id=valid.id, staff_id=staff.id))
    db.session.flush()
    db.session.expire(valid, ["staff"])
    assert refer_all() == 1
    referral = db.session.scalar(sa.select(Referral))
    assert referral.origin == ReferralOrigin.FINDING and referral.staff_id == staff.id
    assert valid.number in referral.summary and unfounded.number not in referral.summary


def test_accepting_opens_a_case_with_a_draft_per_subject(acc_org):
    _red_card(acc_org)
    refer_all()
    referral = db.session.scalar(sa.select(Referral))
    inspector = acc_org["users"]["inspector"]
    acc_case = accept_referral(referral, {}, inspector)
    db.session.commit()
    assert acc_case.state == AccState.REGISTERED and acc_case.number.startswith("WZ")
    assert acc_case.organ.code == "CC-JW" and acc_case.inspector_id == inspector.id
    assert [d.subject_type for d in acc_case.decisions] == ["unit"]
    assert acc_case.decisions[0].facts == referral.summary
    assert referral.state == ReferralState.ACCEPTED and referral.acc_case_id == acc_case.id
    with pytest.raises(Conflict):
        accept_referral(referral, {}, inspector)
    with pytest.raises(Conflict):
        decline_referral(referral, {"reason": "不需要"}, inspector)
    actions = db.session.scalars(
        sa.select(Event.action).where(Event.subject_type == "referral").order_by(Event.id)
    ).all()
    assert actions == ["refer", "accept"]


def test_a_second_referral_joins_an_open_case_of_the_same_office(acc_org):
    inspector = acc_org["users"]["inspector"]
    first = create_referral({"unit_code": "CC-RSJ", "summary": "甲"}, inspector)
    second = create_referral(
        {"staff": str(acc_org["staff"]["王某某"].id), "summary": "乙"}, inspector
    )
    acc_case = accept_referral(first, {"title": "人社局效能问题"}, inspector)
    assert accept_referral(second, {"into": acc_case.number}, inspector) is acc_case
    assert acc_case.title == "人社局效能问题"
    assert sorted(d.subject_type for d in acc_case.decisions) == ["staff", "unit"]
    other = create_referral({"unit_code": "CC-SQX", "summary": "丙"}, inspector)
    assert other.organ.code == "CC-JW"  # a township without its own office in the chain
    assert organ_for(acc_org["units"]["CC-CGZ-SBS"]).code == "CC-CGZ-JW"


def test_declining_needs_a_reason_and_keeps_the_referral(acc_org):
    inspector = acc_org["users"]["inspector"]
    referral = create_referral({"unit_code": "CC-RSJ", "summary": "线索"}, inspector)
    with pytest.raises(ValidationFailed) as refused:
        decline_referral(referral, {"reason": "  "}, inspector)
    assert "reason" in refused.value.fields
    decline_referral(referral, {"reason": "已另案处理"}, inspector)
    db.session.commit()
    assert referral.state == ReferralState.DECLINED and referral.decline_reason == "已另案处理"
    assert db.session.scalar(sa.select(sa.func.count(AccountabilityCase.id))) == 0


@pytest.mark.parametrize(
    "data, field",
    [
        ({"summary": "无对象"}, "unit_code"),
        ({"unit_code": "NOPE", "summary": "x"}, "unit_code"),
        ({"unit_code": "CC-RSJ"}, "summary"),
        ({"unit_code": "CC-RSJ", "summary": "x" * 5001}, "summary"),
        ({"staff": "abc", "summary": "x"}, "staff"),
        ({"staff": "99999999999", "summary": "x"}, "staff"),
        ({"unit_code": "CC-RSJ", "summary": "\x00"}, "summary"),
    ],
)
def test_a_bad_manual_referral_is_refused_and_stores_nothing(acc_org, data, field):
    with pytest.raises(ValidationFailed) as refused:
        create_referral(data, acc_org["users"]["inspector"])
    assert field in refused.value.fields
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count(Referral.id))) == 0


def test_a_person_of_another_unit_is_refused(acc_org):
    with pytest.raises(ValidationFailed) as refused:
        create_referral(
            {
                "unit_code": "CC-ZJJ",
                "staff": str(acc_org["staff"]["王某某"].id),
                "summary": "x",
            },
            acc_org["users"]["inspector"],
        )
    assert "staff" in refused.value.fields
