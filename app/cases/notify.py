"""Who at the center or in a unit is told about a case, and what the complainant is told."""

from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from app.auth.models import Role, User, UserRole
from app.auth.services import deliver_to
from app.cases.models import Case
from app.core.trail import Event
from app.extensions import db
from app.notifications.services import message_locale, notify_complainant, queue_notification


def center_contact(case: Case) -> User | None:
    """Return who at the center answers for the case: who registered it (首问责任人), or,
    for a case that came in by itself (website, mailbox), who dispatched it last."""
    if case.entered_by is not None:
        return case.entered_by
    dispatcher = db.session.scalar(
        sa.select(Event.actor_id)
        .where(
            Event.subject_type == "case",
            Event.subject_id == case.id,
            Event.action == "dispatch",
        )
        .order_by(Event.id.desc())
        .limit(1)
    )
    return db.session.get(User, dispatcher) if dispatcher else None


def notify_center(case: Case, subject, body: str = "") -> None:
    """Tell the center's contact for the case that a unit needs a decision or reported."""
    contact = center_contact(case)
    if contact is not None:
        notify_user(contact, case, subject, body)


def notify_unit(
    case: Case,
    unit_id: int,
    subject,
    body: str = "",
    *,
    roles=(Role.HANDLER, Role.UNIT_LEAD),
    except_user: User | None = None,
) -> None:
    """Tell the unit's people in ``roles`` that the case needs them (in-app, and e-mail if known).

    A user who is away has it delivered to their backup instead (AB岗). ``except_user``
    (whoever caused the message) is not told of their own act.
    """
    users = db.session.scalars(
        sa.select(User).where(
            User.unit_id == unit_id,
            User.active.is_(True),
            sa.exists().where(UserRole.user_id == User.id, UserRole.role.in_(list(roles))),
        )
    )
    for user in users:
        if except_user is None or user.id != except_user.id:
            notify_user(user, case, subject, body)


def notify_user(user: User, case: Case, subject, body: str = "") -> None:
    """Send one message to ``user``, or to their backup while they are away."""
    recipient, standing_in_for = deliver_to(user)
    with message_locale():
        subject = str(subject)
        if standing_in_for is not None:
            subject += str(_l(" (as backup for %(name)s)", name=standing_in_for.name))
    queue_notification(recipient, case, subject, body)
    if recipient.email:
        queue_notification(recipient, case, subject, body, channel="email")


def set_public_reply(case: Case, text: str, at: datetime) -> None:
    """Record what the center tells the complainant and send it to them."""
    case.public_reply = text
    case.public_reply_at = at
    notify_complainant(case, _l("Reply to your complaint %(number)s", number=case.number), text)
