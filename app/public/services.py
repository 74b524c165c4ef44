"""What the public side may do and see: submit, and follow progress without staff details."""

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from app.attachments.storage import store_uploads
from app.cases.models import Case
from app.cases.workflow import State
from app.core.masking import mask_email, mask_phone
from app.core.trail import Event
from app.extensions import db
from app.intake.services import register_case

PUBLIC_STATE_LABELS = {
    State.REGISTERED: _l("Received, waiting to be accepted"),
    State.SCREENING: _l("Being screened"),
    State.NOT_ACCEPTED: _l("Not accepted"),
    State.INVALID: _l("Not a valid complaint"),
    State.MERGED: _l("Handled together with an earlier complaint"),
    State.DISPATCHED: _l("Being handled"),
    State.HANDLING: _l("Being handled"),
    State.RETURN_REQUESTED: _l("Being handled"),
    State.REPLIED: _l("Being handled"),
    State.VISITING: _l("Handled; we will contact you for your opinion"),
    State.CLOSED: _l("Closed"),
}
# Which events a citizen sees on the progress page, and how they are called there.
PUBLIC_MILESTONES = {
    "register": _l("Complaint received"),
    "screen": _l("Accepted for screening"),
    "dispatch": _l("Passed to the responsible unit"),
    "reply": _l("The unit has replied"),
    "visit": _l("Return visit recorded"),
    "reject": _l("Not accepted"),
    "invalidate": _l("Marked as not a valid complaint"),
    "merge": _l("Merged with an earlier complaint"),
    "resolve_directly": _l("Answered by the complaint center"),
    "reopen": _l("Reopened"),
}


def submit_public_complaint(data: dict, uploads) -> Case:
    """Register a complaint from the website and store its files (the receipt goes out)."""
    case = register_case(data, None, screen_now=False)
    store_uploads(uploads, case=case)
    return case


def find_by_tracking_code(code: str) -> Case | None:
    """Return the case with this tracking code (codes are case-insensitive), or None."""
    code = "".join(ch for ch in (code or "").upper() if ch.isalnum())[:24]
    if len(code) < 8:
        return None
    return db.session.scalar(sa.select(Case).where(Case.tracking_code == code))


def public_progress(case: Case) -> dict:
    """Return what a citizen may see of a case: no staff, no notes, no other people."""
    events = db.session.scalars(
        sa.select(Event)
        .where(
            Event.subject_type == "case",
            Event.subject_id == case.id,
            Event.action.in_(list(PUBLIC_MILESTONES)),
        )
        .order_by(Event.id)
    )
    return {
        "number": case.number,
        "title": case.title,
        "submitted_at": case.created_at,
        "state": PUBLIC_STATE_LABELS[State(case.state)],
        "closed_at": case.closed_at,
        "reply": case.public_reply,
        "reply_at": case.public_reply_at,
        "milestones": [(e.at, PUBLIC_MILESTONES[e.action]) for e in events],
    }


def receipt_sent_to(case: Case) -> tuple[str, str] | None:
    """Return where the receipt with the tracking code went ("email" or "sms", masked address)."""
    person = case.complainant
    if person.anonymous:
        return None
    if person.email:
        return "email", mask_email(person.email)
    if person.phone:
        return "sms", mask_phone(person.phone)
    return None
