"""Public pages: the complaint form, its receipt, and the progress page."""

import math
import time

from flask import (
    abort,
    current_app,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _

from app.attachments.storage import read_uploads
from app.cases.models import Case
from app.core.errors import ValidationFailed
from app.extensions import db, limiter
from app.intake.services import validate_complaint
from app.intake.views import attach_errors, fill_intake_choices
from app.public import bp
from app.public.forms import PublicComplaintForm, TrackForm
from app.public.services import (
    find_by_tracking_code,
    public_progress,
    receipt_sent_to,
    submit_public_complaint,
)

# How many receipts one browser session can show again.
RECEIPTS_KEPT = 5


def _submit_limit() -> str:
    return current_app.config["PUBLIC_SUBMIT_LIMIT"]


def _track_limit() -> str:
    return current_app.config["PUBLIC_TRACK_LIMIT"]


@bp.route("/complaints/new", methods=["GET", "POST"])
@limiter.limit(_submit_limit, methods=["POST"])
def new_complaint():
    """Let a citizen file a complaint, with optional anonymity and attachments."""
    form = PublicComplaintForm()
    fill_intake_choices(form)
    if request.method == "GET":
        return render_template("public/new.html", form=form)
    if form.website.data:
        # Only bots see the honeypot field; they get a refusal and nothing is stored.
        abort(400)
    form_ok = form.validate()  # the CSRF token: the fields are the service's to check
    uploads = []
    try:
        validate_complaint(form.to_data())
    except ValidationFailed as error:
        attach_errors(form, error.fields, error.labels)
        form_ok = False
    try:
        uploads = read_uploads("attachments", request.files.getlist(form.attachments.name))
    except ValidationFailed as error:
        attach_errors(form, error.fields, error.labels)
        form_ok = False
    if not form_ok:
        return render_template("public/new.html", form=form), 422
    case = submit_public_complaint(form.to_data(), uploads)
    db.session.commit()
    _remember_receipt(case)
    return redirect(url_for("public.thanks")), 303


def _remember_receipt(case: Case) -> None:
    """Let this browser session show the receipt again (it holds the only copy of the code
    for an anonymous complainant)."""
    kept = [i for i in session.get("receipts", []) if i != case.id]
    session["receipts"] = [*kept, case.id][-RECEIPTS_KEPT:]


def _session_receipts() -> list[Case]:
    """Return the cases filed in this browser session, newest first."""
    ids = [i for i in session.get("receipts", []) if isinstance(i, int)]
    cases = [db.session.get(Case, i) for i in reversed(ids)]
    return [c for c in cases if c is not None]


@bp.get("/complaints/thanks")
def thanks():
    """Show the receipt of the complaint filed last in this browser session."""
    receipts = _session_receipts()
    if not receipts:
        return redirect(url_for("public.track"))
    return _receipt_page(receipts[0], receipts)


@bp.get("/complaints/receipts/<number>")
def receipt(number: str):
    """Show again the receipt of a complaint filed in this browser session (404 otherwise)."""
    receipts = _session_receipts()
    case = next((c for c in receipts if c.number == number), None)
    if case is None:
        abort(404)
    return _receipt_page(case, receipts)


def _receipt_page(case: Case, receipts: list[Case]):
    response = make_response(
        render_template(
            "public/thanks.html",
            case=case,
            sent_to=receipt_sent_to(case),
            others=[c for c in receipts if c.id != case.id],
        )
    )
    # The tracking code is the key to the case: no shared cache may keep it.
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/track", methods=["GET", "POST"])
@limiter.limit(_track_limit, methods=["POST"])
def track():
    """Look a complaint up by its tracking code (posted, so it stays out of URLs and logs)."""
    form = TrackForm()
    receipts = _session_receipts()
    if form.validate_on_submit():
        case = find_by_tracking_code(form.code.data)
        if case is not None:
            return render_template("public/progress.html", progress=public_progress(case))
        form.code.errors = [_("No complaint has this tracking code. Check it and try again.")]
        return render_template("public/track.html", form=form, receipts=receipts), 404
    status = 422 if request.method == "POST" else 200
    return render_template("public/track.html", form=form, receipts=receipts), status


@bp.errorhandler(429)
def too_many(error):
    """Answer a breached limit with the page again, with what was typed and when to retry."""
    retry = _retry_after()
    message = _(
        "Too many submissions from your connection in a short time. "
        "Wait %(n)d seconds, then send again: what you typed is still here.",
        n=retry,
    )
    if request.endpoint == "public.new_complaint":
        form = PublicComplaintForm()
        fill_intake_choices(form)
        if any(f.filename for f in request.files.getlist(form.attachments.name)):
            message += " " + _("Choose the attachments again before sending.")
        page = render_template("public/new.html", form=form, limited=message)
    elif request.endpoint == "public.track":
        page = render_template(
            "public/track.html", form=TrackForm(), limited=message, receipts=_session_receipts()
        )
    else:
        page = render_template("errors/error.html", status=429, message=message)
    response = make_response(page, 429)
    response.headers["Retry-After"] = str(retry)
    return response


def _retry_after() -> int:
    """Return the seconds until the breached limit lets this client in again."""
    try:
        reset_at = limiter.current_limit.reset_at
    except Exception:  # the store may be away: then say a minute
        return 60
    return max(1, math.ceil(reset_at - time.time()))
