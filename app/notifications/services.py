"""Put messages in the outbox; a job sends them after the commit."""

from flask import current_app
from flask_babel import force_locale

from app.core.jobs import enqueue_after_commit
from app.extensions import db
from app.mailbox.tags import subject_tag
from app.notifications.models import Notification


def queue_notification(
    user, case, subject: str, body: str = "", channel="inapp", to_address: str = ""
) -> Notification:
    """Add one outbox row and send it once the transaction commits."""
    with message_locale():
        subject, body = str(subject), str(body)
    note = Notification(
        user_id=user.id if user else None,
        case_id=case.id if case else None,
        channel=channel,
        to_address=to_address,
        subject=subject[:200],
        body=body,
    )
    db.session.add(note)
    db.session.flush()
    enqueue_after_commit("app.notifications.tasks.send_notification", note.id)
    return note


def message_locale():
    """Messages go out in the system's language, whatever the sender's screen shows."""
    return force_locale(current_app.config["BABEL_DEFAULT_LOCALE"])


def notify_complainant(case, subject: str, body: str) -> Notification | None:
    """Write to the complainant by e-mail, else SMS; never to an anonymous one (DESIGN §8)."""
    with message_locale():
        subject, body = str(subject), str(body)
    person = case.complainant
    if person.anonymous:
        return None
    if person.email:
        # The tag lets the complainant's reply thread onto this case.
        tagged = f"{subject} {subject_tag(case.number)}"
        return queue_notification(None, case, tagged, body, "email", person.email)
    if person.phone:
        return queue_notification(None, case, subject, body, "sms", person.phone)
    return None
