"""Run an RQ worker whose every job executes inside a fresh Flask app context.

python -m workers.worker        (or `make worker`)
"""

import os

from redis import Redis
from rq import Queue, Worker
from rq.job import Job

from app.core.jobs import enqueue_recovery_jobs

_app = None


def get_app():
    """Return the process's Flask app, created on first use."""
    global _app
    if _app is None:
        from app import create_app

        _app = create_app()
    return _app


def set_app(app) -> None:
    """Use ``app`` for jobs in this process (tests hand in their own)."""
    global _app
    _app = app


class AppJob(Job):
    """A job that runs inside its own app context, so each job gets its own session."""

    def perform(self):
        app = get_app()
        with app.app_context():
            return super().perform()


def main() -> None:
    app = get_app()
    url = app.config["REDIS_URL"] or os.environ.get("REDIS_URL")
    if not url:
        raise SystemExit("REDIS_URL is not set: without Redis, jobs run in-process.")
    connection = Redis.from_url(url)
    queue = Queue(app.config["RQ_QUEUE"], connection=connection)
    # Whatever a Redis restart lost is still in the database: collect it first.
    with app.app_context():
        enqueue_recovery_jobs(queue, app)
    Worker([queue], connection=connection, job_class=AppJob).work(with_scheduler=True)


if __name__ == "__main__":
    main()
