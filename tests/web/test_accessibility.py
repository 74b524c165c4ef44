"""Every main page, parsed: ids are unique, every box has a label, labels point somewhere.

The case page is read in the state each action needs, by every role that may see it,
and once with a refused form on it (errors tied to their fields).
"""

import pytest

from app.cases.workflow import ACTIONS
from tests.cases.test_authorization_matrix import USERS, people, prepare  # noqa: F401
from tests.conftest import login
from tests.htmlpage import accessibility_problems, controls, parse
from tests.mailbox.test_triage import triage_message

STAFF_PAGES = {
    "operator": [
        "/cases",
        "/cases?state=all&q=社保",
        "/intake/hotline",
        "/intake/letter",
        "/mailbox/triage",
        "/supervision/board",
        "/inbox",
        "/account/away",
        "/deadlines/calculator",
    ],
    "handler": ["/cases", "/account/away", "/inbox"],
    "unit_lead": ["/cases"],
    "inspector": [
        "/cases",
        "/supervision/board",
        "/accountability",
        "/accountability?tab=all",
        "/accountability?tab=deadlines",
        "/accountability/referrals/new",
        "/accountability/inspections/new",
        "/accountability/records/units/1",
    ],
    "leader": ["/accountability", "/accountability/records/units/3"],  # 3: 澄川县
    "admin": [
        "/admin/units",
        "/admin/units/new",
        "/admin/categories",
        "/admin/categories/new",
        "/admin/routing",
        "/admin/routing/new",
        "/admin/calendar",
        "/admin/calendar/enter?year=2027",
        "/admin/calendar/day/2026-03-03",
        "/admin/staff",
        "/admin/staff?state=pending",
        "/admin/staff/new",
        "/admin/staff/pending",
        "/admin/staff/import",
        "/admin/legal-bases",
        "/admin/legal-bases/new",
        "/admin/accumulation-rules",
        "/admin/accumulation-rules/new",
    ],
}
PUBLIC_PAGES = ["/login", "/public/complaints/new", "/public/track"]


def assert_accessible(html: str, where: str) -> None:
    problems = accessibility_problems(html)
    assert not problems, f"{where}: {problems}"


def test_the_checks_catch_what_they_look_for():
    html = """<main id="main"><form><input name="q" id="q"><input name="q2" id="q">
      <label for="gone">x</label><select name="s"></select>
      <div class="error">bad</div></form></main>"""
    problems = accessibility_problems(html)
    assert "id 'q' appears 2 times" in problems
    assert "label for='gone' ('x') points at nothing" in problems
    assert "select 's' has no label" in problems
    assert "input 'q' has no label" in problems
    assert "error 'bad' has no id to be tied to a field" in problems


@pytest.mark.parametrize("username", sorted(STAFF_PAGES))
def test_staff_pages(client, people, username):  # noqa: F811
    prepare(people, "reply")  # something on the worklists
    triage_message()  # and in the triage queue
    login(client, username)
    for url in STAFF_PAGES[username]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert_accessible(response.get_data(as_text=True), url)


def test_public_pages(client, org):
    for url in PUBLIC_PAGES:
        response = client.get(url)
        assert response.status_code == 200, url
        assert_accessible(response.get_data(as_text=True), url)


@pytest.mark.parametrize("action", sorted(ACTIONS))
def test_the_case_page_in_the_state_of_each_action_for_every_role(
    client,
    people,  # noqa: F811
    action,
):
    case = prepare(people, action)
    seen = 0
    for username in USERS:
        client.post("/logout")
        login(client, username)
        response = client.get(f"/cases/{case.id}")
        if response.status_code in (403, 404):
            continue
        assert response.status_code == 200
        html = response.get_data(as_text=True)
        assert_accessible(html, f"{action} as {username}")
        seen += 1
    assert seen >= 2


def test_skip_link_and_landmark(client, org):
    login(client, "operator")
    root = parse(client.get("/cases").get_data(as_text=True))
    first_link = root.find("a")
    assert first_link.get("href") == "#main" and first_link.text == "跳到主要内容"
    assert root.find("main", id="main") is not None


def test_search_boxes_have_labels(client, people):  # noqa: F811
    prepare(people, "dispatch")
    login(client, "operator")
    root = parse(client.get("/cases").get_data(as_text=True))
    search = root.find("input", name="q")
    label = root.find("label", for_=search.get("id"))
    assert label is not None and label.text.strip()


def test_required_fields_say_so(client, people):  # noqa: F811
    case = prepare(people, "reply")
    login(client, "unit_lead")
    root = parse(client.get(f"/cases/{case.id}").get_data(as_text=True))
    reply = root.find("form", action=f"/cases/{case.id}/reply")
    text = reply.find("textarea", name="text")
    assert "required" in text.attrs and text.get("aria-required") == "true"
    assert all("required" in r.attrs for r in reply.find_all("input", name="finding"))
    comment = root.find("form", action=f"/cases/{case.id}/comment")
    assert [c.get("id") for c in controls(comment)] == ["comment-text"]
    request_return = root.find("form", action=f"/cases/{case.id}/request_return")
    picker = request_return.find("select", name="suggested_unit_code")
    assert "required" not in picker.attrs  # optional stays optional


def test_a_refused_form_ties_its_error_to_the_field(client, people):  # noqa: F811
    case = prepare(people, "request_return")
    login(client, "handler")
    response = client.post(
        f"/cases/{case.id}/request_return", data={"reason": "", "version": case.version}
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert_accessible(html, "refused return request")
    root = parse(html)
    reason = root.find("textarea", id="request_return-reason")
    assert reason.get("aria-invalid") == "true"
    assert reason.get("aria-describedby") == "request_return-reason-error"
    assert root.find("div", id="request_return-reason-error").text == "此项为必填项。"
    # The 退单理由 label is this box's, not the extension request's.
    label = root.find("label", for_="request_return-reason")
    assert label.text == "退单理由（为何不属于本单位办理）"
