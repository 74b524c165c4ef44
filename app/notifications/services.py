"""Put messages in the outbox; a job sends them after the commit."""

from app.core.jobs import enqueue_after_commit
from app.extensions import db
from app.notifications.models import Notification


def queue_notification(user, case, subject: str, body: str = "", channel="inapp") -> Notification:
    """Add one outbox row for ``user`` and send it once the transaction commits."""
    note = Notification(
        user_id=user.id,
        case_id=case.id if case else None,
        channel=channel,
        subject=subject[:200],
        body=body,
    )
    db.session.add(note)
    db.session.flush()
    enqueue_after_commit("app.notifications.tasks.send_notification", note.id)
    return note
