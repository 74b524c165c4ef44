"""A worker killed in the middle of sending: nothing half-done, and the relay sends it once.

The production worker (`python -m workers.worker`) runs as a child process on a
private Redis. Its send job connects to an SMTP server that accepts and never
answers, so the job is stuck mid-delivery; then the worker and its work horse are
SIGKILLed, as when the machine dies.
"""

import uuid
from collections import Counter
from datetime import timedelta

import pytest
import sqlalchemy as sa
from redis import Redis
from rq import Queue
from rq.job import Job

from app.core.types import utcnow
from app.extensions import db
from app.notifications.models import Notification
from app.notifications.services import queue_notification
from app.notifications.tasks import STALE_CLAIM, relay_outbox
from tests.live_services import SilentPeer, WorkerProcess

ADDRESS = "handler@rsj.example.gov.cn"
SUBJECT = "有新的投诉件待签收"


@pytest.fixture
def stalled_smtp():
    peer = SilentPeer()
    yield peer
    peer.close()


def outbox() -> list[Notification]:
    db.session.expire_all()
    return db.session.scalars(sa.select(Notification).order_by(Notification.id)).all()


def test_worker_killed_mid_send_leaves_a_claim_the_relay_delivers_once(
    app, org, database_url, private_redis, smtp, stalled_smtp, tmp_path
):
    queue_name = f"killed-{uuid.uuid4().hex[:8]}"
    app.config.update(REDIS_URL=private_redis.url, RQ_QUEUE=queue_name)
    queue_notification(org["users"]["handler"], None, SUBJECT, "请及时签收。", "email", ADDRESS)
    db.session.commit()  # the row is committed, then its job is queued
    [note] = outbox()
    conn = Redis.from_url(private_redis.url)
    [job_id] = Queue(queue_name, connection=conn).job_ids

    worker = WorkerProcess(
        {
            "APP_ENV": "testing",
            "DATABASE_URL": database_url,
            "REDIS_URL": private_redis.url,
            "RQ_QUEUE": queue_name,
            "MAIL_SERVER": "127.0.0.1",
            "MAIL_PORT": str(stalled_smtp.port),
            "ATTACHMENT_DIR": str(tmp_path / "attachments"),
        },
        tmp_path / "worker.log",
    )
    try:
        # The job has claimed the row and is talking to the SMTP server, which stalls.
        assert stalled_smtp.accepted.wait(timeout=30), worker.log()
        assert Job.fetch(job_id, connection=conn).get_status() == "started"
        [mid] = outbox()
        assert (mid.status, mid.attempts, mid.sent_at) == ("sending", 1, None)
    finally:
        killed = worker.kill()
    assert len(killed) >= 2, killed  # the worker and the work horse doing the job
    [smtp_connection] = stalled_smtp.connections
    assert stalled_smtp.received_until_closed(smtp_connection) == b""  # hung up, sent nothing

    # Nothing half-done: the row is still only claimed, once, and no job finished it.
    rows = outbox()
    assert [(r.id, r.status, r.attempts, r.sent_at, r.last_error) for r in rows] == [
        (note.id, "sending", 1, None, "")
    ]
    assert Job.fetch(job_id, connection=conn).get_status() == "started"
    conn.close()

    # The mail server works again. A relay now leaves the fresh claim alone (its worker
    # might only be slow); once the claim is older than STALE_CLAIM it sends the row once.
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp.port)
    assert relay_outbox() == {"recovered": 0, "sent": 0, "failed": 0, "skipped": 0}
    assert smtp.messages == []
    later = utcnow() + STALE_CLAIM + timedelta(seconds=1)
    assert relay_outbox(now=later) == {"recovered": 1, "sent": 1, "failed": 0, "skipped": 0}
    assert relay_outbox(now=later) == {"recovered": 0, "sent": 0, "failed": 0, "skipped": 0}
    assert smtp.received() == Counter({(ADDRESS, SUBJECT): 1})
    [sent] = outbox()
    assert (sent.id, sent.status, sent.attempts) == (note.id, "sent", 2)
    assert sent.sent_at is not None
