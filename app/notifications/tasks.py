"""Jobs that deliver outbox rows."""

import logging
from datetime import datetime, timedelta

import sqlalchemy as sa

from app.auth.models import User
from app.core.types import utcnow
from app.extensions import db
from app.notifications.models import Notification
from app.notifications.transports import send_email, send_sms

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 5
# Wait after the 1st, 2nd, ... failed attempt before the relay tries again.
BACKOFF = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30), timedelta(hours=2))
# A row claimed longer ago than this belongs to a worker that died mid-send.
STALE_CLAIM = timedelta(minutes=10)


def send_notification(notification_id: int) -> str:
    """Deliver one outbox row; running it twice sends it once."""
    # Claim the row with a conditional UPDATE so two workers cannot both send it.
    claimed = db.session.execute(
        sa.update(Notification)
        .where(Notification.id == notification_id, Notification.status == "pending")
        .values(status="sending", attempts=Notification.attempts + 1, next_attempt_at=utcnow())
    ).rowcount
    db.session.commit()
    if not claimed:
        return "skipped"
    note = db.session.get(Notification, notification_id)
    try:
        _deliver(note)
    except Exception as error:  # the row records the failure; a later run retries it
        log.warning("notification %s failed: %s", note.id, error)
        note.last_error = str(error)[:500]
        note.status = "failed" if note.attempts >= MAX_ATTEMPTS else "pending"
        note.next_attempt_at = utcnow() + BACKOFF[min(note.attempts, len(BACKOFF)) - 1]
        db.session.commit()
        return "failed"
    note.status = "sent"
    note.sent_at = utcnow()
    db.session.commit()
    return "sent"


def _deliver(note: Notification) -> None:
    user = db.session.get(User, note.user_id) if note.user_id else None
    if note.channel == "inapp":
        return  # stored is delivered: the inbox reads the table
    if note.channel == "email":
        address = note.to_address or (user.email if user else "")
        if not address:
            raise RuntimeError("no e-mail address")
        send_email(address, note.subject, note.body)
    elif note.channel == "sms":
        number = note.to_address or (user.phone if user else "")
        if not number:
            raise RuntimeError("no phone number")
        send_sms(number, f"{note.subject} {note.body}".strip())
    else:
        raise RuntimeError(f"unknown channel {note.channel!r}")


def relay_outbox(limit: int = 500, *, now: datetime | None = None) -> dict:
    """Send what is due in the outbox: new rows a queue never got, and retries after backoff.

    Nothing that matters lives only in Redis: whatever the queue lost is still a
    pending row here, and this periodic job picks it up. ``now`` (default: the
    current time) decides which backoffs and claims have run out.
    """
    now = now or utcnow()
    # Rows left "sending" by a worker that died go back to the queue of work.
    recovered = db.session.execute(
        sa.update(Notification)
        .where(Notification.status == "sending", Notification.next_attempt_at < now - STALE_CLAIM)
        .values(status="pending")
    ).rowcount
    db.session.commit()
    due = db.session.scalars(
        sa.select(Notification.id)
        .where(
            Notification.status == "pending",
            sa.or_(Notification.next_attempt_at.is_(None), Notification.next_attempt_at <= now),
        )
        .order_by(Notification.id)
        .limit(limit)
    ).all()
    outcomes = [send_notification(note_id) for note_id in due]
    return {
        "recovered": recovered,
        "sent": outcomes.count("sent"),
        "failed": outcomes.count("failed"),
        "skipped": outcomes.count("skipped"),
    }
