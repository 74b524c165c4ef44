"""Mail that once made intake raise: each becomes one case or one triage item, never a loop.

Against a real Dovecot, every message is fetched twice and followed by a normal one,
which must still become a case. Nothing may be lost: a message whose processing
raises lands in triage with a Chinese reason and its original bytes.
"""

import base64
import email
import re
from email.utils import make_msgid

import pytest
import sqlalchemy as sa

from app.cases.models import Case
from app.extensions import db
from app.mailbox.models import InboundMessage
from app.mailbox.services import fetch_mailbox
from tests.conftest import login

CHINESE = re.compile(r"[\u4e00-\u9fff]")
BAD_ADDRESS = "发件人地址无法用于回复，请核对后处理。"
FAILED = "自动处理失败，原始邮件已保存，请人工处理。"


def b64(text: str) -> str:
    """An RFC 2047 encoded word, which may hide any character, CR and LF included."""
    return f"=?utf-8?b?{base64.b64encode(text.encode()).decode()}?="


def raw_mail(
    sender="王五 <wangwu@example.net>",
    subject="社保窗口拖延办理",
    body="窗口让我下周再来。",
    headers="",
    encoding="utf-8",
) -> tuple[str, bytes]:
    message_id = make_msgid(domain="example.net")
    text = (
        f"From: {sender}\r\nTo: tousu@example.gov.cn\r\nSubject: {subject}\r\n"
        f"Message-ID: {message_id}\r\n{headers}\r\n{body}\r\n"
    )
    return message_id, text.encode(encoding)


def inbound(message_id: str) -> list[InboundMessage]:
    db.session.expire_all()
    return db.session.scalars(
        sa.select(InboundMessage).where(InboundMessage.message_id == message_id)
    ).all()


def fetch_twice_after(inbox, raw: bytes) -> tuple[InboundMessage, Case]:
    """Deliver ``raw`` and a normal message, fetch twice; return the row and the normal case."""
    inbox.append(raw)
    normal_id, normal = raw_mail(subject="正常的投诉")
    inbox.append(normal)
    first = fetch_mailbox()
    second = fetch_mailbox()
    assert (first.fetched, first.failed, second.fetched) == (2, 0, 0)
    assert all("\\Seen" in flags for flags in inbox.flags().values())
    [row] = inbound(email.message_from_bytes(raw)["Message-ID"].strip())
    [normal_row] = inbound(normal_id)
    assert normal_row.status == "case_created" and normal_row.case.title == "正常的投诉"
    return row, normal_row.case


LONG_NAME = "欧阳" * 75  # 150 characters; the name column holds 80


@pytest.mark.parametrize(
    ("sender", "subject", "expect"),
    [
        # An over-long display name, and an address whose name part is too long for one.
        (f"{b64(LONG_NAME)} <oy@example.net>", "长姓名", ("case", LONG_NAME[:80], "长姓名")),
        ("a" * 200 + "@example.net", "长地址", ("triage", BAD_ADDRESS)),
        # Odd addresses: no domain dot, a space in the local part, none at all.
        ("user@localhost", "本机地址", ("triage", BAD_ADDRESS)),
        ('"weird" <a b@example.net>', "空格地址", ("triage", BAD_ADDRESS)),
        # A newline hidden in an encoded header: the name, the subject, the address.
        (
            f"{b64('张' + chr(13) + chr(10) + '三')} <zs@example.net>",
            "换行姓名",
            ("case", "张 三", "换行姓名"),
        ),
        ("zs@example.net", b64("第一行\n第二行"), ("case", "zs", "第一行 第二行")),
        (f"{b64('a' + chr(10) + '@example.net')}", "换行地址", ("case", "a", "换行地址")),
    ],
)
def test_bad_headers_give_one_case_or_one_triage_item(inbox, sender, subject, expect):
    _message_id, raw = raw_mail(sender=sender, subject=subject)
    row, _normal = fetch_twice_after(inbox, raw)
    if expect[0] == "triage":
        assert row.status == "triage" and row.triage_reason == expect[1]
        assert CHINESE.search(row.triage_reason) and row.case_id is None
    else:
        assert row.status == "case_created", row.triage_reason
        assert (row.case.complainant.name, row.case.title) == expect[1:]
        assert row.case.content == "窗口让我下周再来。"


@pytest.mark.parametrize(
    ("raw", "body"),
    [
        # A charset Python does not know; undeclared UTF-8; GBK with no charset at all.
        (
            raw_mail(headers="Content-Type: text/plain; charset=x-unknown\r\n")[1],
            "窗口让我下周再来。",
        ),
        (
            raw_mail(headers="Content-Type: text/plain; charset=us-ascii\r\n")[1],
            "窗口让我下周再来。",
        ),
        (raw_mail(subject="拖延", encoding="gbk")[1], "窗口让我下周再来。"),
    ],
)
def test_odd_charsets_become_cases_with_readable_text(inbox, raw, body):
    row, _normal = fetch_twice_after(inbox, raw)
    assert row.status == "case_created" and row.case.content == body


def test_mail_whose_processing_raises_lands_in_triage_once_with_its_original(
    inbox, client, monkeypatch
):
    from app.mailbox import services

    register = services._register_from_mail

    def flaky(mail):
        if mail.subject == "坏邮件":
            raise RuntimeError("a bug nobody foresaw")
        return register(mail)

    monkeypatch.setattr(services, "_register_from_mail", flaky)
    message_id, raw = raw_mail(subject="坏邮件", body="这封信的原文必须保留。")
    row, _normal = fetch_twice_after(inbox, raw)
    assert row.status == "triage" and row.triage_reason == FAILED
    assert row.processing_error == "RuntimeError: a bug nobody foresaw"
    assert (row.subject, row.from_address, row.body_text) == (
        "坏邮件",
        "wangwu@example.net",
        "这封信的原文必须保留。",
    )
    kept = email.message_from_bytes(row.raw_message)
    assert kept["Message-ID"] == message_id and "这封信的原文必须保留。" in row.raw_message.decode()

    # The operator sees the reason in Chinese, opens the original and registers it.
    login(client, "operator")
    page = client.get("/mailbox/triage").get_data(as_text=True)
    assert FAILED in page and "a bug nobody foresaw" in page and "下载原始邮件" in page
    original = client.get(f"/mailbox/messages/{row.id}/original")
    assert original.status_code == 200 and original.mimetype == "message/rfc822"
    assert original.headers["Content-Disposition"].startswith("attachment;")
    assert original.data == row.raw_message
    assert client.get("/mailbox/messages/999999/original").status_code == 404
    r = client.post(f"/mailbox/triage/{row.id}/register")
    assert r.status_code == 303
    [case] = db.session.scalars(sa.select(Case).where(Case.title == "坏邮件"))
    assert case.complainant.email == "wangwu@example.net"


def test_units_cannot_download_originals(inbox, client, monkeypatch):
    monkeypatch.setattr("app.mailbox.services._register_from_mail", lambda mail: 1 / 0)
    inbox.append(raw_mail()[1])
    assert fetch_mailbox().errors == 1
    [row] = db.session.scalars(sa.select(InboundMessage))
    login(client, "handler")
    assert client.get(f"/mailbox/messages/{row.id}/original").status_code == 403


def test_mail_that_cannot_even_be_recorded_is_tried_a_bounded_number_of_times(
    app, inbox, monkeypatch
):
    app.config["MAILBOX_MAX_ATTEMPTS"] = 3

    def fail(*args):
        raise RuntimeError("cannot record")

    monkeypatch.setattr("app.mailbox.services.process_mail", fail)
    monkeypatch.setattr("app.mailbox.services.record_failed_mail", fail)
    message_id, raw = raw_mail()
    inbox.append(raw)
    results = [fetch_mailbox() for _ in range(4)]
    assert [(r.fetched, r.failed, r.given_up) for r in results] == [
        (1, 1, 0),
        (1, 1, 0),
        (1, 0, 1),  # the third failure: left read on the server, flagged for a person
        (0, 0, 0),  # and not fetched again
    ]
    assert inbox.flags()[message_id] == {
        "\\Seen",
        "IntakeFailed1",
        "IntakeFailed2",
        "IntakeGaveUp",
    }
    assert inbound(message_id) == []


def test_a_database_outage_counts_no_attempt(inbox, monkeypatch):
    """When even SELECT 1 fails the fetch stops: the message waits, unread and uncounted."""
    from sqlalchemy.exc import OperationalError

    def fail(*args):
        raise RuntimeError("cannot record")

    def database_down(*args, **kwargs):
        raise OperationalError("SELECT 1", {}, ConnectionRefusedError("database down"))

    monkeypatch.setattr("app.mailbox.services.process_mail", fail)
    monkeypatch.setattr("app.mailbox.services.record_failed_mail", fail)
    monkeypatch.setattr(db.session, "execute", database_down)
    message_id, raw = raw_mail()
    inbox.append(raw)
    with pytest.raises(OperationalError):
        fetch_mailbox()
    assert inbox.flags()[message_id] == set()


def test_mail_intake_with_redis_down_keeps_the_receipt_in_the_outbox(app, inbox):
    from app.notifications.models import Notification

    app.config["REDIS_URL"] = "redis://127.0.0.1:1/0"  # nothing listens there
    message_id, raw = raw_mail()
    inbox.append(raw)
    assert fetch_mailbox().cases == 1
    [row] = inbound(message_id)
    [receipt] = db.session.scalars(sa.select(Notification))
    assert (receipt.channel, receipt.to_address, receipt.status) == (
        "email",
        "wangwu@example.net",
        "pending",  # for the relay, once Redis (or cron) runs it
    )
    assert row.case.tracking_code in receipt.body
