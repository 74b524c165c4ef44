"""Periodic jobs. Run exactly one scheduler: `make cron` (rq cron, TZ=Asia/Shanghai).

The scheduler only enqueues; `make worker` runs the jobs inside an app context.
"""

import os

from rq import cron

from app.documents.tasks import render_pending
from app.mailbox.tasks import fetch_mailbox_job
from app.notifications.tasks import relay_outbox
from app.supervision.tasks import sweep_job

QUEUE = os.environ.get("RQ_QUEUE", "default")

# Fetch the intake mailbox every two minutes (a run finds nothing new cheaply).
cron.register(
    fetch_mailbox_job,
    QUEUE,
    interval=int(os.environ.get("MAILBOX_FETCH_INTERVAL", "120")),
    job_timeout=600,
    name="mailbox-fetch",
)

# Electronic supervision: warnings within minutes of a threshold.
cron.register(
    sweep_job,
    QUEUE,
    interval=int(os.environ.get("SWEEP_INTERVAL", "300")),
    job_timeout=600,
    name="supervision-sweep",
)

# The outbox relay: sends what a lost queue message or a failed attempt left pending.
cron.register(relay_outbox, QUEUE, interval=60, job_timeout=600, name="outbox-relay")

# Documents whose job message was lost (or whose worker died mid-render) are rendered here.
cron.register(render_pending, QUEUE, interval=120, job_timeout=600, name="documents-relay")
