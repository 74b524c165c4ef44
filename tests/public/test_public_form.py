"""The public form says what it needs, keeps what was typed, and its receipt can be seen again."""

import re

import sqlalchemy as sa

from app.auth.services import create_token
from app.cases.models import Case
from app.extensions import db
from tests.conftest import login
from tests.htmlpage import parse
from tests.public.test_public import PNG_FILE, counts, form

REQUIRED = ("name", "respondent_unit_code", "category_code", "title", "content")
OPTIONAL = ("phone", "email", "anonymous", "attachments")


def field_block(html: str, name: str) -> str:
    """Return the ``<div class="field ...">`` that holds the input called ``name``."""
    blocks = re.split(r'(?=<div class="field)', html)
    return next(b for b in blocks if f'name="{name}"' in b)


def errors_in(block: str) -> list[str]:
    return re.findall(r'<div class="error"[^>]*>(.*?)</div>', block)


def test_required_fields_are_marked_and_optional_ones_are_not(client, org):
    html = client.get("/public/complaints/new").get_data(as_text=True)
    assert "带 * 的为必填项" in html
    for name in REQUIRED:
        block = field_block(html, name)
        assert 'class="field required"' in block, name
        assert re.search(rf'<(input|select|textarea)[^>]*name="{name}"[^>]*required', block), name
    for name in OPTIONAL:
        assert "required" not in field_block(html, name), name


def test_each_bad_field_gets_one_message_beside_it_and_nothing_is_stored(client, org):
    r = client.post("/public/complaints/new", data=form(name="", title="", content=""))
    html = r.get_data(as_text=True)
    assert r.status_code == 422 and counts() == (0, 0)
    for name in ("name", "title", "content"):
        assert errors_in(field_block(html, name)) == ["此项为必填项。"], name
    for name in ("phone", "email", "respondent_unit_code", "category_code"):
        assert errors_in(field_block(html, name)) == [], name
    assert "有 3 项需要修改" in html
    # What was typed is still there.
    assert 'value="13700001111"' in html and 'value="liubei@example.net"' in html
    assert re.search(r"<option[^>]*selected value=\"CC-ZWFW\"", html)


def test_an_empty_form_shows_one_message_per_field(client, org):
    html = client.post("/public/complaints/new", data={}).get_data(as_text=True)
    messages = re.findall(r'<div class="error"[^>]*>(.*?)</div>', html)
    assert len(messages) == len(REQUIRED) + 1  # and the contact, on the phone field
    for name in REQUIRED:
        assert len(errors_in(field_block(html, name))) == 1, name


def test_contact_message_names_the_fields_the_web_form_has(client, org):
    r = client.post("/public/complaints/new", data=form(phone="", email=""))
    message = errors_in(field_block(r.get_data(as_text=True), "phone"))
    assert r.status_code == 422 and len(message) == 1
    assert "电话" in message[0] and "电子邮件" in message[0] and "地址" not in message[0]


def test_contact_message_on_staff_forms_names_their_fields(client, org):
    login(client, "operator")
    hotline = client.post("/intake/hotline", data={"name": "张三", "title": "x"})
    message = errors_in(field_block(hotline.get_data(as_text=True), "phone"))
    assert message == ["请填写电话，以便答复投诉人（匿名投诉可不填）。"]
    letter = client.post("/intake/letter", data={"name": "张三", "title": "x"})
    message = errors_in(field_block(letter.get_data(as_text=True), "phone"))
    assert len(message) == 1 and "电话或地址" in message[0] and "电子邮件" not in message[0]


def test_api_names_complaint_fields_by_label(client, org):
    token = create_token(org["users"]["operator"])
    db.session.commit()
    body = {
        "channel": "hotline",
        "complainant": {"name": "张三", "phone": "call me", "anonymous": False},
        "respondent_unit_code": "CC-RSJ",
        "category_code": "attitude",
        "title": "t",
        "content": "c",
    }
    r = client.post("/api/v1/cases", json=body, headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 422
    assert r.json["message"] == "Phone: Not a valid phone number."
    assert set(r.json["fields"]) == {"complainant.phone"}


# Too many submissions ------------------------------------------------------------------


def test_a_limited_submission_comes_back_with_everything_typed(limited_client):
    for _ in range(2):
        assert limited_client.post("/public/complaints/new", data=form()).status_code == 303
    typed = form(
        title="第三次投诉的标题", content="第三次投诉 <b>正文</b>，一字不差。", phone="13912345678"
    )
    r = limited_client.post("/public/complaints/new", data=typed)
    html = r.get_data(as_text=True)
    assert r.status_code == 429
    assert 1 <= int(r.headers["Retry-After"]) <= 60
    assert 'id="rate-limited"' in html and "请等待" in html and "内容都已保留" in html
    assert 'id="public-form"' in html  # the form itself, not a bare error page
    assert 'value="第三次投诉的标题"' in html and 'value="13912345678"' in html
    assert "第三次投诉 &lt;b&gt;正文&lt;/b&gt;，一字不差。" in html
    assert 'value="liubei@example.net"' in html and 'value="刘备"' in html
    assert re.search(r"<option[^>]*selected value=\"attitude\"", html)
    assert counts()[0] == 2


def test_a_limited_lookup_keeps_the_code(limited_client, make_case):
    case = make_case()
    assert limited_client.post("/public/track", data={"code": "ZZZZZZZZZZZZ"}).status_code == 404
    r = limited_client.post("/public/track", data={"code": case.tracking_code})
    html = r.get_data(as_text=True)
    assert r.status_code == 429 and int(r.headers["Retry-After"]) >= 1
    assert 'id="rate-limited"' in html and f'value="{case.tracking_code}"' in html
    assert case.number not in html  # no progress shown past the limit


# The receipt ---------------------------------------------------------------------------


def test_receipts_of_this_session_can_be_opened_again_and_no_others(client, org):
    client.post("/public/complaints/new", data=form(title="第一件"))
    client.post("/public/complaints/new", data=form(title="第二件"))
    first, second = db.session.scalars(sa.select(Case).order_by(Case.id)).all()
    latest = client.get("/public/complaints/thanks").get_data(as_text=True)
    assert f'value="{second.tracking_code}"' in latest and first.tracking_code not in latest
    assert f"/public/complaints/receipts/{first.number}" in latest  # the other one, listed
    again = client.get(f"/public/complaints/receipts/{first.number}")
    assert again.status_code == 200 and f'value="{first.tracking_code}"' in again.get_data(True)
    track = client.get("/public/track").get_data(as_text=True)
    assert first.number in track and second.number in track
    # Another browser sees neither receipt, and no case outside the session shows.
    stranger = client.application.test_client()
    assert stranger.get(f"/public/complaints/receipts/{first.number}").status_code == 404
    assert stranger.get("/public/complaints/thanks").status_code == 302
    assert first.number not in stranger.get("/public/track").get_data(as_text=True)
    assert client.get("/public/complaints/receipts/CC2026-999999").status_code == 404


def test_receipt_offers_copy_and_print_and_says_where_the_code_went(client, org):
    client.post("/public/complaints/new", data=form())
    html = client.get("/public/complaints/thanks").get_data(as_text=True)
    assert 'id="receipt-code"' in html and "readonly" in html
    assert 'id="copy-code"' in html and 'id="print-receipt"' in html
    assert "/static/public.js" in html and "<script>" not in html  # no inline script (CSP)
    assert "l***@example.net" in html and "liubei@example.net" not in html

    sms = client.application.test_client()
    sms.post("/public/complaints/new", data=form(email=""))
    assert "137****1111" in sms.get("/public/complaints/thanks").get_data(as_text=True)

    anonymous = client.application.test_client()
    anonymous.post("/public/complaints/new", data=form(anonymous="y", name="", phone="", email=""))
    html = anonymous.get("/public/complaints/thanks").get_data(as_text=True)
    assert "匿名投诉不会收到短信或邮件" in html


def test_files_chosen_for_a_refused_form_are_asked_for_again(client, org):
    data = {**form(title=""), "attachments": [(PNG_FILE(), "照片.png")]}
    r = client.post("/public/complaints/new", data=data, content_type="multipart/form-data")
    assert r.status_code == 422
    root = parse(r.get_data(as_text=True))
    again = root.find(id="attachments-again")
    assert again is not None and "重新选择" in again.text
    assert "attachments-again" in root.find("input", id="attachments").get("aria-describedby")
    # Nothing chosen, nothing said.
    r = client.post("/public/complaints/new", data=form(title=""))
    assert r.status_code == 422
    assert parse(r.get_data(as_text=True)).find(id="attachments-again") is None
