"""A staff form refused for one field comes back with everything typed and the error beside it.

Every case action, the intake forms, the administration forms and the away page: the
answer is 422, the page shows the form again with each value as it was typed, and the
message sits in the field's own block, tied to the box for screen readers.
"""

import pytest
import sqlalchemy as sa

from app.cases.inputs import TEXT_MAX
from app.cases.models import Case
from app.cases.specs import REPLY_MAX
from app.cases.workflow import ACTIONS
from app.core.trail import Event
from app.extensions import db
from app.routing.models import RoutingRule
from app.units.models import Unit
from tests.cases.test_authorization_matrix import people, prepare  # noqa: F401
from tests.conftest import login
from tests.htmlpage import error_beside, form_for, parse, value_of

LONG_REPLY = "经核查，" + "窗口人员未按一次性告知要求说明所需材料，" * 30  # 600+ characters
TOO_LONG = "字" * (TEXT_MAX + 1)
REPLY_TOO_LONG = "字" * (REPLY_MAX + 1)

# action -> (who acts, what is posted, the field refused, what that field says)
REFUSED = {
    "classify": (
        "operator",
        {
            "respondent_unit_code": "CC-ZJJ",
            "category_code": "",
            "subject_kind": "staff",
            "respondent_staff": "3号窗口 王某",
            "urgency": "urgent",
        },
        "category_code",
        "此项为必填项。",
    ),
    "dispatch": (
        "operator",
        {
            "unit_code": "",
            "override_reason": "原单位已撤并",
            "assist_unit_codes": ["CC-ZJJ", "CC-SCJGJ"],
            "note": "请五个工作日内反馈核查情况。",
        },
        "unit_code",
        "此项为必填项。",
    ),
    "reject": (
        "operator",
        {"reason": "", "advice": "请向县人民法院提起诉讼。"},
        "reason",
        "此项为必填项。",
    ),
    "merge": ("operator", {"case_number": "CC1999-000001"}, "case_number", "该投诉件不存在。"),
    "invalidate": ("operator", {"reason": TOO_LONG}, "reason", None),
    "resolve_directly": ("operator", {"text": REPLY_TOO_LONG}, "text", None),
    "request_return": (
        "handler",
        {"reason": "", "suggested_unit_code": "CC-CGZ"},
        "reason",
        "此项为必填项。",
    ),
    "reply": (
        "unit_lead",
        {"finding": "", "text": LONG_REPLY},
        "finding",
        "此项为必填项。",
    ),
    "sign_off": ("unit_lead", {"approve": "", "note": "请补充附件"}, "approve", "此项为必填项。"),
    "request_extension": (
        "handler",
        {"days": "", "reason": "需要现场核查并调取监控录像"},
        "days",
        "此项为必填项。",
    ),
    "decide_extension": (
        "operator",
        {"approve": "", "note": "同意，但请按期办结"},
        "approve",
        "此项为必填项。",
    ),
    "sub_dispatch": (
        "handler",
        {"unit_code": "", "note": "请社保所核实窗口情况"},
        "unit_code",
        "此项为必填项。",
    ),
    "sub_reply": ("station", {"text": REPLY_TOO_LONG}, "text", None),
    "contribute": ("handler2", {"text": REPLY_TOO_LONG}, "text", None),
    "decide_return": (
        "operator",
        {"approve": "", "note": "请城关镇政府办理"},
        "approve",
        "此项为必填项。",
    ),
    "review": (
        "operator",
        {
            "pass": "",
            "note": "答复完整",
            "public_reply": "经核查，您反映的问题属实，已责令整改。",
            "rectify_days": "10",
        },
        "pass",
        "此项为必填项。",
    ),
    "visit": (
        "operator",
        {"satisfaction": "", "resolved": "partly", "method": "sms", "note": "投诉人称基本解决"},
        "satisfaction",
        "此项为必填项。",
    ),
    "reopen": ("center_lead", {"reason": TOO_LONG}, "reason", None),
    "comment": ("operator", {"text": TOO_LONG}, "text", None),
    "answer_order": ("handler", {"text": REPLY_TOO_LONG}, "text", None),
    "report_rectification": ("handler", {"text": REPLY_TOO_LONG}, "text", None),
}
NO_FIELDS = {"screen", "sign", "withdraw_extension", "withdraw_return"}
# Rules across fields: the one refused depends on the others, which must stay as typed.
CROSS_FIELD = {
    "dispatch_override": (
        "dispatch",
        "operator",
        {"unit_code": "CC-CGZ", "override_reason": "", "note": "请核实"},
        "override_reason",
    ),
    "sign_off_without_note": (
        "sign_off",
        "unit_lead",
        {"approve": "reject", "note": ""},
        "note",
    ),
    "deny_extension_without_note": (
        "decide_extension",
        "operator",
        {"approve": "reject", "note": ""},
        "note",
    ),
}


def test_every_action_with_fields_is_covered():
    assert set(REFUSED) | NO_FIELDS == set(ACTIONS)


def events(case_id: int) -> int:
    return db.session.scalar(
        sa.select(sa.func.count(Event.id)).where(
            Event.subject_type == "case", Event.subject_id == case_id
        )
    )


def post_refused(client, people, case, action, username, data):  # noqa: F811
    login(client, username)
    before = events(case.id)
    response = client.post(f"/cases/{case.id}/{action}", data={**data, "version": case.version})
    html = response.get_data(as_text=True)
    assert response.status_code == 422, html[:2000]
    db.session.expire_all()
    assert events(case.id) == before  # nothing happened
    return form_for(parse(html), f"/{action}")


def expected(value):
    return value if not isinstance(value, list) else sorted(value)


def typed(form, name):
    value = value_of(form, name)
    return sorted(value) if isinstance(value, list) else value


@pytest.mark.parametrize("action", sorted(REFUSED))
def test_a_refused_action_keeps_what_was_typed(client, people, action):  # noqa: F811
    username, data, refused, message = REFUSED[action]
    case = prepare(people, action)
    form = post_refused(client, people, case, action, username, data)
    said = error_beside(form, refused)
    if message is not None:
        assert said == message
    else:
        assert said.startswith("最多")  # too long: "at most n characters"
    for name, value in data.items():
        if value not in ("", None):
            assert typed(form, name) == expected(value), name
    # The form that failed is the one opened, and the ids are the action's own.
    details = next(a for a in form.ancestors() if a.tag == "details")
    assert "open" in details.attrs
    assert form.find(name=refused).get("id", "").startswith(f"{action}-")


@pytest.mark.parametrize("rule", sorted(CROSS_FIELD))
def test_a_rule_across_fields_keeps_the_other_fields(client, people, rule):  # noqa: F811
    action, username, data, refused = CROSS_FIELD[rule]
    case = prepare(people, action)
    form = post_refused(client, people, case, action, username, data)
    assert error_beside(form, refused)
    for name, value in data.items():
        if value:
            assert typed(form, name) == value, name


def test_a_stale_form_comes_back_with_its_text_against_the_case_as_it_is(
    client,
    people,  # noqa: F811
):
    case = prepare(people, "reply")
    login(client, "unit_lead")
    stale = case.version
    # Somebody else changes the case meanwhile (a comment would not: it changes nothing).
    db.session.execute(sa.update(Case).where(Case.id == case.id).values(version=stale + 1))
    db.session.commit()
    db.session.expire_all()
    response = client.post(
        f"/cases/{case.id}/reply",
        data={"finding": "substantiated", "text": LONG_REPLY, "version": stale},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    form = form_for(parse(html), "/reply")
    assert value_of(form, "text") == LONG_REPLY
    assert value_of(form, "finding") == "substantiated"
    db.session.expire_all()
    fresh = db.session.get(Case, case.id)
    assert value_of(form, "version") == str(fresh.version) != str(stale)
    assert not fresh.replies
    # Sent again as it stands, it goes through.
    response = client.post(
        f"/cases/{case.id}/reply",
        data={"finding": "substantiated", "text": LONG_REPLY, "version": fresh.version},
    )
    assert response.status_code == 303


def test_text_typed_for_an_action_no_longer_possible_is_shown_to_copy(
    client,
    people,  # noqa: F811
):
    case = prepare(people, "reply")
    login(client, "unit_lead")
    stale = case.version
    # Meanwhile the case has moved on to where no reply can be given.
    moved = {"state": "replied", "version": stale + 1}
    db.session.execute(sa.update(Case).where(Case.id == case.id).values(**moved))
    db.session.commit()
    response = client.post(
        f"/cases/{case.id}/reply",
        data={"finding": "substantiated", "text": LONG_REPLY, "version": stale},
    )
    assert response.status_code == 409
    root = parse(response.get_data(as_text=True))
    posts_to = [f.get("action") or "" for f in root.find_all("form")]
    assert not [a for a in posts_to if a.endswith("/reply")]  # the action is gone from the page
    unsent = root.find(id="unsent")
    assert "未能提交" in unsent.find("h2").text and "答复" in unsent.find("h2").text
    kept = unsent.find_all("textarea")
    assert [t.text for t in kept] == ["属实", LONG_REPLY] and "readonly" in kept[0].attrs
    told = root.find("div", class_="flash error").text
    assert "不再可执行" in told or "已不可执行" in told
    db.session.expire_all()
    assert not db.session.get(Case, case.id).replies


# Intake


HOTLINE = {
    "phone": "13900001111",
    "name": "李四",
    "call_reference": "C-9",
    "respondent_unit_code": "CC-ZWFW",
    "subject_kind": "staff",
    "respondent_staff": "3号窗口",
    "category_code": "attitude",
    "urgency": "urgent",
    "title": "窗口人员态度差",
    "content": LONG_REPLY,
}
LETTER = {
    "letter_box": "",  # filled from the config below
    "letter_collected_on": "2026-03-02",
    "name": "王五",
    "phone": "13900002222",
    "address": "城关镇东街1号",
    "respondent_unit_code": "CC-RSJ",
    "subject_kind": "unit",
    "category_code": "time_limit",
    "urgency": "normal",
    "title": "来信反映社保办理超期",
    "content": LONG_REPLY,
}


def cases_count() -> int:
    return db.session.scalar(sa.select(sa.func.count(Case.id)))


INTAKE_REFUSED = [
    *(("hotline", name) for name in ("title", "category_code", "respondent_unit_code", "content")),
    *(("letter", name) for name in ("title", "letter_collected_on", "content")),
]


@pytest.mark.parametrize(("channel", "missing"), INTAKE_REFUSED)
def test_an_intake_form_refused_keeps_what_was_typed(app, client, org, channel, missing):
    login(client, "operator")
    if channel == "hotline":
        data = {**HOTLINE, missing: ""}
    else:
        data = {**LETTER, "letter_box": app.config["LETTER_BOXES"][0], missing: ""}
    response = client.post(f"/intake/{channel}", data=data)
    assert response.status_code == 422
    form = parse(response.get_data(as_text=True)).find("form", id=f"{channel}-form")
    assert error_beside(form, missing)
    for name, value in data.items():
        if value:
            assert value_of(form, name) == value, name
    assert cases_count() == 0


def test_a_repeat_call_whose_original_went_away_keeps_what_was_typed(client, make_case, org):
    from app.cases.actions import perform_action

    original, newer = make_case(), make_case()
    perform_action(original, "merge", org["users"]["operator"], {"case_number": newer.number})
    db.session.commit()
    before = cases_count()
    login(client, "operator")
    response = client.post("/intake/hotline", data={**HOTLINE, "merge_into": str(original.id)})
    assert response.status_code == 422
    root = parse(response.get_data(as_text=True))
    assert "已并单" in root.find("div", class_="flash error").text
    form = root.find("form", id="hotline-form")
    for name, value in HOTLINE.items():
        assert value_of(form, name) == value, name
    assert cases_count() == before


# Administration and the away page


def admin_form(client, url, data):
    login(client, "admin")
    response = client.post(url, data=data)
    assert response.status_code == 422, response.get_data(as_text=True)[:1000]
    return parse(response.get_data(as_text=True)).find("form", id="admin-form")


def test_a_unit_refused_keeps_what_was_typed(client, org):
    parent = org["units"]["CC-CGZ"]
    data = {
        "code": "CC-CGZ",  # taken
        "name": "城关镇新设服务站",
        "tier": "3",
        "kind": "station",
        "parent_id": str(parent.id),
        "supervisor_id": str(org["units"]["CC-RSJ"].id),
        "active": "y",
    }
    form = admin_form(client, "/admin/units/new", data)
    assert error_beside(form, "code")
    for name, value in data.items():
        assert value_of(form, name) == value, name
    assert not db.session.scalar(sa.select(Unit).where(Unit.name == "城关镇新设服务站"))


def test_a_category_refused_keeps_what_was_typed(client, org):
    data = {"code": "", "name": "新类别", "severity": "serious", "handle_days": "7"}
    data["position"] = "4"
    form = admin_form(client, "/admin/categories/new", data)
    assert error_beside(form, "code")
    for name, value in data.items():
        if value:
            assert value_of(form, name) == value, name


def test_a_routing_rule_refused_keeps_what_was_typed(client, org):
    data = {
        "position": "7",
        "name": "",
        "subject_kind": "unit_leader",
        "severity": "serious",
        "respondent_tier": "3",
        "respondent_kind": "government",
        "target": "parent",
        "active": "y",
    }
    before = db.session.scalar(sa.select(sa.func.count(RoutingRule.id)))
    form = admin_form(client, "/admin/routing/new", data)
    assert error_beside(form, "name")
    for name, value in data.items():
        if value:
            assert value_of(form, name) == value, name
    assert db.session.scalar(sa.select(sa.func.count(RoutingRule.id))) == before


def test_a_calendar_year_refused_keeps_what_was_typed(client, org):
    login(client, "admin")
    data = {"year": "2027", "holidays": "2027-01-01 元旦", "makeup_days": "2027-03-01 春节"}
    response = client.post("/admin/calendar/enter", data=data)
    assert response.status_code == 422
    form = parse(response.get_data(as_text=True)).find("form", id="calendar-enter-form")
    assert "只有周末" in error_beside(form, "makeup_days")
    for name, value in data.items():
        assert value_of(form, name) == value, name


def test_a_calendar_day_refused_keeps_what_was_typed(client, org):
    login(client, "admin")
    data = {"kind": "off", "note": "防汛" * 30}
    response = client.post("/admin/calendar/day/2026-03-03", data=data)
    assert response.status_code == 422
    form = parse(response.get_data(as_text=True)).find("form", id="calendar-day-form")
    assert error_beside(form, "note")
    for name, value in data.items():
        assert value_of(form, name) == value, name


def test_the_away_page_refused_keeps_what_was_typed(client, org):
    login(client, "handler")
    data = {"away_until": "2020-01-01", "backup_user_id": str(org["users"]["unit_lead"].id)}
    response = client.post("/account/away", data=data)
    assert response.status_code == 422
    form = parse(response.get_data(as_text=True)).find("form", id="away-form")
    assert error_beside(form, "away_until") == "日期已过。"
    for name, value in data.items():
        assert value_of(form, name) == value, name
