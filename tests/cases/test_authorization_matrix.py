"""Every case action for every role, on the actor's own unit and another: web and API.

Each row names the users who may do the action on a case prepared for it. Everyone
else is refused: 404 where they may not see the case, 403 where they may see it.
"""

import pytest
import sqlalchemy as sa

from app.auth.models import Role
from app.auth.services import create_token, create_user
from app.cases.models import Case
from app.cases.workflow import ACTIONS
from app.core.trail import Event
from app.extensions import db
from tests.conftest import STEPS, complaint, login

CENTER = {"operator", "center_lead"}
RSJ = {"handler", "unit_lead"}  # the lead unit
USERS = [
    "operator",
    "center_lead",
    "handler",
    "unit_lead",
    "handler2",
    "unit_lead2",
    "station",
    "inspector",
    "leader",
    "admin",
]

# action -> (steps to prepare the case, data, who may)
MATRIX = {
    "screen": (None, {}, CENTER),
    "classify": ((), {"respondent_unit_code": "CC-RSJ", "category_code": "sloth"}, CENTER),
    "dispatch": ((), {"unit_code": "CC-RSJ"}, CENTER),
    "reject": ((), {"reason": "不属于受理范围"}, CENTER),
    "merge": ((), {"case_number": "ORIGINAL"}, CENTER),
    "invalidate": ((), {"reason": "广告"}, CENTER),
    "resolve_directly": ((), {"text": "已当场答复"}, CENTER),
    "sign": (("dispatch",), {}, RSJ),
    "request_return": (("dispatch",), {"reason": "不属于本单位"}, RSJ),
    "reply": (("dispatch", "sign"), {"text": "已办结", "finding": "substantiated"}, RSJ),
    "sign_off": (("dispatch", "sign", "draft_reply"), {"approve": True}, {"unit_lead"}),
    "request_extension": (("dispatch", "sign"), {"days": 3, "reason": "需核查"}, RSJ),
    "decide_extension": (("dispatch", "sign", "extension"), {"approve": True}, CENTER),
    "sub_dispatch": (("dispatch", "sign"), {"unit_code": "CC-CGZ-SBS"}, RSJ),
    "sub_reply": (("dispatch", "sign", "pass_down"), {"text": "已核实"}, {"station"}),
    "contribute": (("dispatch_with_assist",), {"text": "协办意见"}, {"handler2", "unit_lead2"}),
    "decide_return": (
        ("dispatch", "request_return"),
        {"approve": False, "note": "属你单位"},
        CENTER,
    ),
    "review": (("dispatch", "sign", "reply"), {"pass": True}, CENTER),
    "visit": (
        ("dispatch", "sign", "reply", "review"),
        {"satisfaction": "satisfied", "resolved": "yes"},
        CENTER,
    ),
    "reopen": (
        ("dispatch", "sign", "reply", "review", "visit"),
        {"reason": "新证据"},
        {"center_lead"},
    ),
    "comment": (("dispatch",), {"text": "请尽快办理"}, CENTER | RSJ),
    # Only whoever asked (the handler, in these steps) takes a request back.
    "withdraw_extension": (("dispatch", "sign", "extension"), {}, {"handler"}),
    "withdraw_return": (("dispatch", "request_return"), {}, {"handler"}),
    "answer_order": (("dispatch", "red_card"), {"text": "已按督办要求整改"}, RSJ),
    "report_rectification": (
        ("dispatch", "sign", "reply", "review_with_rectification"),
        {"text": "已整改到位"},
        RSJ,
    ),
}
EXTRA_STEPS = {
    "review_with_rectification": ("operator", "review", {"pass": True, "rectify_days": 10}),
    "extension": ("handler", "request_extension", {"days": 3, "reason": "需核查"}),
    "pass_down": ("handler", "sub_dispatch", {"unit_code": "CC-CGZ-SBS"}),
    "dispatch_with_assist": (
        "operator",
        "dispatch",
        {"unit_code": "CC-RSJ", "assist_unit_codes": ["CC-ZJJ"]},
    ),
}


def test_matrix_covers_every_action():
    assert set(MATRIX) == set(ACTIONS)


@pytest.fixture
def people(org):
    users = dict(org["users"])
    users["unit_lead2"] = create_user(
        "unit_lead2", "住建局长", "demo1234", [Role.UNIT_LEAD], org["units"]["CC-ZJJ"]
    )
    users["station"] = create_user(
        "station", "社保所承办", "demo1234", [Role.HANDLER], org["units"]["CC-CGZ-SBS"]
    )
    db.session.commit()
    return users


def prepare(people, action) -> Case:
    from app.cases.actions import perform_action
    from app.intake.services import register_case

    steps = MATRIX[action][0]
    if steps is None:
        case = register_case(complaint(channel="web"), None, screen_now=False)
    else:
        case = register_case(complaint(), people["operator"])
        for step in steps:
            if step == "red_card":  # a month passes unsigned: the sweep issues an order
                from datetime import timedelta

                from app.core.types import utcnow
                from app.supervision.sweep import run_sweep

                run_sweep(utcnow() + timedelta(days=30))
                continue
            if step in EXTRA_STEPS:
                username, real_action, step_data = EXTRA_STEPS[step]
            else:
                username, step_data = STEPS[step]
                real_action = {"draft_reply": "reply"}.get(step, step)
            perform_action(case, real_action, people[username], dict(step_data))
    db.session.commit()
    return case


def payload(people, action, case) -> dict:
    data = dict(MATRIX[action][1])
    if data.get("case_number") == "ORIGINAL":
        original = prepare(people, "classify")
        data["case_number"] = original.number
    return data


def visible_to(username: str, case: Case) -> bool:
    if username in {"operator", "center_lead", "inspector", "leader"}:
        return True
    if username == "admin":
        return False
    units = {a.unit.code for a in case.active_assignments}
    return {
        "handler": "CC-RSJ",
        "unit_lead": "CC-RSJ",
        "handler2": "CC-ZJJ",
        "unit_lead2": "CC-ZJJ",
        "station": "CC-CGZ-SBS",
    }[username] in units


def trail(case_id):
    db.session.expire_all()
    return db.session.scalar(
        sa.select(sa.func.count(Event.id)).where(
            Event.subject_type == "case", Event.subject_id == case_id
        )
    )


@pytest.mark.parametrize("action", list(MATRIX))
def test_api_authorization(client, people, action):
    allowed = MATRIX[action][2]
    tokens = {name: create_token(user) for name, user in people.items()}
    db.session.commit()
    for username in USERS:
        case = prepare(people, action)
        data = payload(people, action, case)
        before = trail(case.id)
        r = client.post(
            f"/api/v1/cases/{case.id}/actions/{action}",
            json=data,
            headers={"Authorization": f"Bearer {tokens[username]}"},
        )
        if username in allowed:
            assert r.status_code == 200, (username, r.json)
            assert trail(case.id) > before
        else:
            expected = 403 if visible_to(username, case) else 404
            assert r.status_code == expected, (username, r.status_code, r.json)
            assert trail(case.id) == before


@pytest.mark.parametrize("action", list(MATRIX))
def test_web_authorization(client, people, action):
    allowed = MATRIX[action][2]
    # The web form names the decision like the API; its buttons say which way.
    form_data = {
        "approve": {"approve": "approve"},
        "pass": {"pass": "pass"},
    }
    for username in USERS:
        case = prepare(people, action)
        data = payload(people, action, case)
        for key in ("approve", "pass"):
            if key in data:
                data.pop(key)
                data.update(form_data[key])
        if "assist_unit_codes" in data:
            data["assist_unit_codes"] = data["assist_unit_codes"][0]
        before = trail(case.id)
        login(client, username)
        r = client.post(f"/cases/{case.id}/{action}", data=data)
        if username in allowed:
            assert r.status_code == 303, (username, r.status_code)
            assert trail(case.id) > before, username
        else:
            expected = 403 if visible_to(username, case) or username == "admin" else 404
            assert r.status_code == expected, (username, r.status_code)
            assert trail(case.id) == before
        client.post("/logout")
