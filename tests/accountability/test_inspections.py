"""Inspections: a unit's service becomes a complaint case, a person a referral."""

import pytest
import sqlalchemy as sa

from app.accountability.inspections import add_finding, record_inspection
from app.accountability.models import Inspection, Referral, ReferralOrigin
from app.cases.models import Case
from app.cases.workflow import State
from app.core.errors import ValidationFailed
from app.extensions import db


@pytest.fixture
def inspection(acc_org):
    inspector = acc_org["users"]["inspector"]
    inspection = record_inspection(
        {"held_on": "2026-11-20", "place": "县政务服务中心", "team": "第一暗访组"}, inspector
    )
    db.session.commit()
    return inspection


def test_a_finding_about_a_units_service_becomes_an_inspection_case(acc_org, inspection):
    finding = add_finding(
        inspection,
        {
            "kind": "unit_service",
            "unit_code": "CC-ZWFW",
            "category_code": "attitude",
            "title": "窗口无人值守",
            "text": "上午十点三号窗口无人。",
        },
        acc_org["users"]["inspector"],
    )
    db.session.commit()
    case = db.session.get(Case, finding.case_id)
    assert case.channel == "inspection" and case.state == State.SCREENING
    assert case.respondent_unit.code == "CC-ZWFW" and "第一暗访组" in case.content
    assert db.session.scalar(sa.select(sa.func.count(Referral.id))) == 0


def test_a_finding_about_a_person_becomes_a_referral(acc_org, inspection):
    staff = acc_org["staff"]["张某某"]
    finding = add_finding(
        inspection,
        {"kind": "person", "unit_code": "CC-ZWFW", "staff": str(staff.id), "text": "玩手机。"},
        acc_org["users"]["inspector"],
    )
    referral = db.session.scalar(sa.select(Referral))
    assert referral.origin == ReferralOrigin.INSPECTION and referral.staff_id == staff.id
    assert [(s.kind, s.source_id) for s in referral.sources] == [("inspection_finding", finding.id)]
    assert finding.case_id is None


@pytest.mark.parametrize(
    "data, field",
    [
        ({"held_on": "2099-01-01", "place": "x", "team": "y"}, "held_on"),
        ({"held_on": "2026-13-01", "place": "x", "team": "y"}, "held_on"),
        ({"held_on": "2026-11-20", "place": "", "team": "y"}, "place"),
        ({"held_on": "2026-11-20", "place": "x", "team": "y" * 201}, "team"),
        ({"held_on": 5, "place": "x", "team": "y"}, "held_on"),
    ],
)
def test_a_bad_inspection_is_refused(acc_org, data, field):
    with pytest.raises(ValidationFailed) as refused:
        record_inspection(data, acc_org["users"]["inspector"])
    assert field in refused.value.fields
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count(Inspection.id))) == 0


@pytest.mark.parametrize(
    "data, field",
    [
        ({"kind": "gossip", "unit_code": "CC-ZWFW", "text": "x"}, "kind"),
        ({"kind": "person", "unit_code": "CC-ZWFW", "text": "x"}, "staff"),
        ({"kind": "person", "unit_code": "NOPE", "staff": "1", "text": "x"}, "unit_code"),
        ({"kind": "unit_service", "unit_code": "CC-ZWFW", "text": "x"}, "title"),
        ({"kind": "person", "unit_code": "CC-RSJ", "staff": "1", "text": "x"}, "staff"),
        ({"kind": "person", "unit_code": "CC-ZWFW", "staff": "1", "text": ""}, "text"),
    ],
)
def test_a_bad_finding_is_refused(acc_org, inspection, data, field):
    with pytest.raises(ValidationFailed) as refused:
        add_finding(inspection, data, acc_org["users"]["inspector"])
    assert field in refused.value.fields
