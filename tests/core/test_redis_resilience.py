"""Redis stops and comes back: intake and workflow go on, the outbox delivers everything once.

A private redis-server (no persistence) is stopped in the middle of the day's work,
so the job that was queued before is lost with it, and the jobs of everything done
while it is down are never queued. The relay, enqueued and run by a real RQ worker
as in production, then delivers every pending row exactly once to a real SMTP server.
"""

import time
import uuid
from collections import Counter

import sqlalchemy as sa
from redis import Redis
from rq import Queue, SimpleWorker

from app.auth.models import User
from app.auth.services import create_token
from app.cases.models import Case
from app.extensions import db
from app.notifications.models import Notification
from tests.conftest import complaint
from tests.public.test_public import form
from workers.worker import AppJob, set_app


def outbox() -> list[Notification]:
    db.session.expire_all()
    return db.session.scalars(sa.select(Notification).order_by(Notification.id)).all()


def expected_emails(rows) -> Counter:
    """(recipient, subject) of every e-mail row, as the SMTP server should receive them."""
    users = {user.id: user for user in db.session.scalars(sa.select(User))}
    return Counter(
        (row.to_address or users[row.user_id].email, row.subject)
        for row in rows
        if row.channel == "email"
    )


def run_relay(queue: Queue, conn: Redis) -> dict:
    """Enqueue the relay as `rq cron` does and let a real worker run it (burst mode)."""
    job = queue.enqueue("app.notifications.tasks.relay_outbox", job_timeout=600)
    SimpleWorker([queue], connection=conn, job_class=AppJob).work(burst=True)
    job.refresh()
    assert job.get_status() == "finished", job.latest_result()
    return job.return_value()


def test_intake_and_workflow_survive_a_redis_restart_and_mail_goes_out_once(
    app, client, org, make_case, private_redis, smtp
):
    queue_name = f"resilience-{uuid.uuid4().hex[:8]}"
    app.config.update(
        REDIS_URL=private_redis.url,
        RQ_QUEUE=queue_name,
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=smtp.port,
        REDIS_RETRY_AFTER_SECONDS=1,
    )
    for name in ("handler", "unit_lead"):  # units get an e-mail copy of their messages
        org["users"][name].email = f"{name}@rsj.example.gov.cn"
    api = {"Authorization": f"Bearer {create_token(org['users']['operator'])}"}
    db.session.commit()

    # Redis is up: the website receipt's job is queued, and no worker has run yet.
    r = client.post("/public/complaints/new", data=form())
    assert r.status_code == 303
    with Redis.from_url(private_redis.url) as conn:
        assert Queue(queue_name, connection=conn).count == 1

    # Redis goes away (without saving: the queued job is lost with it).
    private_redis.stop()
    assert not private_redis.answers()

    # Intake on every path still commits while Redis is down ...
    r = client.post("/public/complaints/new", data=form(name="关羽", email="guanyu@example.net"))
    assert r.status_code == 303
    r = client.post("/api/v1/cases", json=complaint(channel="api"), headers=api)
    assert r.status_code == 201, r.json
    api_case = r.json["id"]
    person = {"name": "孙权", "email": "sunquan@example.net", "anonymous": False}
    r = client.post("/api/v1/cases", json=complaint(complainant=person), headers=api)
    assert r.status_code == 201, r.json
    direct_case = r.json["id"]

    # ... and so do workflow actions, over the API and through the services.
    r = client.post(
        f"/api/v1/cases/{api_case}/actions/dispatch", json={"unit_code": "CC-RSJ"}, headers=api
    )
    assert r.status_code == 200 and r.json["state"] == "dispatched"
    r = client.post(
        f"/api/v1/cases/{direct_case}/actions/resolve_directly",
        json={"text": "已电话答复并解决。"},
        headers=api,
    )
    assert r.status_code == 200 and r.json["state"] == "closed"
    worked = make_case("dispatch", "sign", "request_return", "deny_return")
    assert worked.state == "handling"

    db.session.expire_all()
    states = dict(db.session.execute(sa.select(Case.id, Case.state)).all())
    assert len(states) == 5
    assert states[api_case] == "dispatched" and states[direct_case] == "closed"
    rows = outbox()
    assert rows and {row.status for row in rows} == {"pending"}
    assert all(row.attempts == 0 for row in rows)
    emails = expected_emails(rows)
    # Receipts to both web complainants and to 孙权, the direct answer, and each dispatch
    # and return decision to the unit's handler and lead; the callers' receipts are SMS.
    assert sum(emails.values()) == 3 + 1 + 2 * 3
    assert sum(row.channel == "sms" for row in rows) == 2
    assert {rcpt for rcpt, _ in emails} == {
        "liubei@example.net",
        "guanyu@example.net",
        "sunquan@example.net",
        "handler@rsj.example.gov.cn",
        "unit_lead@rsj.example.gov.cn",
    }
    assert smtp.messages == []

    # Redis comes back on the same port, empty; the relay (as cron would enqueue it)
    # runs on a real worker and sends every pending row once.
    private_redis.start()
    set_app(app)
    with Redis.from_url(private_redis.url) as conn:
        queue = Queue(queue_name, connection=conn)
        assert queue.count == 0  # the job queued before the restart is gone
        result = run_relay(queue, conn)
        assert result == {"recovered": 0, "sent": len(rows), "failed": 0, "skipped": 0}
        assert smtp.received() == emails
        assert set(smtp.received().values()) == {1}
        assert {row.status for row in outbox()} == {"sent"}
        assert all(row.attempts == 1 for row in outbox())

        # Running it again sends nothing more.
        assert run_relay(queue, conn)["sent"] == 0
    assert smtp.received() == emails and len(smtp.messages) == sum(emails.values())

    # And with Redis back (and the process's rest after the failures over), new work is
    # queued again rather than left to the relay: the receipt, the unit's four messages,
    # and once each recovery job (outbox, documents), for whatever the queue missed while
    # this process rested.
    time.sleep(1)
    make_case("dispatch")
    with Redis.from_url(private_redis.url) as conn:
        jobs = Queue(queue_name, connection=conn).get_jobs()
        assert Counter(job.func_name for job in jobs) == {
            "app.notifications.tasks.send_notification": 5,
            "app.notifications.tasks.relay_outbox": 1,
            "app.documents.tasks.render_pending": 1,
        }
