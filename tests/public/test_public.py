"""The public side: complaint form, receipt, progress page, attachments, abuse."""

from pathlib import Path

import pytest
import sqlalchemy as sa

from app.attachments.models import Attachment
from app.cases.actions import perform_action
from app.cases.models import Case
from app.extensions import db
from app.notifications.models import Notification

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 100
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\n"


def form(**overrides) -> dict:
    data = {
        "name": "刘备",
        "phone": "13700001111",
        "email": "liubei@example.net",
        "respondent_unit_code": "CC-ZWFW",
        "category_code": "attitude",
        "title": "窗口人员态度生硬",
        "content": "周一上午在二号窗口办理业务，工作人员态度生硬。",
    }
    data.update(overrides)
    return data


def app_client_without_session(client):
    """Another browser: a client of the same app without the first one's cookies."""
    return client.application.test_client()


def counts():
    db.session.expire_all()
    return tuple(
        db.session.scalar(sa.select(sa.func.count(model.id))) for model in (Case, Attachment)
    )


def stored_files(app) -> list[Path]:
    root = Path(app.config["ATTACHMENT_DIR"])
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_citizen_submits_and_gets_number_and_tracking_code(client, org):
    page = client.get("/public/complaints/new")
    assert page.status_code == 200 and "我要投诉" in page.get_data(as_text=True)
    r = client.post("/public/complaints/new", data=form())
    assert r.status_code == 303
    receipt = client.get(r.headers["Location"]).get_data(as_text=True)
    case = db.session.scalar(sa.select(Case))
    assert case.number in receipt and case.tracking_code in receipt
    assert case.channel == "web" and case.entered_by_id is None and case.state == "registered"
    assert case.complainant.email == "liubei@example.net"
    # The receipt can be opened again in this browser session, and nowhere else.
    again = client.get("/public/complaints/thanks")
    assert again.status_code == 200 and case.tracking_code in again.get_data(as_text=True)
    assert again.headers["Cache-Control"] == "no-store"
    assert app_client_without_session(client).get("/public/complaints/thanks").status_code == 302
    note = db.session.scalar(sa.select(Notification).where(Notification.channel == "email"))
    assert note.to_address == "liubei@example.net" and case.tracking_code in note.body
    assert note.status == "sent" and case.number in note.subject


def test_sms_receipt_without_email_and_none_when_anonymous(client, org):
    client.post("/public/complaints/new", data=form(email=""))
    client.post("/public/complaints/new", data=form(anonymous="y", name="", phone="", email=""))
    notes = db.session.scalars(sa.select(Notification)).all()
    assert [(n.channel, n.to_address) for n in notes] == [("sms", "13700001111")]


def test_attachments_are_stored_outside_web_root_with_random_names(app, client, org):
    r = client.post(
        "/public/complaints/new",
        data={**form(), "attachments": [(PNG_FILE(), "照片.png"), (PDF_FILE(), "收据.pdf")]},
        content_type="multipart/form-data",
    )
    assert r.status_code == 303
    rows = db.session.scalars(sa.select(Attachment).order_by(Attachment.id)).all()
    assert [(a.filename, a.content_type) for a in rows] == [
        ("照片.png", "image/png"),
        ("收据.pdf", "application/pdf"),
    ]
    files = stored_files(app)
    assert len(files) == 2 and all("照片" not in str(f) for f in files)
    assert not str(files[0]).startswith(str(Path(app.static_folder)))


def PNG_FILE():
    import io

    return io.BytesIO(PNG)


def PDF_FILE():
    import io

    return io.BytesIO(PDF)


@pytest.mark.parametrize(
    ("name", "data", "limit"),
    [
        ("evil.png", b"<?php system($_GET['c']); ?>", None),  # wrong type whatever its name
        ("big.png", PNG + b"\x00" * 2048, 1024),  # over the size limit
        ("empty.pdf", b"", None),
    ],
)
def test_bad_attachment_is_refused_and_nothing_is_stored(app, client, org, name, data, limit):
    import io

    if limit:
        app.config["ATTACHMENT_MAX_BYTES"] = limit
    r = client.post(
        "/public/complaints/new",
        data={**form(), "attachments": [(io.BytesIO(PNG), "ok.png"), (io.BytesIO(data), name)]},
        content_type="multipart/form-data",
    )
    assert r.status_code == 422
    assert name in r.get_data(as_text=True) or "文件" in r.get_data(as_text=True)
    assert counts() == (0, 0) and stored_files(app) == []


def test_too_many_attachments_are_refused(app, client, org):
    import io

    files = [(io.BytesIO(PNG), f"{i}.png") for i in range(app.config["ATTACHMENT_MAX_FILES"] + 1)]
    r = client.post(
        "/public/complaints/new",
        data={**form(), "attachments": files},
        content_type="multipart/form-data",
    )
    assert r.status_code == 422 and counts() == (0, 0)


def test_a_failed_commit_leaves_no_file_behind(app, client, org, monkeypatch):
    import io

    def fail_commit():
        raise RuntimeError("database went away")

    monkeypatch.setattr("app.public.views.db.session.commit", fail_commit)
    with pytest.raises(RuntimeError):
        client.post(
            "/public/complaints/new",
            data={**form(), "attachments": [(io.BytesIO(PNG), "a.png")]},
            content_type="multipart/form-data",
        )
    assert stored_files(app) == []


def test_honeypot_refuses_bots(client, org):
    r = client.post("/public/complaints/new", data=form(website="http://spam.example"))
    assert r.status_code == 400 and counts() == (0, 0)


HOSTILE = [
    "<script>alert('x')</script>",
    "<img src=x onerror=alert(1)>",
    '<a href="javascript:alert(1)">点我</a>',
]


@pytest.mark.parametrize("payload", HOSTILE)
def test_hostile_text_is_stored_as_given_and_shown_escaped(client, org, payload):
    r = client.post("/public/complaints/new", data=form(title=payload[:200], content=payload))
    assert r.status_code == 303
    case = db.session.scalar(sa.select(Case))
    assert case.content == payload and case.title == payload[:200]
    progress = client.post("/public/track", data={"code": case.tracking_code})
    html = progress.get_data(as_text=True)
    assert payload not in html and "&lt;" in html
    from tests.conftest import login

    login(client, "operator")
    staff = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert payload not in staff and "&lt;" in staff


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("content", "x" * 100_000),
        ("title", "标题\x00"),
        ("content", "正文\x07响铃"),
        ("name", "张\x1b[31m三"),
    ],
)
def test_oversized_or_control_text_is_refused_with_a_message(client, org, field, value):
    r = client.post("/public/complaints/new", data=form(**{field: value}))
    assert r.status_code == 422
    assert 'class="error"' in r.get_data(as_text=True)
    assert counts() == (0, 0)


def test_progress_page_shows_public_facts_only(client, make_case, org):
    case = make_case("dispatch", "sign", "reply")
    perform_action(
        case,
        "review",
        org["users"]["operator"],
        {"pass": True, "note": "内部意见：答复偏软", "public_reply": "已责令整改并道歉。"},
    )
    db.session.commit()
    r = client.post("/public/track", data={"code": case.tracking_code.lower()})
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and case.number in html
    assert "已责令整改并道歉。" in html
    for private in ("内部意见", "王受理", "赵承办", "请按期", "13812345678", "张三", "CC-RSJ"):
        assert private not in html


def test_not_accepted_notice_reaches_the_progress_page(client, make_case):
    case = make_case("reject")
    html = client.post("/public/track", data={"code": case.tracking_code}).get_data(as_text=True)
    assert "不予受理" in html and "请向法院起诉" in html


def test_unknown_tracking_code_is_404_with_message(client, org):
    r = client.post("/public/track", data={"code": "ZZZZZZZZZZZZ"})
    assert r.status_code == 404 and "查询码" in r.get_data(as_text=True)


def test_over_limit_client_gets_429_in_chinese(limited_client):
    client = limited_client
    statuses = [client.post("/public/complaints/new", data=form()).status_code for _ in range(3)]
    assert statuses == [303, 303, 429]
    r = client.post("/public/complaints/new", data=form())
    assert r.status_code == 429 and "请求过于频繁" in r.get_data(as_text=True)
    assert counts()[0] == 2
