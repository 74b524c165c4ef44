"""End-to-end over the API: return, extension, sub-dispatch, sign-off and AB backup,
each leaving its events on the case's timeline."""

from datetime import timedelta

import pytest

from app.auth.models import Role
from app.auth.services import create_token, create_user
from app.cases.actions import perform_action
from app.cases.models import Case
from app.core.types import utcnow
from app.extensions import db
from tests.conftest import complaint


@pytest.fixture
def api(client, org):
    station = create_user(
        "station", "社保所承办", "demo1234", [Role.HANDLER], org["units"]["CC-CGZ-SBS"]
    )
    users = {**org["users"], "station": station}
    tokens = {name: create_token(user) for name, user in users.items()}
    db.session.commit()

    def call(user, method, path, **kwargs):
        r = client.open(
            f"/api/v1{path}",
            method=method,
            headers={"Authorization": f"Bearer {tokens[user]}"},
            **kwargs,
        )
        return r

    def act(user, case_id, action, **body):
        r = call(user, "POST", f"/cases/{case_id}/actions/{action}", json=body)
        assert r.status_code == 200, (action, r.json)
        return r.json

    call.act = act
    return call


def new_case(api) -> int:
    case_id = api("operator", "POST", "/cases", json=complaint()).json["id"]
    api.act("operator", case_id, "dispatch", unit_code="CC-RSJ")
    return case_id


def timeline(api, case_id) -> list[str]:
    return [e["action"] for e in api("operator", "GET", f"/cases/{case_id}").json["events"]]


def test_return_walkthrough(api):
    case_id = new_case(api)
    api.act(
        "handler", case_id, "request_return", reason="应由乡镇办理", suggested_unit_code="CC-CGZ"
    )
    detail = api.act("operator", case_id, "decide_return", approve=True, note="")
    assert detail["state"] == "screening"
    assert api("handler", "GET", f"/cases/{case_id}").status_code == 404
    api.act(
        "operator",
        case_id,
        "dispatch",
        unit_code="CC-CGZ",
        override_reason="退单改派",
        confirm_no_signer=True,  # nobody at 城关镇 uses the system yet
    )
    assert timeline(api, case_id)[-3:] == ["request_return", "decide_return", "dispatch"]


def handle_due(clocks) -> str:
    return next(c["due_at"] for c in clocks if c["kind"] == "handle")


def test_extension_walkthrough(api):
    case_id = new_case(api)
    api.act("handler", case_id, "sign")
    clocks = api("operator", "GET", f"/cases/{case_id}").json["clocks"]
    before = handle_due(clocks)
    api.act("handler", case_id, "request_extension", days=5, reason="需现场核查")
    detail = api.act("operator", case_id, "decide_extension", approve=True, note="")
    after = handle_due(detail["clocks"])
    assert after > before
    assert timeline(api, case_id)[-2:] == ["request_extension", "decide_extension"]
    r = api(
        "handler",
        "POST",
        f"/cases/{case_id}/actions/request_extension",
        json={"days": "many", "reason": "x"},
    )
    assert r.status_code == 422 and "days" in r.json["fields"]


def test_sub_dispatch_walkthrough(api):
    case_id = new_case(api)
    api.act("handler", case_id, "sign")
    api.act("handler", case_id, "sub_dispatch", unit_code="CC-CGZ-SBS", note="请核实")
    seen = api("station", "GET", f"/cases/{case_id}").json
    assert seen["allowed_actions"] == ["sub_reply", "comment"]
    api.act("station", case_id, "sub_reply", text="已核实")
    assert (
        api(
            "station",
            "POST",
            f"/cases/{case_id}/actions/reply",
            json={"text": "x", "finding": "substantiated"},
        ).status_code
        == 403
    )
    detail = api.act(
        "unit_lead", case_id, "reply", text="综合下级意见答复", finding="substantiated"
    )
    assert detail["state"] == "replied"
    assert timeline(api, case_id)[-3:] == ["sub_dispatch", "sub_reply", "reply"]


def test_sign_off_walkthrough(api):
    case_id = new_case(api)
    api.act("handler", case_id, "sign")
    api.act("handler", case_id, "reply", text="初稿", finding="substantiated")
    api.act("unit_lead", case_id, "sign_off", approve=False, note="请补充")
    api.act("handler", case_id, "reply", text="修改稿", finding="substantiated")
    detail = api.act("unit_lead", case_id, "sign_off", approve=True)
    assert detail["state"] == "replied"
    assert timeline(api, case_id)[-4:] == ["reply", "sign_off", "reply", "sign_off"]


def test_ab_backup_walkthrough(api, org):
    lead, handler = org["users"]["unit_lead"], org["users"]["handler"]
    lead.backup_user_id = handler.id
    lead.away_until = utcnow() + timedelta(days=2)
    db.session.commit()
    own_case = new_case(api)
    api.act("handler", own_case, "sign")
    api.act("handler", own_case, "reply", text="初稿", finding="substantiated")
    # The backup may not decide on the draft they wrote themselves, stand-in or not.
    path = f"/cases/{own_case}/actions/sign_off"
    assert api("handler", "POST", path, json={"approve": True}).status_code == 403
    assert "sign_off" not in api("handler", "GET", f"/cases/{own_case}").json["allowed_actions"]
    case_id = new_case(api)
    api.act("handler", case_id, "sign")
    clerk = create_user("clerk", "钱七", "demo1234", [Role.HANDLER], org["units"]["CC-RSJ"])
    draft = {"text": "同事起草", "finding": "substantiated"}
    perform_action(db.session.get(Case, case_id), "reply", clerk, draft)
    db.session.commit()
    # The unit lead is away: the handler, their backup, signs off a colleague's draft.
    detail = api.act("handler", case_id, "sign_off", approve=True)
    assert detail["state"] == "replied"
    event = detail["events"][-1]
    assert event["action"] == "sign_off" and event["actor"] == "handler"
    assert event["acting_for"] == "unit_lead"


def test_routing_suggest(api):
    r = api(
        "operator", "GET", "/routing/suggest?respondent_unit_code=CC-SQX-LC&category_code=sloth"
    )
    assert r.status_code == 200
    assert r.json["unit_code"] == "CC-SQX" and r.json["relation"] == "parent"
    assert r.json["rule"]["position"] == 30 and "CC" not in r.json["explanation"][:0]
    bad = api("operator", "GET", "/routing/suggest?respondent_unit_code=NOPE&category_code=x")
    assert bad.status_code == 422
    assert set(bad.json["fields"]) == {"respondent_unit_code", "category_code"}
    assert api("handler", "GET", "/routing/suggest").status_code == 403
