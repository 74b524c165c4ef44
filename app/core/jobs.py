"""Background jobs: queued on Redis + RQ after commit, or run in-process without Redis.

A job only does sooner what the database already records (an outbox row, a
pending state), so losing the queue loses no work: a later sweep picks it up.
"""

import importlib
import logging

import sqlalchemy as sa
from flask import current_app
from flask_sqlalchemy.session import Session
from redis import Redis
from rq import Queue

from app.extensions import db

log = logging.getLogger(__name__)
_PENDING_KEY = "jobs_after_commit"


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
        connection = Redis.from_url(url, socket_connect_timeout=2, socket_timeout=5)
        app.extensions["redis"] = connection
    return Queue(app.config["RQ_QUEUE"], connection=connection)


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
    queue = get_queue(app)
    for func_path, args in pending:
        if queue is not None:
            try:
                queue.enqueue(func_path, *args, job_timeout=120)
                continue
            except Exception:  # Redis down: the database still holds the work.
                log.warning(
                    "could not enqueue %s%r and %d more; they stay pending for the relay",
                    func_path,
                    args,
                    len(pending) - 1,
                )
                # One timeout is enough: a hung Redis must not hold the request per job.
                break
        # In-process: a fresh app context gets its own session, so the job sees
        # only committed data, as a worker would.
        with app.app_context():
            try:
                resolve(func_path)(*args)
            except Exception:
                log.exception("in-process job %s%r failed", func_path, args)


def _drop_pending(session) -> None:
    session.info.pop(_PENDING_KEY, None)


def init_app(app) -> None:
    """Hook job dispatch onto the session's commit and rollback."""
    for name, fn in (("after_commit", _run_pending), ("after_rollback", _drop_pending)):
        if not sa.event.contains(Session, name, fn):
            sa.event.listen(Session, name, fn)
