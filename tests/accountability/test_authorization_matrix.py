"""Every accountability action for every role, web and API; referrals and inspections too.

Each row prepares a case in the state its action needs and names who may take it there.
Everyone else is refused: 404 where they may not see the case (another discipline
office), 403 where their role may not do it, 409 where the state or a guard says not now.
A refused request stores nothing: no event, the same state and version.
"""

import re

import pytest
import sqlalchemy as sa

from app.accountability.inspections import record_inspection
from app.accountability.models import AccountabilityCase, Inspection, LegalBasis, Referral
from app.accountability.referrals import create_referral
from app.accountability.services import perform_acc_action
from app.accountability.workflow import ACC_ACTIONS
from app.auth.services import create_token
from app.core.trail import Event
from app.extensions import db
from tests.accountability import helpers
from tests.conftest import login
from tests.factories import create_user

OFFICE = {"inspector", "jw_head"}  # the deciding office, CC-JW
HEAD = {"jw_head"}
USERS = [
    "inspector",
    "jw_head",
    "town_inspector",  # an inspector of another discipline office (CC-CGZ-JW)
    "leader",
    "operator",
    "center_lead",
    "handler",
    "unit_lead",
    "jw_handler",  # staff of the discipline office, but handling complaints
    "jw_lead",
    "admin",
]
# Who refuses before the case is looked up: roles that never act on accountability.
NOT_INSPECTORS = {"leader", "operator", "center_lead", "handler", "unit_lead", "jw_handler"}
NOT_INSPECTORS |= {"jw_lead", "admin"}


_verifying = helpers.verifying_case
_asked = helpers.asked_case
_drafted = helpers.drafted_case
_executing = helpers.executing_case
_appealed = helpers.appealed_case
_past_appeal = helpers.past_appeal_case


def _bases() -> list[str]:
    return [str(i) for i in db.session.scalars(sa.select(LegalBasis.id).order_by(LegalBasis.id))][
        :1
    ]


def _first(acc_case) -> str:
    return str(acc_case.decisions[0].id)


# action -> (prepare, data for the case, who may)
MATRIX = {
    "verify": (helpers.registered_case, lambda c: {}, OFFICE),
    "request_statement": (_verifying, lambda c: {"days": 3, "note": "请说明"}, OFFICE),
    "record_statement": (_asked, lambda c: {"statement": "我有异议。"}, OFFICE),
    "draft_decision": (
        _verifying,
        lambda c: {
            "decision": _first(c),
            "form_code": "criticism",
            "facts": "超期。",
            "basis_ids": _bases(),
        },
        OFFICE,
    ),
    "add_subject": (_verifying, lambda c: {"unit_code": "CC-RSJ"}, OFFICE),
    "remove_subject": (
        helpers.two_subjects_case,
        lambda c: {"decision": str(c.decisions[-1].id)},
        OFFICE,
    ),
    "propose": (_drafted, lambda c: {"findings": "属实。"}, OFFICE),
    "send_back": (helpers.proposed_case, lambda c: {"reason": "补充陈述"}, HEAD),
    "approve": (helpers.proposed_case, lambda c: {"note": "同意"}, HEAD),
    "no_action": (_verifying, lambda c: {"kind": "exempt", "reason": "主动纠错"}, OFFICE),
    "issue": (helpers.approved_case, lambda c: {}, OFFICE),
    "serve": (
        helpers.issued_case,
        lambda c: {"decision": _first(c), "served_to": "王某某", "served_how": "in_person"},
        OFFICE,
    ),
    "file_appeal": (helpers.served_case, lambda c: {"decision": _first(c), "text": "过重"}, OFFICE),
    "decide_appeal": (
        _appealed,
        lambda c: {"decision": _first(c), "outcome": "upheld", "note": "维持"},
        HEAD,
    ),
    "start_execution": (helpers.served_case, lambda c: {}, OFFICE),
    "record_execution": (
        _executing,
        lambda c: {"decision": _first(c), "note": "已交书面检查"},
        OFFICE,
    ),
    "close": (_past_appeal, lambda c: {"note": "办结"}, OFFICE),
}


def test_matrix_covers_every_action():
    assert set(MATRIX) == set(ACC_ACTIONS)


@pytest.fixture
def people(acc_org):
    users = dict(acc_org["users"])
    users["town_inspector"] = create_user(
        "town_inspector", unit=acc_org["units"]["CC-CGZ-JW"], roles=["inspector"]
    )
    db.session.commit()
    return users


def expected(username: str, allowed: set[str]) -> int:
    if username in allowed:
        return 200
    if username in NOT_INSPECTORS:
        return 403
    if username == "town_inspector":
        return 404  # another office's case: it does not exist for them
    return 403  # the office, but not this role (an inspector never decides)


def snapshot(acc_case_id: int) -> tuple:
    db.session.expire_all()
    events = db.session.scalar(
        sa.select(sa.func.count(Event.id)).where(
            Event.subject_type == "acc_case", Event.subject_id == acc_case_id
        )
    )
    acc_case = db.session.get(AccountabilityCase, acc_case_id)
    return events, acc_case.state, acc_case.version


def _prepare(acc_org, action):
    prepare, data, allowed = MATRIX[action]
    acc_case = prepare(acc_org)
    return acc_case, data(acc_case), allowed


@pytest.mark.parametrize("action", list(MATRIX))
def test_api_authorization(client, acc_org, people, action):
    tokens = {name: create_token(user) for name, user in people.items()}
    db.session.commit()
    for username in USERS:
        acc_case, data, allowed = _prepare(acc_org, action)
        before = snapshot(acc_case.id)
        r = client.post(
            f"/api/v1/accountability/cases/{acc_case.id}/actions/{action}",
            json=data,
            headers={"Authorization": f"Bearer {tokens[username]}"},
        )
        assert r.status_code == expected(username, allowed), (username, r.status_code, r.json)
        after = snapshot(acc_case.id)
        if r.status_code == 200:
            assert after[0] > before[0], username
            assert r.json["version"] == after[2]
        else:
            assert after == before, username


@pytest.mark.parametrize("action", list(MATRIX))
def test_web_authorization(client, acc_org, people, action):
    for username in USERS:
        acc_case, data, allowed = _prepare(acc_org, action)
        before = snapshot(acc_case.id)
        login(client, username)
        r = client.post(
            f"/accountability/cases/{acc_case.id}/{action}",
            data={**data, "version": acc_case.version},
        )
        want = expected(username, allowed)
        assert r.status_code == (303 if want == 200 else want), (username, r.status_code)
        after = snapshot(acc_case.id)
        if want == 200:
            assert after[0] > before[0], username
        else:
            assert after == before, username
        client.post("/logout")


def _wrong_state(acc_org, action):
    """A case where ``action`` is not allowed now: its state, or a guard, says no."""
    if action == "verify":
        return _verifying(acc_org)
    return helpers.registered_case(acc_org)


# Guards: the state is right but the case is not ready.
GUARDED = {
    "request_statement": _asked,  # asked already
    "record_statement": _verifying,  # nothing asked
    "propose": _verifying,  # no complete draft
    "remove_subject": _verifying,  # its only subject
    "issue": None,  # notices not rendered: prepared below
    "file_appeal": _past_appeal,  # the appeal period ended
    "start_execution": lambda acc_org: helpers.served_case(acc_org, days=None),
    "close": helpers.served_case,  # within the appeal period
}


def _not_rendered(acc_org):
    from app.documents.models import Document

    acc_case = helpers.approved_case(acc_org)
    db.session.execute(
        sa.update(Document)
        .where(Document.id == acc_case.decisions[0].document_id)
        .values(
            status="queued",
            progress=0,
            pdf=None,
            docx=None,
            pdf_sha256=None,
            docx_sha256=None,
            rendered_at=None,
        )
    )
    db.session.commit()
    return acc_case


@pytest.mark.parametrize("action", list(MATRIX))
def test_not_now_is_409_on_web_and_api_and_stores_nothing(client, acc_org, people, action):
    _prepare_fn, data, allowed = MATRIX[action]
    username = sorted(allowed)[0]
    token = create_token(people[username])
    db.session.commit()
    setups = [_wrong_state]
    if action in GUARDED:
        setups.append(lambda o, a: (GUARDED[a] or _not_rendered)(o))
    for setup in setups:
        acc_case = setup(acc_org, action)
        body = data(acc_case) if acc_case.decisions else {}
        before = snapshot(acc_case.id)
        r = client.post(
            f"/api/v1/accountability/cases/{acc_case.id}/actions/{action}",
            json=body,
            headers={"Authorization": f"Bearer {token}"},
        )
        assert r.status_code == 409, (setup, r.json)
        assert r.json["error"] == "invalid_transition"
        assert snapshot(acc_case.id) == before
        login(client, username)
        r = client.post(f"/accountability/cases/{acc_case.id}/{action}", data=body)
        assert r.status_code == 409
        assert snapshot(acc_case.id) == before
        client.post("/logout")


def test_nobody_approves_their_own_proposal(client, acc_org, people):
    head = people["jw_head"]
    acc_case = _verifying(acc_org)
    perform_acc_action(acc_case, "draft_decision", head, MATRIX["draft_decision"][1](acc_case))
    perform_acc_action(acc_case, "propose", head, {})
    db.session.commit()
    before = snapshot(acc_case.id)
    token = create_token(head)
    db.session.commit()
    r = client.post(
        f"/api/v1/accountability/cases/{acc_case.id}/actions/approve",
        json={},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert r.status_code == 403 and snapshot(acc_case.id) == before


# ---------------------------------------------------------------- referrals, inspections


def _referral_count(referral_id: int) -> tuple:
    db.session.expire_all()
    referral = db.session.get(Referral, referral_id)
    events = db.session.scalar(
        sa.select(sa.func.count(Event.id)).where(
            Event.subject_type == "referral", Event.subject_id == referral_id
        )
    )
    return (
        referral.state,
        events,
        db.session.scalar(sa.select(sa.func.count(AccountabilityCase.id))),
    )


def _referral(acc_org) -> Referral:
    referral = create_referral(
        {"staff": str(acc_org["staff"]["王某某"].id), "summary": "超期。"},
        acc_org["users"]["inspector"],
    )
    db.session.commit()
    return referral


REFERRAL_STEPS = {"accept": {}, "decline": {"reason": "证据不足"}}


def _read_expected(username: str) -> int:
    """Referrals and inspections belong to the office: its staff 200, other offices 404."""
    if username in OFFICE:
        return 200
    return 404 if username == "town_inspector" else 403


@pytest.mark.parametrize("step", list(REFERRAL_STEPS))
def test_referral_steps_per_role(client, acc_org, people, step):
    tokens = {name: create_token(user) for name, user in people.items()}
    db.session.commit()
    for username in USERS:
        referral = _referral(acc_org)
        before = _referral_count(referral.id)
        headers = {"Authorization": f"Bearer {tokens[username]}"}
        assert client.get(f"/api/v1/referrals/{referral.id}", headers=headers).status_code == (
            _read_expected(username)
        )
        r = client.post(
            f"/api/v1/referrals/{referral.id}/{step}", json=REFERRAL_STEPS[step], headers=headers
        )
        want = _read_expected(username)
        assert r.status_code == want, (username, r.status_code, r.json)
        if want != 200:
            assert _referral_count(referral.id) == before, username
        else:
            assert _referral_count(referral.id)[0] != "pending"
        # The same on the web, on a fresh referral.
        referral = _referral(acc_org)
        before = _referral_count(referral.id)
        login(client, username)
        r = client.post(
            f"/accountability/referrals/{referral.id}/{step}", data=REFERRAL_STEPS[step]
        )
        assert r.status_code == (303 if want == 200 else want), (username, r.status_code)
        if want != 200:
            assert _referral_count(referral.id) == before, username
        client.post("/logout")


def test_creating_a_referral_per_role(client, acc_org, people):
    tokens = {name: create_token(user) for name, user in people.items()}
    db.session.commit()
    for username in USERS:
        count = db.session.scalar(sa.select(sa.func.count(Referral.id)))
        r = client.post(
            "/api/v1/referrals",
            json={"unit_code": "CC-RSJ", "summary": "督促不力。"},
            headers={"Authorization": f"Bearer {tokens[username]}"},
        )
        inspector = username in OFFICE or username == "town_inspector"
        assert r.status_code == (201 if inspector else 403), (username, r.json)
        # Whoever enters it, it goes to the office that decides about the unit.
        if inspector:
            assert r.json["organ"]["code"] == "CC-JW"
        assert db.session.scalar(sa.select(sa.func.count(Referral.id))) == count + inspector


def _csrf(client, path: str) -> str:
    html = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)


INSPECTION = {"held_on": "2026-03-02", "place": "县政务服务中心", "team": "周监察"}
FINDING = {"kind": "person", "unit_code": "CC-RSJ", "text": "离岗。"}


def _inspections() -> tuple:
    db.session.expire_all()
    return (
        db.session.scalar(sa.select(sa.func.count(Inspection.id))),
        db.session.scalar(sa.select(sa.func.count(Referral.id))),
        db.session.scalar(sa.select(sa.func.count(Event.id))),
    )


def test_inspections_per_role(client, acc_org, people):
    tokens = {name: create_token(user) for name, user in people.items()}
    db.session.commit()
    inspection = record_inspection(INSPECTION, people["inspector"])
    db.session.commit()
    finding = {**FINDING, "staff": str(acc_org["staff"]["王某某"].id)}
    for username in USERS:
        headers = {"Authorization": f"Bearer {tokens[username]}"}
        inspector = username in OFFICE or username == "town_inspector"
        before = _inspections()
        r = client.post("/api/v1/inspections", json=INSPECTION, headers=headers)
        assert r.status_code == (201 if inspector else 403), (username, r.json)
        if inspector:
            assert r.json["organ"]["code"] == people[username].unit.code
        else:
            assert _inspections() == before
        want = _read_expected(username)
        r = client.get(f"/api/v1/inspections/{inspection.id}", headers=headers)
        assert r.status_code == want, username
        before = _inspections()
        r = client.post(
            f"/api/v1/inspections/{inspection.id}/findings", json=finding, headers=headers
        )
        assert r.status_code == (201 if want == 200 else want), (username, r.json)
        if want != 200:
            assert _inspections() == before
        # The web: the page and its two forms.
        login(client, username)
        page = client.get("/accountability/inspections/new")
        assert page.status_code == (200 if inspector else 403), username
        if inspector:
            token = _csrf(client, "/accountability/inspections/new")
            r = client.post(
                "/accountability/inspections/new", data={**INSPECTION, "csrf_token": token}
            )
            assert r.status_code == 303, username
        before = _inspections()
        r = client.post(
            f"/accountability/inspections/{inspection.id}/findings",
            data={**finding, "csrf_token": token if inspector else ""},
        )
        assert r.status_code == (303 if want == 200 else want), (username, r.status_code)
        if want != 200:
            assert _inspections() == before
        client.post("/logout")
