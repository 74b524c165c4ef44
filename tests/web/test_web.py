"""The web UI: login, CSRF, worklists, hotline intake, case page and action forms."""

import re

import sqlalchemy as sa

from app import create_app
from app.cases.models import Case
from app.extensions import db
from tests.conftest import IsolatedClient, login


def test_login_page_is_chinese_by_default(client, org):
    html = client.get("/login").get_data(as_text=True)
    assert "登录" in html and 'lang="zh-CN"' in html


def test_wrong_password_is_refused(client, org):
    r = client.post("/login", data={"username": "operator", "password": "wrong-pass"})
    assert r.status_code == 401
    assert "用户名或密码错误" in r.get_data(as_text=True)


def test_repeated_failures_lock_the_account(client, org):
    for _ in range(5):
        client.post("/login", data={"username": "handler", "password": "wrong-pass"})
    r = client.post("/login", data={"username": "handler", "password": "demo1234"})
    assert r.status_code == 401


def test_open_redirect_is_refused(client, org):
    r = client.post(
        "/login?next=https://evil.example/", data={"username": "operator", "password": "demo1234"}
    )
    assert r.headers["Location"] == "/cases"


def test_pages_require_login(client, org):
    r = client.get("/cases")
    assert r.status_code == 302 and "/login" in r.headers["Location"]


def test_csrf_is_enforced_on_forms(database_url, org):
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=database_url, WTF_CSRF_ENABLED=True)
    app.test_client_class = IsolatedClient
    client = app.test_client()
    r = client.post("/login", data={"username": "operator", "password": "demo1234"})
    assert r.status_code == 400
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    r = client.post(
        "/login", data={"username": "operator", "password": "demo1234", "csrf_token": token}
    )
    assert r.status_code == 302
    with app.app_context():
        db.engine.dispose()


def test_operator_registers_a_hotline_call(client, org):
    login(client, "operator")
    assert "热线受理" in client.get("/intake/hotline").get_data(as_text=True)
    r = client.post(
        "/intake/hotline",
        data={
            "phone": "13900001111",
            "name": "李四",
            "call_reference": "C-001",
            "respondent_unit_code": "CC-ZWFW",
            "subject_kind": "staff",
            "respondent_staff": "3号窗口",
            "category_code": "attitude",
            "urgency": "normal",
            "title": "窗口人员态度差",
            "content": "<script>alert(1)</script>",
        },
    )
    assert r.status_code == 303
    case = db.session.scalar(sa.select(Case).where(Case.call_reference == "C-001"))
    assert case.channel == "hotline" and case.state == "screening"
    assert case.content == "<script>alert(1)</script>"
    html = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>alert(1)" not in html
    assert "王受理" in html  # first responsible person


def test_hotline_form_errors_store_nothing(client, org):
    login(client, "operator")
    r = client.post(
        "/intake/hotline",
        data={
            "phone": "abc",
            "name": "李四",
            "respondent_unit_code": "NOPE",
            "category_code": "attitude",
            "title": "t",
            "content": "c",
        },
    )
    assert r.status_code == 422
    assert db.session.scalar(sa.select(sa.func.count(Case.id))) == 0


def test_earlier_cases_by_phone(client, make_case):
    case = make_case()
    login(client, "operator")
    html = client.get("/intake/earlier-cases?phone=13812345678").get_data(as_text=True)
    assert case.number in html
    assert case.number not in client.get("/intake/earlier-cases?phone=13000000000").get_data(
        as_text=True
    )


def test_unit_user_cannot_use_intake(client, org):
    login(client, "handler")
    assert client.get("/intake/hotline").status_code == 403


def test_worklists_show_the_right_cases(client, make_case):
    mine = make_case("dispatch")
    other = make_case()
    login(client, "handler")
    html = client.get("/cases").get_data(as_text=True)
    assert mine.number in html and other.number not in html
    client.post("/logout")
    login(client, "operator")
    html = client.get("/cases?channel=hotline").get_data(as_text=True)
    assert mine.number in html and other.number in html
    assert other.number not in client.get("/cases?channel=web").get_data(as_text=True)


def test_other_units_case_page_is_404(client, make_case):
    case = make_case("dispatch")
    login(client, "handler2")
    assert client.get(f"/cases/{case.id}").status_code == 404
    assert client.post(f"/cases/{case.id}/sign").status_code == 404


def test_unit_sees_masked_complainant_and_only_its_actions(client, make_case):
    case = make_case("dispatch")
    login(client, "handler")
    html = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "138****5678" in html and "13812345678" not in html and "张某" in html
    assert f'action="/cases/{case.id}/sign"' in html
    assert f'action="/cases/{case.id}/dispatch"' not in html


def test_case_page_shows_due_dates(client, make_case):
    case = make_case("dispatch")
    login(client, "operator")
    html = client.get(f"/cases/{case.id}").get_data(as_text=True)
    due = case.open_clock("handle").due_at.astimezone().strftime("%Y")
    assert 'data-kind="handle"' in html and due in html


def test_action_form_walks_the_case(client, make_case):
    case = make_case()
    login(client, "operator")
    r = client.post(
        f"/cases/{case.id}/dispatch",
        data={"unit_code": "CC-RSJ", "note": "", "version": case.version},
    )
    assert r.status_code == 303
    db.session.expire_all()
    assert db.session.get(Case, case.id).state == "dispatched"


def test_stale_form_shows_conflict_and_changes_nothing(client, make_case):
    case = make_case()
    login(client, "operator")
    stale = case.version - 1
    r = client.post(
        f"/cases/{case.id}/dispatch",
        data={"unit_code": "CC-RSJ", "version": stale},
        headers={"Referer": f"http://localhost/cases/{case.id}"},
    )
    assert r.status_code == 409
    html = r.get_data(as_text=True)
    told = re.search(r'<div class="flash error"[^>]*>([^<]*)</div>', html).group(1)
    assert "投诉件已有变化" in told and "您填写的内容已保留" in told
    assert "版本" not in told  # the user is not asked about version numbers
    db.session.expire_all()
    assert db.session.get(Case, case.id).state == "screening"


def test_wrong_state_action_is_refused_with_message(client, make_case):
    case = make_case()
    login(client, "operator")
    r = client.post(
        f"/cases/{case.id}/visit",
        data={"satisfaction": "satisfied", "resolved": "yes", "method": "phone"},
    )
    assert r.status_code == 409 and "不能执行此操作" in r.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Case, case.id).state == "screening"


def test_admin_has_no_case_access(client, make_case):
    case = make_case()
    login(client, "admin")
    assert client.get("/cases").status_code == 403
    assert client.get(f"/cases/{case.id}").status_code == 403


def test_language_switch_to_english(client, org):
    login(client, "operator")
    client.get("/lang/en")
    assert "Worklist" in client.get("/cases").get_data(as_text=True)
    client.get("/lang/zh_Hans_CN")
    assert "工作台" in client.get("/cases").get_data(as_text=True)
    assert client.get("/lang/xx").status_code == 404


def test_hotline_shows_every_error_at_once(client, org):
    login(client, "operator")
    r = client.post("/intake/hotline", data={"phone": "abc", "name": "李四"})
    html = r.get_data(as_text=True)
    assert r.status_code == 422
    assert "电话号码格式不正确" in html
    assert html.count('class="error"') >= 5  # phone, unit, category, title, content


def test_pages_carry_security_headers(client, org):
    r = client.get("/login")
    assert "script-src" not in r.headers["Content-Security-Policy"]  # default-src 'self' only
    assert r.headers["Content-Security-Policy"].startswith("default-src 'self'")
    assert r.headers["X-Frame-Options"] == "DENY"


def test_pages_link_an_icon_and_the_old_icon_address_finds_it(client, org):
    html = client.get("/login").get_data(as_text=True)
    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in html
    r = client.get("/favicon.ico")
    assert r.status_code == 301 and r.headers["Location"] == "/static/favicon.svg"
    with client.get("/static/favicon.svg") as icon:
        assert icon.status_code == 200 and icon.mimetype == "image/svg+xml"
    # The content-security policy lets pages load it: images from this site.
    assert "img-src 'self'" in client.get("/login").headers["Content-Security-Policy"]


def test_dispatch_panel_shows_the_routing_explanation(client, make_case):
    case = make_case(respondent_unit_code="CC-SQX-LC", category_code="sloth")
    login(client, "operator")
    html = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert 'id="routing-suggestion"' in html and "石桥乡人民政府" in html
    dispatch_form = html[html.index('id="action-dispatch"') :]
    assert re.search(
        r'<option[^>]*selected[^>]*value="CC-SQX"', dispatch_form.split("</select>")[0]
    )


def test_the_review_offers_the_units_answer_as_what_the_complainant_reads(client, make_case):
    case = make_case("dispatch", "sign", "reply")
    login(client, "operator")
    html = client.get(f"/cases/{case.id}").get_data(as_text=True)
    review = re.search(r'id="action-review".*?</details>', html, re.S)[0]
    box = re.search(r'<textarea[^>]*name="public_reply"[^>]*>(.*?)</textarea>', review, re.S)
    assert box and box[1].strip() == case.replies[-1].text


def test_a_number_field_tells_its_range_before_anything_is_typed(app, client, make_case):
    case = make_case("dispatch", "sign")
    login(client, "handler")
    html = client.get(f"/cases/{case.id}").get_data(as_text=True)
    high = app.config["MAX_EXTENSION_DAYS"]
    hint = re.search(r'<div class="hint" id="request_extension-days-hint">([^<]*)</div>', html)
    assert hint and hint[1] == f"可填 1 至 {high}。"
    box = re.search(r'<input[^>]*id="request_extension-days"[^>]*>', html)[0]
    assert "request_extension-days-hint" in box and f'max="{high}"' in box


def test_a_handlers_reply_is_told_to_wait_for_the_lead_not_done(client, make_case):
    case = make_case("dispatch", "sign")
    login(client, "handler")
    data = {"finding": "substantiated", "text": "已核实。", "version": case.version}
    r = client.post(f"/cases/{case.id}/reply", data=data, follow_redirects=True)
    html = r.get_data(as_text=True)
    assert "答复已存为草稿，待单位负责人审签后报送投诉中心。" in html
    assert "操作成功" not in html
