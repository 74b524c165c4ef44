"""Irreversible actions ask first; an approved return offers the unit the returning unit named.

In the browser the question is a dialog (static/confirm.js, tests/e2e); here the page
without its script: a form sent with its ``confirmed`` field still empty gets a page that
asks, and only its "确定" does the deed.
"""

import pytest
import sqlalchemy as sa

from app.cases.models import Case
from app.cases.workflow import ACTIONS
from app.core.trail import Event
from app.extensions import db
from app.mailbox.models import InboundMessage
from app.routing.models import RoutingRule
from app.units.services import get_unit_by_code
from tests.cases.test_authorization_matrix import payload, people, prepare  # noqa: F401
from tests.conftest import login
from tests.factories import create_user
from tests.htmlpage import error_beside, form_for, parse, value_of
from tests.mailbox.test_triage import triage_message

# action -> (who, the state it leaves the case in, words the question must say)
IRREVERSIBLE = {
    "merge": ("operator", "merged", ["合并后本件", "将关闭并并入 {case_number}", "不可撤销"]),
    "reject": ("operator", "not_accepted", ["不予受理", "不可撤销"]),
    "invalidate": ("operator", "invalid", ["无效", "不可撤销"]),
    "resolve_directly": ("operator", "closed", ["直接办结", "不可撤销"]),
    "reopen": ("center_lead", "screening", ["重新打开", "不可撤销"]),
}


def trail_length(case_id: int) -> int:
    return db.session.scalar(
        sa.select(sa.func.count(Event.id)).where(
            Event.subject_type == "case", Event.subject_id == case_id
        )
    )


def state_of(case_id: int) -> str:
    db.session.expire_all()
    return db.session.get(Case, case_id).state


@pytest.mark.parametrize("action", sorted(IRREVERSIBLE))
def test_an_irreversible_action_asks_first(client, people, action):  # noqa: F811
    username, after, words = IRREVERSIBLE[action]
    case = prepare(people, action)
    before, trail = case.state, trail_length(case.id)
    login(client, username)
    root = parse(client.get(f"/cases/{case.id}").get_data(as_text=True))
    form = form_for(root, f"/{action}")
    question = form.get("data-confirm")
    assert case.number in question and all(w in question for w in words), question
    assert value_of(form, "confirmed") == ""

    data = {**payload(people, action, case), "version": case.version, "confirmed": ""}
    response = client.post(f"/cases/{case.id}/{action}", data=data)
    assert response.status_code == 200
    assert state_of(case.id) == before and trail_length(case.id) == trail
    page = parse(response.get_data(as_text=True))
    asked = page.find("p", id="confirm-question").text
    if action == "merge":
        assert f"将关闭并并入 {data['case_number']}，不可撤销" in asked
    again = page.find("form", action=f"/cases/{case.id}/{action}")
    assert value_of(again, "confirmed") == "1"
    assert page.find("a", id="confirm-page-cancel").get("href") == f"/cases/{case.id}"
    resent = {n.get("name"): n.get("value") for n in again.find_all("input") if n.get("name")}
    assert {k: v for k, v in resent.items() if k not in {"csrf_token", "confirmed"}} == {
        k: str(v) for k, v in data.items() if k != "confirmed"
    }

    response = client.post(f"/cases/{case.id}/{action}", data=resent)
    assert response.status_code == 303
    assert state_of(case.id) == after


def test_a_bad_field_is_named_before_anything_is_asked(client, people):  # noqa: F811
    case = prepare(people, "reject")
    login(client, "operator")
    response = client.post(
        f"/cases/{case.id}/reject",
        data={"reason": "", "advice": "请向法院起诉", "version": case.version, "confirmed": ""},
    )
    assert response.status_code == 422
    form = form_for(parse(response.get_data(as_text=True)), "/reject")
    assert value_of(form, "advice") == "请向法院起诉"
    assert value_of(form, "confirmed") == ""  # and it will ask once the reason is there
    assert state_of(case.id) == "screening"


def test_a_field_only_the_web_requires_is_named_before_anything_is_asked(
    client,
    people,  # noqa: F811
):
    case = prepare(people, "merge")  # the API may name the original by id instead
    login(client, "operator")
    response = client.post(
        f"/cases/{case.id}/merge",
        data={"case_number": "", "version": case.version, "confirmed": ""},
    )
    assert response.status_code == 422
    form = form_for(parse(response.get_data(as_text=True)), "/merge")
    assert error_beside(form, "case_number")
    assert state_of(case.id) == "screening"


def test_nobody_is_asked_about_what_they_may_not_do(client, people):  # noqa: F811
    case = prepare(people, "reopen")
    login(client, "operator")  # reopening is the center lead's
    response = client.post(
        f"/cases/{case.id}/reopen",
        data={"reason": "新证据", "version": case.version, "confirmed": ""},
    )
    assert response.status_code == 403
    assert state_of(case.id) == "closed"


def test_everyday_actions_do_not_ask(client, people):  # noqa: F811
    case = prepare(people, "dispatch")
    login(client, "operator")
    root = parse(client.get(f"/cases/{case.id}").get_data(as_text=True))
    asking = {
        f.get("action").rsplit("/", 1)[1]
        for f in root.find_all("form")
        if f.get("data-confirm") is not None
    }
    assert asking == {"merge", "reject", "invalidate", "resolve_directly"}
    assert set(IRREVERSIBLE) <= set(ACTIONS)


def test_deleting_a_routing_rule_asks_first(client, org):
    rule = db.session.scalar(sa.select(RoutingRule).order_by(RoutingRule.position))
    rule_id = rule.id
    login(client, "admin")
    root = parse(client.get("/admin/routing").get_data(as_text=True))
    form = form_for(root, f"/routing/{rule.id}/delete")
    assert rule.name in form.get("data-confirm") and "不可恢复" in form.get("data-confirm")
    response = client.post(f"/admin/routing/{rule.id}/delete", data={"confirmed": ""})
    assert response.status_code == 200
    asked = parse(response.get_data(as_text=True)).find("p", id="confirm-question").text
    assert "不可恢复" in asked
    db.session.expire_all()
    assert db.session.get(RoutingRule, rule_id) is not None
    response = client.post(f"/admin/routing/{rule_id}/delete", data={"confirmed": "1"})
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(RoutingRule, rule_id) is None


def test_discarding_mail_asks_first(client, org):
    inbound = triage_message()
    login(client, "operator")
    root = parse(client.get("/mailbox/triage").get_data(as_text=True))
    form = form_for(root, f"/{inbound.id}/discard")
    assert "不可撤销" in form.get("data-confirm")
    response = client.post(f"/mailbox/triage/{inbound.id}/discard", data={"confirmed": ""})
    assert response.status_code == 200
    db.session.expire_all()
    assert db.session.get(InboundMessage, inbound.id).status == "triage"
    response = client.post(f"/mailbox/triage/{inbound.id}/discard", data={"confirmed": "1"})
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(InboundMessage, inbound.id).status != "triage"


def test_merging_a_repeat_call_asks_first(client, make_case):
    original = make_case()
    login(client, "operator")
    html = client.get(
        "/intake/duplicates", query_string={"phone": "13812345678", "title": original.title}
    ).get_data(as_text=True)
    button = parse(html).find("button", value=str(original.id))
    assert f"并入 {original.number}" in button.get("data-confirm")


# An approved return (退单审批)


def returned(make_case, org, suggested: str | None) -> Case:
    from app.cases.actions import perform_action

    case = make_case("dispatch")
    data = {"reason": "应由乡镇办理"}
    if suggested:
        data["suggested_unit_code"] = suggested
        # Somebody there signs, so that the dispatch is not held for the no-signer warning.
        create_user(unit=get_unit_by_code(suggested))
    perform_action(case, "request_return", org["users"]["handler"], data)
    perform_action(case, "decide_return", org["users"]["operator"], {"approve": True})
    db.session.commit()
    return case


def test_the_return_decision_says_which_unit_will_be_offered(client, make_case, org):
    from app.cases.actions import perform_action

    case = make_case("dispatch")
    data = {"reason": "应由乡镇办理", "suggested_unit_code": "CC-CGZ"}
    perform_action(case, "request_return", org["users"]["handler"], data)
    db.session.commit()
    login(client, "operator")
    root = parse(client.get(f"/cases/{case.id}").get_data(as_text=True))
    said = root.find("p", id="return-suggestion").text
    assert "应由乡镇办理" in said and "默认改派其建议的澄川县城关镇人民政府" in said


def dispatch_form(client, case):
    login(client, "operator")
    root = parse(client.get(f"/cases/{case.id}").get_data(as_text=True))
    return root, form_for(root, "/dispatch")


def test_an_approved_return_offers_the_unit_the_returning_unit_named(client, make_case, org):
    case = returned(make_case, org, "CC-CGZ")
    root, form = dispatch_form(client, case)
    assert value_of(form, "unit_code") == "CC-CGZ"
    suggestion = root.find("p", id="routing-suggestion").text
    assert "澄川县人力资源和社会保障局" in suggestion and "澄川县城关镇人民政府" in suggestion
    # Taking what is offered needs no reason: it is the suggestion.
    response = client.post(
        f"/cases/{case.id}/dispatch", data={"unit_code": "CC-CGZ", "version": case.version}
    )
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    db.session.expire_all()
    case = db.session.get(Case, case.id)
    assert case.lead_assignment.unit.code == "CC-CGZ"
    assert case.events[-1].data["suggested_unit_code"] == "CC-CGZ"


def test_sending_it_back_to_the_unit_that_returned_it_needs_a_reason(client, make_case, org):
    case = returned(make_case, org, "CC-CGZ")
    login(client, "operator")
    response = client.post(
        f"/cases/{case.id}/dispatch", data={"unit_code": "CC-RSJ", "version": case.version}
    )
    assert response.status_code == 422
    assert state_of(case.id) == "screening"


def test_without_a_named_unit_the_returning_unit_is_not_offered(client, make_case, org):
    case = returned(make_case, org, None)
    _root, form = dispatch_form(client, case)
    assert value_of(form, "unit_code") in ("", None)


def test_after_the_next_dispatch_the_router_speaks_again(client, make_case, org):
    from app.cases.actions import perform_action
    from app.cases.services import approved_return

    case = returned(make_case, org, "CC-CGZ")
    assert approved_return(case) is not None
    perform_action(case, "dispatch", org["users"]["operator"], {"unit_code": "CC-CGZ"})
    db.session.commit()
    assert approved_return(case) is None
