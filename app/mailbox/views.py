"""The triage queue for operators."""

from flask import Response, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.auth.models import CENTER_ROLES
from app.core.confirm import ask_first, not_yet_confirmed
from app.core.errors import ValidationFailed
from app.core.forms import prefix_ids
from app.core.permissions import roles_required
from app.core.validation import labelled
from app.extensions import db
from app.intake.views import attach_errors
from app.mailbox import bp
from app.mailbox.forms import AttachForm
from app.mailbox.models import InboundMessage
from app.mailbox.services import case_number_in
from app.mailbox.triage import (
    attach_to_case,
    discard_message,
    get_triage_message,
    register_from_triage,
    triage_queue,
)

DISCARD_QUESTION = _l(
    "Discard this message? It will not become a case and leaves the queue. This cannot be undone."
)


def _triage_page(refused_id: int | None = None, posted=None, problems=()):
    """Draw the queue; a refused message keeps what was typed and says why beside it.

    Each message has its own attach form, its ids prefixed by the message's id so that no
    label or message points at another message's box. A number in the subject is
    offered, not trusted: the operator still sends it.
    """
    messages = triage_queue()
    forms = {}
    for m in messages:
        if posted is not None and m.id == refused_id:
            form = posted
        else:
            form = AttachForm(formdata=None, data={"case_number": case_number_in(m.subject)})
        prefix_ids(form, f"attach-{m.id}")
        forms[m.id] = form
    return render_template(
        "mailbox/triage.html",
        messages=messages,
        attach_forms=forms,
        refused_id=refused_id,
        problems=problems,
        discard_question=DISCARD_QUESTION,
    )


@bp.get("/mailbox/triage")
@roles_required(*CENTER_ROLES)
def triage():
    """List mail that needs an operator's decision."""
    return _triage_page()


@bp.post("/mailbox/triage/<int:message_id>/<decision>")
@roles_required(*CENTER_ROLES)
def decide(message_id: int, decision: str):
    """Register, attach or discard one message from the triage queue."""
    message = get_triage_message(message_id)
    if decision == "register":
        try:
            case = register_from_triage(message, current_user)
        except ValidationFailed as error:
            db.session.rollback()
            # Nothing the operator typed: say what in the message stops it, on its card.
            problems = [labelled(error.labels.get(n, n), m) for n, m in error.fields.items()]
            return _triage_page(message_id, problems=problems or [error.message]), 422
        db.session.commit()
        flash(_("Registered as %(number)s.", number=case.number), "success")
        return redirect(url_for("cases.show", case_id=case.id)), 303
    if decision == "attach":
        form = AttachForm()
        try:
            case = attach_to_case(message, current_user, form.case_number.data or "")
        except ValidationFailed as error:
            db.session.rollback()
            attach_errors(form, error.fields, error.labels)
            return _triage_page(message_id, posted=form), 422
        db.session.commit()
        flash(_("Added to case %(number)s.", number=case.number), "success")
    elif decision == "discard":
        if not_yet_confirmed():
            return ask_first(str(DISCARD_QUESTION), url_for("mailbox.triage"))
        discard_message(message, current_user)
        db.session.commit()
        flash(_("Message discarded."), "success")
    else:
        abort(404)
    return redirect(url_for("mailbox.triage")), 303


@bp.get("/mailbox/messages/<int:message_id>/original")
@roles_required(*CENTER_ROLES)
def original(message_id: int):
    """Download a message as it was received (kept for those whose processing failed)."""
    message = db.session.get(InboundMessage, message_id)
    if message is None or message.raw_message is None:
        abort(404)
    return Response(
        message.raw_message,
        mimetype="message/rfc822",
        headers={
            # Opened in a mail program, never rendered by the browser as a page.
            "Content-Disposition": f"attachment; filename=message-{message.id}.eml",
            "X-Content-Type-Options": "nosniff",
        },
    )
