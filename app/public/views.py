"""Public pages: the complaint form, its receipt, and the progress page."""

from flask import abort, current_app, redirect, render_template, request, session, url_for
from flask_babel import gettext as _

from app.attachments.storage import read_uploads
from app.cases.models import Case
from app.core.errors import ValidationFailed
from app.extensions import db, limiter
from app.intake.services import validate_complaint
from app.intake.views import attach_errors, fill_intake_choices
from app.public import bp
from app.public.forms import PublicComplaintForm, TrackForm
from app.public.services import find_by_tracking_code, public_progress, submit_public_complaint


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
    form_ok = form.validate()
    uploads = []
    try:
        validate_complaint(form.to_data())
    except ValidationFailed as error:
        attach_errors(form, error.fields)
        form_ok = False
    try:
        uploads = read_uploads("attachments", request.files.getlist(form.attachments.name))
    except ValidationFailed as error:
        attach_errors(form, error.fields)
        form_ok = False
    if not form_ok:
        return render_template("public/new.html", form=form), 422
    case = submit_public_complaint(form.to_data(), uploads)
    db.session.commit()
    session["submitted_case_id"] = case.id
    return redirect(url_for("public.thanks")), 303


@bp.get("/complaints/thanks")
def thanks():
    """Show the receipt once: the case number and the tracking code."""
    case_id = session.pop("submitted_case_id", None)
    case = db.session.get(Case, case_id) if case_id else None
    if case is None:
        return redirect(url_for("public.track"))
    return render_template("public/thanks.html", case=case)


@bp.route("/track", methods=["GET", "POST"])
@limiter.limit(_track_limit, methods=["POST"])
def track():
    """Look a complaint up by its tracking code (posted, so it stays out of URLs and logs)."""
    form = TrackForm()
    if form.validate_on_submit():
        case = find_by_tracking_code(form.code.data)
        if case is not None:
            return render_template("public/progress.html", progress=public_progress(case))
        form.code.errors = [_("No complaint has this tracking code. Check it and try again.")]
        return render_template("public/track.html", form=form), 404
    status = 422 if request.method == "POST" else 200
    return render_template("public/track.html", form=form), status
