"""Background jobs: queued on Redis + RQ after commit, or run in-process without Redis.

A job only does sooner what the database already records (an outbox row, a
pending state), so losing the queue loses no work: a later sweep picks it up.
"""

import importlib
import logging
import threading
import time

import sqlalchemy as sa
from flask import current_app, has_request_context
from flask_sqlalchemy.session import Session
from redis import Redis
from rq import Queue

from app.extensions import db

log = logging.getLogger(__name__)
_PENDING_KEY = "jobs_after_commit"
_clock = time.monotonic  # how long Redis has rested; tests move it


def enqueue_after_commit(func_path: str, *args) -> None:
    """Queue ``func_path(*args)`` to run once the current transaction commits."""
    db.session.info.setdefault(_PENDING_KEY, []).append((func_path, args))


def get_queue(app=None) -> Queue | None:
    """Return the RQ queue, or None when no Redis is configured."""
    app = app or current_app
    url = app.config.get("REDIS_URL")
    if not url:
        return None
    connection = app.extensions.get("redis")
    if connection is None:
        connection = Redis.from_url(
            url,
            socket_connect_timeout=app.config["REDIS_CONNECT_TIMEOUT"],
            socket_timeout=app.config["REDIS_SOCKET_TIMEOUT"],
        )
        app.extensions["redis"] = connection
    return Queue(app.config["RQ_QUEUE"], connection=connection)


def _redis_state(app) -> dict:
    # Per process: "until" (monotonic) while Redis rests after a failure, and "lost"
    # while work that the queue never got waits for a recovery job.
    return app.extensions.setdefault("redis_state", {"until": 0.0, "lost": False})


def enqueue_now(func_path: str, *args, app=None) -> bool:
    """Put a job on the queue at once; False (never an error) if Redis does not take it.

    A failure rests Redis for this process for a while, so a hung Redis costs one
    request one timeout, not every request one; the caller's work is in the database
    already and a recovery job finds it once Redis answers again.
    """
    app = app or current_app._get_current_object()
    queue = get_queue(app)
    if queue is None:
        return False
    state = _redis_state(app)
    if _clock() < state["until"]:
        state["lost"] = True
        return False
    try:
        queue.enqueue(func_path, *args, job_timeout=120)
    except Exception as error:
        state["until"] = _clock() + app.config["REDIS_RETRY_AFTER_SECONDS"]
        state["lost"] = True
        log.warning(
            "could not enqueue %s%r (%s); the work stays in the database", func_path, args, error
        )
        return False
    if state["lost"]:
        # Redis is back: let the recovery jobs collect what the queue missed meanwhile.
        state["lost"] = not enqueue_recovery_jobs(queue, app)
    return True


def enqueue_recovery_jobs(queue: Queue, app=None) -> bool:
    """Queue the jobs that pick up work a lost queue message left in the database.

    They are idempotent (each outbox row is claimed once), so several processes
    queueing them at once do no harm. Returns False, never raises, if Redis fails.
    """
    app = app or current_app
    try:
        for func_path in app.config["RECOVERY_JOBS"]:
            queue.enqueue(func_path, job_timeout=600)
    except Exception as error:
        log.warning("could not enqueue the recovery jobs (%s)", error)
        return False
    return True


def resolve(func_path: str):
    """Import and return the function named by a dotted path."""
    module, _, name = func_path.rpartition(".")
    return getattr(importlib.import_module(module), name)


def _run_pending(session) -> None:
    # SQLAlchemy fires after_commit for a released savepoint too; the work waits for the
    # real commit, or a job would run (or be enqueued) before its data exists for others.
    if session.in_nested_transaction():
        return
    pending = session.info.pop(_PENDING_KEY, [])
    if not pending:
        return
    app = current_app._get_current_object()
    if get_queue(app) is not None:
        for func_path, args in pending:
            if not enqueue_now(func_path, *args, app=app):
                # One failure is enough: the rest are in the database as well, and a
                # hung Redis must not hold the request once per job.
                log.warning("%d more jobs left for the recovery jobs", len(pending) - 1)
                break
        return
    # A request hands its jobs to a thread and answers; a command or a job runs them itself.
    if app.config.get("JOBS_IN_THREAD") and has_request_context():
        threading.Thread(target=_run_in_process, args=(app, pending), daemon=True).start()
    else:
        _run_in_process(app, pending)


def _run_in_process(app, pending) -> None:
    for func_path, args in pending:
        # In-process: a fresh app context gets its own session, so the job sees
        # only committed data, as a worker would.
        with app.app_context():
            try:
                resolve(func_path)(*args)
            except Exception:
                log.exception("in-process job %s%r failed", func_path, args)
            finally:
                db.session.remove()


def _drop_pending(session) -> None:
    session.info.pop(_PENDING_KEY, None)


def init_app(app) -> None:
    """Hook job dispatch onto the session's commit and rollback."""
    for name, fn in (("after_commit", _run_pending), ("after_rollback", _drop_pending)):
        if not sa.event.contains(Session, name, fn):
            sa.event.listen(Session, name, fn)
