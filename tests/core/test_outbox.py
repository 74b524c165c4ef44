"""The outbox relay: retries with backoff, recovery of dead claims, nothing sent twice."""

from datetime import timedelta

import sqlalchemy as sa

from app.core.types import utcnow
from app.extensions import db
from app.notifications.models import Notification
from app.notifications.services import queue_notification
from app.notifications.tasks import MAX_ATTEMPTS, relay_outbox, send_notification


def email_row(app, org, case=None) -> int:
    app.config["REDIS_URL"] = "redis://127.0.0.1:1/0"  # no queue: the row stays pending
    note = queue_notification(
        org["users"]["handler"], case, "测试", "正文", "email", "handler@example.net"
    )
    db.session.commit()
    return note.id


def row(note_id) -> Notification:
    db.session.expire_all()
    return db.session.get(Notification, note_id)


def test_failed_send_backs_off_then_succeeds(app, org):
    note_id = email_row(app, org)
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=1)  # nothing listens: refused
    assert send_notification(note_id) == "failed"
    failed = row(note_id)
    assert failed.status == "pending" and failed.attempts == 1 and failed.last_error
    assert failed.next_attempt_at > utcnow() + timedelta(seconds=30)
    assert relay_outbox()["sent"] == 0  # not due yet
    failed.next_attempt_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    app.config["MAIL_SERVER"] = ""  # the mail server is back (here: the log backend)
    assert relay_outbox()["sent"] == 1
    assert row(note_id).status == "sent" and row(note_id).attempts == 2
    assert relay_outbox()["sent"] == 0  # nothing sent twice


def test_gives_up_after_the_last_attempt(app, org):
    note_id = email_row(app, org)
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=1)
    for _ in range(MAX_ATTEMPTS):
        note = row(note_id)
        note.next_attempt_at = None
        db.session.commit()
        relay_outbox()
    assert row(note_id).status == "failed" and row(note_id).attempts == MAX_ATTEMPTS


def test_a_claim_left_by_a_dead_worker_is_taken_up_again(app, org):
    note_id = email_row(app, org)
    db.session.execute(
        sa.update(Notification)
        .where(Notification.id == note_id)
        .values(status="sending", next_attempt_at=utcnow() - timedelta(minutes=11))
    )
    db.session.commit()
    result = relay_outbox()
    assert result["recovered"] == 1 and result["sent"] == 1
    assert row(note_id).status == "sent"


def test_work_lost_with_the_queue_is_relayed_once(app, make_case, org):
    app.config["REDIS_URL"] = "redis://127.0.0.1:1/0"  # Redis down while the case moves on
    case = make_case("dispatch")
    assert case.state == "dispatched"
    pending = db.session.scalars(sa.select(Notification.status)).all()
    assert pending and set(pending) == {"pending"}
    assert relay_outbox()["sent"] == len(pending)
    assert relay_outbox()["sent"] == 0
    assert set(db.session.scalars(sa.select(Notification.status))) == {"sent"}


def test_flask_outbox_relay_sends_what_the_queue_lost_once(app, org):
    note_id = email_row(app, org)  # Redis was down: the row waits in the outbox
    runner = app.test_cli_runner()
    result = runner.invoke(args=["outbox", "relay"])
    assert result.exit_code == 0, result.output
    assert "sent: 1" in result.output.splitlines()
    assert row(note_id).status == "sent" and row(note_id).attempts == 1
    assert "sent: 0" in runner.invoke(args=["outbox", "relay"]).output.splitlines()
