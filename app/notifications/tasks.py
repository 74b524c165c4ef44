"""Jobs that deliver outbox rows."""

import logging

import sqlalchemy as sa

from app.core.types import utcnow
from app.extensions import db
from app.notifications.models import Notification

log = logging.getLogger(__name__)


def send_notification(notification_id: int) -> str:
    """Deliver one outbox row; running it twice sends it once."""
    # Claim the row with a conditional UPDATE so two workers cannot both send it.
    claimed = db.session.execute(
        sa.update(Notification)
        .where(Notification.id == notification_id, Notification.status == "pending")
        .values(status="sending", attempts=Notification.attempts + 1)
    ).rowcount
    db.session.commit()
    if not claimed:
        return "skipped"
    note = db.session.get(Notification, notification_id)
    # In-app messages are delivered by being stored; other channels get
    # their transport in the notification-relay work.
    log.info("notification %s to user %s: %s", note.id, note.user_id, note.subject)
    note.status = "sent"
    note.sent_at = utcnow()
    db.session.commit()
    return "sent"
