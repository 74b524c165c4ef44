"""The triage queue: messages an operator must look at before anything happens to them."""

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from app.attachments.models import Attachment
from app.cases.engine import record_case_event
from app.cases.models import Case
from app.core.errors import InvalidTransition, NotFound
from app.core.types import utcnow
from app.core.validation import FieldErrors
from app.extensions import db
from app.intake.services import NAME_MAX, TITLE_MAX, register_case
from app.mailbox.models import InboundMessage, InboundStatus
from app.mailbox.services import can_reply_to


def triage_queue() -> list[InboundMessage]:
    """Return the messages waiting in triage, oldest first."""
    return list(
        db.session.scalars(
            sa.select(InboundMessage)
            .where(InboundMessage.status == InboundStatus.TRIAGE)
            .order_by(InboundMessage.received_at)
        )
    )


def get_triage_message(message_id) -> InboundMessage:
    """Return a message still in triage, or raise NotFound."""
    message = db.session.get(InboundMessage, int(message_id))
    if message is None:
        raise NotFound("message not found")
    if message.status != InboundStatus.TRIAGE:
        raise InvalidTransition(_l("This message has already been handled."))
    return message


def _claim_attachments(message: InboundMessage, case: Case) -> None:
    db.session.execute(
        sa.update(Attachment)
        .where(Attachment.inbound_message_id == message.id)
        .values(case_id=case.id)
    )


def _close(message: InboundMessage, actor, status: InboundStatus, case: Case | None) -> None:
    message.status = status
    message.case_id = case.id if case else None
    message.handled_by_id = actor.id
    message.handled_at = utcnow()


def register_from_triage(message: InboundMessage, actor) -> Case:
    """Register the message as a new e-mail complaint, with the operator as first responsible."""
    # An address intake cannot reply to makes the complainant one we cannot answer.
    address = message.from_address if can_reply_to(message.from_address) else ""
    case = register_case(
        {
            "channel": "email",
            "complainant": {
                "name": (message.from_name or address.split("@")[0])[:NAME_MAX],
                "email": address,
                "anonymous": not address,
            },
            "title": (message.subject or str(_l("(no subject)")))[:TITLE_MAX],
            "content": message.body_text or str(_l("(see attachments)")),
        },
        actor,
    )
    case.content_html = message.body_html
    _claim_attachments(message, case)
    _close(message, actor, InboundStatus.CASE_CREATED, case)
    db.session.flush()
    return case


def attach_to_case(message: InboundMessage, actor, case_number: str) -> Case:
    """Put the message on an existing case as correspondence."""
    errors = FieldErrors({"case_number": _l("Case number")})
    number = errors.text("case_number", case_number, max_length=32)
    case = db.session.scalar(sa.select(Case).where(Case.number == number)) if number else None
    if number and case is None:
        errors.add("case_number", _l("No such case."))
    errors.raise_if_any()
    _claim_attachments(message, case)
    _close(message, actor, InboundStatus.THREADED, case)
    record_case_event(
        case, actor, "correspondence", data={"message": message.id, "subject": message.subject}
    )
    db.session.flush()
    return case


def discard_message(message: InboundMessage, actor) -> None:
    """Decide the message is nothing (spam, bounce); it stays on record."""
    _close(message, actor, InboundStatus.DISCARDED, None)
    db.session.flush()
