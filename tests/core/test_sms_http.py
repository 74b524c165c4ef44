"""SMS through the HTTP gateway backend, against a real HTTP server on loopback."""

import json
import logging
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.core.types import utcnow
from app.extensions import db
from app.intake.services import register_case
from app.notifications.models import Notification
from app.notifications.services import queue_notification
from app.notifications.tasks import BACKOFF, relay_outbox
from tests.conftest import complaint
from tests.live_services import SmsGateway, free_port

TOKEN = "gw-token-7f3a"
PHONE = "13812345678"


@pytest.fixture
def gateway(app):
    server = SmsGateway()
    app.config.update(SMS_BACKEND="http", SMS_HTTP_URL=server.url, SMS_HTTP_TOKEN=TOKEN)
    yield server
    server.close()


def sms_rows() -> list[Notification]:
    db.session.expire_all()
    return db.session.scalars(
        sa.select(Notification).where(Notification.channel == "sms").order_by(Notification.id)
    ).all()


def queue_sms(text_body: str = "正文") -> Notification:
    """Queue one SMS; with REDIS_URL empty the job runs in-process right after the commit."""
    note = queue_notification(None, None, "投诉已受理", text_body, "sms", PHONE)
    db.session.commit()
    return note


def test_receipt_sms_reaches_the_gateway_as_json_with_the_token(app, org, gateway):
    person = {"name": "李四", "phone": PHONE, "anonymous": False}  # no e-mail: SMS
    case = register_case(complaint(complainant=person), org["users"]["operator"])
    db.session.commit()  # registering queues the receipt; the outbox job runs after the commit
    [request] = gateway.requests
    assert request["method"] == "POST" and request["path"] == "/sms/send"
    assert request["headers"]["authorization"] == f"Bearer {TOKEN}"
    assert request["headers"]["content-type"] == "application/json"
    body = json.loads(request["body"])
    assert set(body) == {"to", "text"} and body["to"] == PHONE
    assert body["text"].startswith(f"您的投诉（编号 {case.number}）已收到")
    assert f"查询码 {case.tracking_code}" in body["text"]
    [row] = sms_rows()
    assert (row.status, row.attempts, row.last_error) == ("sent", 1, "")
    assert row.sent_at is not None


@pytest.mark.parametrize(
    ("answer", "error_part"),
    [
        (500, "SMS gateway answered 500"),
        (401, "SMS gateway answered 401"),
        # A redirect must not be followed: the POST would become a bodiless GET.
        (302, "SMS gateway answered 302"),
    ],
)
def test_gateway_error_backs_off_and_a_later_relay_sends_once(app, gateway, answer, error_part):
    gateway.status = answer
    before = utcnow()
    note_id = queue_sms().id
    after = utcnow()
    [row] = sms_rows()
    assert row.status == "pending" and row.sent_at is None and row.attempts == 1
    assert error_part in row.last_error
    # The first failure waits BACKOFF[0] before the relay tries again.
    assert before + BACKOFF[0] <= row.next_attempt_at <= after + BACKOFF[0]
    assert [r["method"] for r in gateway.requests] == ["POST"]  # no redirect followed

    gateway.status = 200  # the gateway recovers, but the backoff has not run out
    assert relay_outbox()["sent"] == 0
    assert len(gateway.requests) == 1

    later = row.next_attempt_at + timedelta(seconds=1)
    assert relay_outbox(now=later) == {"recovered": 0, "sent": 1, "failed": 0, "skipped": 0}
    assert relay_outbox(now=later)["sent"] == 0
    assert [r["answered"] for r in gateway.posts()] == [answer, 200]
    assert json.loads(gateway.posts()[-1]["body"]) == {"to": PHONE, "text": "投诉已受理 正文"}
    row = db.session.get(Notification, note_id)
    assert (row.status, row.attempts) == ("sent", 2) and row.sent_at is not None


def test_unreachable_gateway_is_retried_after_backoff(app, gateway):
    app.config["SMS_HTTP_URL"] = f"http://127.0.0.1:{free_port()}/sms/send"  # refused
    before = utcnow()
    queue_sms()
    [row] = sms_rows()
    assert row.status == "pending" and row.attempts == 1
    assert "SMS gateway not reached" in row.last_error
    assert row.next_attempt_at >= before + BACKOFF[0]
    app.config["SMS_HTTP_URL"] = gateway.url  # back on the network
    later = row.next_attempt_at + timedelta(seconds=1)
    assert relay_outbox(now=later)["sent"] == 1
    assert relay_outbox(now=later)["sent"] == 0
    assert len(gateway.posts()) == 1 and sms_rows()[0].status == "sent"


def test_missing_gateway_url_is_a_clear_error(app):
    app.config.update(SMS_BACKEND="http", SMS_HTTP_URL="")
    queue_sms()
    [row] = sms_rows()
    assert row.status == "pending" and "SMS_HTTP_URL is not set" in row.last_error


def test_log_backend_logs_and_does_not_touch_the_network(app, gateway, caplog, monkeypatch):
    app.config["SMS_BACKEND"] = "log"  # the gateway URL stays configured
    # Alembic's fileConfig (the migrations run by the database fixture) disables loggers
    # that already existed, this module's among them; turn it back on for this test.
    monkeypatch.setattr(logging.getLogger("app.notifications.transports"), "disabled", False)
    caplog.set_level(logging.INFO, logger="app.notifications.transports")
    queue_sms("日志正文")
    assert gateway.requests == []
    [row] = sms_rows()
    assert row.status == "sent" and row.last_error == ""
    logged = [r.getMessage() for r in caplog.records if "log backend" in r.getMessage()]
    assert logged == [f"SMS (log backend) to {PHONE}: 投诉已受理 日志正文"]
