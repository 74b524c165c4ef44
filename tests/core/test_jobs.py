"""Jobs: the outbox row is committed first; Redis + RQ or in-process delivers it once."""

import threading

import sqlalchemy as sa
from rq import Queue, SimpleWorker

from app.core.jobs import enqueue_after_commit
from app.extensions import db
from app.notifications.models import Notification
from app.notifications.tasks import send_notification
from workers.worker import AppJob, set_app


def outbox():
    db.session.expire_all()
    return db.session.scalars(sa.select(Notification).order_by(Notification.id)).all()


def test_dispatch_notifies_unit_in_process_without_redis(make_case, org):
    make_case("dispatch")
    rows = outbox()
    # The caller's receipt (an SMS), then the unit's handler and lead.
    assert [r.user_id for r in rows] == [
        None,
        org["users"]["handler"].id,
        org["users"]["unit_lead"].id,
    ]
    assert rows[0].channel == "sms" and rows[0].to_address == "13812345678"
    assert all(r.status == "sent" for r in rows)


def test_dispatch_job_runs_on_rq_worker(app, make_case, redis_conn, org):
    queue_name = "test-jobs"
    app.config.update(REDIS_URL="redis://configured-by-test", RQ_QUEUE=queue_name)
    app.extensions["redis"] = redis_conn
    make_case("dispatch")
    rows = outbox()
    assert len(rows) == 3 and all(r.status == "pending" for r in rows)  # receipt, handler, lead
    queue = Queue(queue_name, connection=redis_conn)
    assert queue.count == 3
    set_app(app)
    SimpleWorker([queue], connection=redis_conn, job_class=AppJob).work(burst=True)
    assert all(r.status == "sent" for r in outbox())
    assert queue.count == 0


def test_redis_down_keeps_work_in_the_database(app, make_case, org):
    app.config.update(REDIS_URL="redis://127.0.0.1:1/0")  # nothing listens on port 1
    case = make_case("dispatch")
    assert case.state == "dispatched"
    assert [r.status for r in outbox()] == ["pending", "pending", "pending"]


def test_sending_twice_sends_once(make_case, app):
    app.config.update(REDIS_URL="redis://127.0.0.1:1/0")
    make_case("dispatch")
    note_id = outbox()[0].id
    assert send_notification(note_id) == "sent"
    assert send_notification(note_id) == "skipped"
    assert outbox()[0].attempts == 1


def test_cron_config_registers_the_mailbox_fetch(redis_conn):
    from rq.cron import CronScheduler

    scheduler = CronScheduler(connection=redis_conn)
    scheduler.load_config_from_file("workers/cron.py")
    jobs = {job.name: job for job in scheduler.get_jobs()}
    assert jobs["mailbox-fetch"].interval == 120
    assert jobs["mailbox-fetch"].func.__name__ == "fetch_mailbox_job"


def test_a_released_savepoint_does_not_run_the_jobs_early(app, org, monkeypatch):
    """A savepoint (as a new counter row takes) is no commit: the job waits for the real one."""
    from app.core.jobs import enqueue_after_commit

    ran = []
    monkeypatch.setattr("tests.core.test_jobs.record_run", ran.append, raising=False)
    enqueue_after_commit("tests.core.test_jobs.record_run", "job")
    with db.session.begin_nested():
        db.session.execute(sa.text("SELECT 1"))
    assert ran == []
    db.session.commit()
    assert ran == ["job"]


def test_a_hung_redis_costs_one_timeout_not_one_per_job(app, make_case, org, monkeypatch):
    """The first failed enqueue stops the rest: they are in the outbox for the relay anyway."""
    calls = []

    class HungQueue:
        def enqueue(self, *args, **kwargs):
            calls.append(args)
            raise TimeoutError("Timeout reading from socket")

    monkeypatch.setattr("app.core.jobs.get_queue", lambda app=None: HungQueue())
    make_case("dispatch")  # the caller's receipt, then the unit's handler and lead
    rows = outbox()
    assert len(rows) == 3 and all(r.status == "pending" for r in rows)
    assert len(calls) == 1


def test_after_a_failure_redis_rests_and_its_return_brings_the_relay(app, org, monkeypatch):
    """While Redis rests no request waits on it; the first job it takes again brings the relay."""
    from app.core import jobs
    from app.notifications.services import queue_notification

    calls, redis = [], {"up": False}
    clock = {"now": 1000.0}

    class FlakyQueue:
        def enqueue(self, func_path, *args, **kwargs):
            calls.append(func_path.rpartition(".")[2])
            if not redis["up"]:
                raise ConnectionError("Error 111 connecting to 127.0.0.1:6379")

    monkeypatch.setattr(jobs, "get_queue", lambda app=None: FlakyQueue())
    monkeypatch.setattr(jobs, "_clock", lambda: clock["now"])
    app.config.update(REDIS_RETRY_AFTER_SECONDS=30)

    def notify():
        queue_notification(org["users"]["handler"], None, "消息")
        db.session.commit()

    notify()
    assert calls == ["send_notification"]  # tried once, failed
    redis["up"] = True
    clock["now"] += 29
    notify()
    assert calls == ["send_notification"]  # resting: not even tried
    clock["now"] += 2
    notify()
    # Back, with the recovery jobs (the outbox relay, the documents left queued).
    assert calls[1:] == ["send_notification", "relay_outbox", "render_pending"]
    notify()
    assert calls[4:] == ["send_notification"]  # and only once
    assert [r.status for r in outbox()] == ["pending"] * 4  # the relay sends the first two


_ran_in: list[int] = []
_ran = threading.Event()


def record_thread() -> None:
    """A job that says which thread ran it."""
    _ran_in.append(threading.get_ident())
    _ran.set()


def test_without_redis_a_requests_jobs_run_in_a_thread_and_a_commands_at_once(app):
    app.config["JOBS_IN_THREAD"] = True
    _ran_in.clear()
    _ran.clear()
    with app.test_request_context("/"):
        enqueue_after_commit("tests.core.test_jobs.record_thread")
        db.session.commit()
        assert _ran.wait(timeout=10)
    assert _ran_in == [_ran_in[0]] and _ran_in[0] != threading.get_ident()
    _ran.clear()
    enqueue_after_commit("tests.core.test_jobs.record_thread")  # no request: a command
    db.session.commit()
    assert _ran.is_set() and _ran_in[-1] == threading.get_ident()
