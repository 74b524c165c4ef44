"""The inspectors' and leaders' workspace: queue, referrals, cases, records, inspections."""

import sqlalchemy as sa
from flask import (
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.accountability import bp
from app.accountability.access import (
    READER_ROLES,
    get_acc_case_or_404,
    get_inspection_or_404,
    get_referral_or_404,
    is_office_staff,
    may_read_unit,
)
from app.accountability.forms import ACC_FORMS, REFERRAL_FORMS, fill_choices
from app.accountability.inspections import (
    FINDING_LABELS,
    INSPECTION_LABELS,
    add_finding,
    record_inspection,
)
from app.accountability.models import (
    INSPECTION_FINDING_LABELS,
    AccountabilityCase,
    Decision,
    LegalBasis,
)
from app.accountability.notices import decision_data
from app.accountability.queries import TABS, default_tab, tab_counts, tab_statements
from app.accountability.records import COUNTER_LABELS, staff_record, unit_record
from app.accountability.referrals import accept_referral, create_referral, decline_referral
from app.accountability.services import open_acc_cases_of, perform_acc_action
from app.accountability.specs import ACC_SPECS, REFERRAL_SPECS
from app.accountability.workflow import ACC_NEXT_STEPS, ACC_PRIMARY_ORDER, ACC_WORKFLOW
from app.attachments.models import Attachment
from app.attachments.storage import attachment_path, read_uploads, store_uploads
from app.auth.models import INSPECTOR_ROLES
from app.core.confirm import ask_first, not_yet_confirmed
from app.core.errors import Conflict, StaleVersion, ValidationFailed
from app.core.labels import label
from app.core.permissions import roles_required
from app.core.validation import labelled
from app.extensions import db
from app.units.models import Staff, Unit
from app.units.services import handling_units, unit_picker_choices

# Steps that cannot be undone ask first; ``%(number)s`` is the case's number.
CONFIRMATIONS = {
    "approve": _l(
        "Approving numbers every decision of %(number)s and has its notice rendered; a "
        "number once issued is never taken back. Approve?"
    ),
    "no_action": _l(
        "%(number)s will be closed without accountability. This cannot be undone. Continue?"
    ),
    "decide_appeal": _l("The appeal decision is final and goes on the record. Continue?"),
    "close": _l("%(number)s will be closed. This cannot be undone. Close?"),
}


def _question(action: str, acc_case) -> str | None:
    question = CONFIRMATIONS.get(action)
    return None if question is None else str(question) % {"number": acc_case.number}


def _flash_errors(error: ValidationFailed, form) -> None:
    flash(error.message, "error")
    for name, message in error.fields.items():
        if name in form:
            form[name].errors = [*form[name].errors, message]


# ---------------------------------------------------------------- queue


@bp.get("/accountability")
@roles_required(*READER_ROLES)
def queue():
    """The queue: referrals, my cases, waiting approval, deadlines, all cases."""
    tabs = tab_statements(current_user)
    counts = tab_counts(tabs)
    tab = request.args.get("tab") or default_tab(current_user, counts)
    if tab not in tabs:
        tab = "all"
    page = db.paginate(
        tabs[tab],
        page=request.args.get("page", 1, type=int),
        per_page=current_app.config["WORKLIST_PAGE_SIZE"],
        error_out=False,
        count=True,
    )
    return render_template(
        "accountability/queue.html",
        tabs=[t for t in TABS if t in tabs],
        tab=tab,
        counts=counts,
        page=page,
        rows=list(page.items) if tab != "deadlines" else None,
        deadlines=(
            db.session.execute(
                tabs[tab]
                .limit(current_app.config["WORKLIST_PAGE_SIZE"])
                .offset((page.page - 1) * current_app.config["WORKLIST_PAGE_SIZE"])
            ).all()
            if tab == "deadlines"
            else None
        ),
        office=is_office_staff(current_user),
    )


# ---------------------------------------------------------------- referrals


def _subject_choices(form) -> None:
    staff = db.session.scalars(
        sa.select(Staff).where(Staff.active.is_(True)).order_by(Staff.unit_id, Staff.name)
    ).all()
    fill_choices(form, units=unit_picker_choices(handling_units()), staff=staff)


@bp.route("/accountability/referrals/new", methods=["GET", "POST"])
@roles_required(*INSPECTOR_ROLES)
def new_referral():
    """Enter a referral by hand."""
    form = REFERRAL_FORMS["create"]()
    _subject_choices(form)
    if request.method == "POST":
        if form.validate():
            try:
                referral = create_referral(form.to_data(), current_user)
            except ValidationFailed as error:
                db.session.rollback()
                _flash_errors(error, form)
            else:
                db.session.commit()
                flash(_("Referral entered."), "success")
                return redirect(url_for(".referral", referral_id=referral.id), 303)
        return render_template("accountability/referral_new.html", form=form), 422
    return render_template("accountability/referral_new.html", form=form)


def _render_referral(referral, accept=None, decline=None, status: int = 200):
    accept = accept or REFERRAL_FORMS["accept"](formdata=None)
    decline = decline or REFERRAL_FORMS["decline"](formdata=None)
    fill_choices(accept, open_cases=open_acc_cases_of(referral.organ_id))
    return (
        render_template(
            "accountability/referral.html", referral=referral, accept=accept, decline=decline
        ),
        status,
    )


@bp.get("/accountability/referrals/<int:referral_id>")
@roles_required(*INSPECTOR_ROLES)
def referral(referral_id: int):
    """One referral: what it is about, its sources, and the forms to accept or decline it."""
    return _render_referral(get_referral_or_404(referral_id, current_user))


@bp.post("/accountability/referrals/<int:referral_id>/<step>")
@roles_required(*INSPECTOR_ROLES)
def decide_referral(referral_id: int, step: str):
    """Accept a referral into a case, or decline it with a reason."""
    if step not in ("accept", "decline"):
        abort(404)
    referral = get_referral_or_404(referral_id, current_user)
    form = REFERRAL_FORMS[step]()
    if step == "accept":
        fill_choices(form, open_cases=open_acc_cases_of(referral.organ_id))
    forms = {step: form}
    if not form.validate():
        flash(_("The form has expired. Send it again."), "error")
        return _render_referral(referral, status=422, **forms)
    if step == "decline" and not_yet_confirmed():
        try:
            REFERRAL_SPECS["decline"].read(form.to_data())
        except ValidationFailed as error:
            _flash_errors(error, form)
            return _render_referral(referral, status=422, **forms)
        question = _("The referral will be declined and stays on record. Continue?")
        return ask_first(question, url_for(".referral", referral_id=referral.id))
    try:
        if step == "accept":
            acc_case = accept_referral(referral, form.to_data(), current_user)
        else:
            decline_referral(referral, form.to_data(), current_user)
    except ValidationFailed as error:
        db.session.rollback()
        _flash_errors(error, form)
        return _render_referral(referral, status=422, **forms)
    except Conflict as error:
        db.session.rollback()
        flash(error.message, "error")
        return _render_referral(referral, status=409)
    db.session.commit()
    if step == "accept":
        if form.into.data:
            flash(_("Accepted into %(number)s.", number=acc_case.number), "success")
        else:
            flash(_("Accepted as %(number)s.", number=acc_case.number), "success")
        return redirect(url_for(".case", acc_case_id=acc_case.id), 303)
    flash(_("Referral declined."), "success")
    return redirect(url_for(".queue", tab="referrals"), 303)


# ---------------------------------------------------------------- cases


def _fill(form, acc_case) -> None:
    staff = db.session.scalars(
        sa.select(Staff)
        .where(Staff.active.is_(True), Staff.unit_id.in_({d.unit_id for d in acc_case.decisions}))
        .order_by(Staff.name)
    ).all()
    # The bases in force, and any a draft of this case cites that is no longer: it stays
    # chosen, marked, so that saving the draft again never drops it without a word.
    cited = {b.id for d in acc_case.decisions for b in d.bases}
    bases = db.session.scalars(
        sa.select(LegalBasis)
        .where(sa.or_(LegalBasis.active.is_(True), LegalBasis.id.in_(cited)))
        .order_by(LegalBasis.position, LegalBasis.id)
    ).all()
    fill_choices(
        form,
        decisions=_decisions_for(form.action, acc_case),
        units=unit_picker_choices(handling_units()),
        staff=staff,
        bases=bases,
    )


def _decisions_for(action: str, acc_case) -> list:
    """The decisions an action can be about: only those it may still be taken on."""
    decisions = acc_case.decisions
    if action == "serve":
        return [d for d in decisions if d.served_at is None and not d.revoked]
    if action == "file_appeal":
        return [d for d in decisions if d.appeal_open]
    if action == "decide_appeal":
        return [d for d in decisions if d.appeal_filed_at and d.appeal_outcome is None]
    if action == "record_execution":
        return [d for d in decisions if d.awaits_execution]
    return decisions


def _prefill(form, acc_case) -> None:
    if form.action == "draft_decision" and acc_case.decisions:
        first = next((d for d in acc_case.decisions if not d.complete), acc_case.decisions[0])
        form.decision.data = str(first.id)
        form.form_code.data = first.form_code or ""
        form.facts.data = first.facts
        form.basis_ids.data = [str(b.id) for b in first.bases]
        form.requirements.data = first.requirements
        form.execution_days.data = first.execution_days
        form.consequences.data = first.consequences
    elif form.action == "request_statement":
        form.days.data = current_app.config["STATEMENT_WORKDAYS"]
    elif form.action == "serve":
        pending = _decisions_for("serve", acc_case)
        if pending:
            form.decision.data = str(pending[0].id)
            who = pending[0].staff.name if pending[0].staff else pending[0].unit.name
            form.served_to.data = who


def _render_case(acc_case: AccountabilityCase, posted=None, status: int = 200):
    forms = {}
    for action in ACC_WORKFLOW.allowed(acc_case, current_user):
        form = ACC_FORMS[action](formdata=None, version=acc_case.version)
        _fill(form, acc_case)
        _prefill(form, acc_case)
        forms[action] = form
    primary = next((a for a in ACC_PRIMARY_ORDER if a in forms), next(iter(forms), None))
    if posted is not None and posted[0] in forms:
        primary, forms[posted[0]] = posted
    if primary is not None:
        forms = {primary: forms[primary], **forms}
    previews = {
        d.id: decision_data(d) for d in acc_case.decisions if d.form is not None and not d.revoked
    }
    return (
        render_template(
            "accountability/case.html",
            acc_case=acc_case,
            forms=forms,
            primary_action=primary,
            next_step=primary if primary in ACC_NEXT_STEPS else None,
            questions={a: _question(a, acc_case) for a in forms},
            previews=previews,
        ),
        status,
    )


@bp.get("/accountability/cases/<int:acc_case_id>")
@roles_required(*READER_ROLES)
def case(acc_case_id: int):
    """One accountability case: sources, subjects and drafts, notices, trail, actions."""
    return _render_case(get_acc_case_or_404(acc_case_id, current_user))


@bp.post("/accountability/cases/<int:acc_case_id>/<action>")
@roles_required(*INSPECTOR_ROLES)
def act(acc_case_id: int, action: str):
    """Take one step of the case from its page."""
    if action not in ACC_FORMS:
        abort(404)
    acc_case = get_acc_case_or_404(acc_case_id, current_user)
    form = ACC_FORMS[action]()
    _fill(form, acc_case)
    if not form.validate():
        for name, errors in form.errors.items():
            flash(labelled(form[name].label.text, "; ".join(errors)), "error")
        return _render_case(acc_case, posted=(action, form), status=422)
    question = _question(action, acc_case)
    if question and not_yet_confirmed() and action in ACC_WORKFLOW.allowed(acc_case, current_user):
        # A bad or empty field is named before anything is asked.
        try:
            ACC_SPECS[action].read(form.to_data())
        except ValidationFailed as error:
            _flash_errors(error, form)
            return _render_case(acc_case, posted=(action, form), status=422)
        return ask_first(question, url_for(".case", acc_case_id=acc_case.id))
    try:
        receipt = read_uploads("receipt", request.files.getlist("receipt"))[:1]
        perform_acc_action(
            acc_case, action, current_user, form.to_data(), expected_version=form.version.data
        )
        if action == "serve" and receipt:
            _keep_receipt(acc_case, form.decision.data, receipt)
    except ValidationFailed as error:
        db.session.rollback()
        _flash_errors(error, form)
        return _render_case(acc_case, posted=(action, form), status=422)
    except Conflict as error:
        db.session.rollback()
        flash(
            _(
                "The case has changed since this page was opened. It is shown below as it is "
                "now; what you typed is kept: check it and send it again."
            )
            if isinstance(error, StaleVersion)
            else error.message,
            "error",
        )
        form.version.data = acc_case.version
        return _render_case(acc_case, posted=(action, form), status=409)
    db.session.commit()
    flash(_("Done: %(action)s", action=label(action, "acc_action")), "success")
    return redirect(url_for(".case", acc_case_id=acc_case.id), 303)


def _keep_receipt(acc_case, decision_id: str, receipt) -> None:
    """Store the scan of the receipt with the decision just served."""
    decision = next(d for d in acc_case.decisions if str(d.id) == decision_id)
    [attachment] = store_uploads(receipt, uploaded_by=current_user)
    db.session.flush()
    decision.receipt_attachment_id = attachment.id


@bp.get("/accountability/files/<int:attachment_id>")
@roles_required(*READER_ROLES)
def file(attachment_id: int):
    """Send a receipt scan or an inspection photo to those who read its case or inspection."""
    attachment = db.session.get(Attachment, attachment_id)
    if attachment is None:
        abort(404)
    if attachment.inspection_id is not None:
        get_inspection_or_404(attachment.inspection_id, current_user)
    else:
        decision = db.session.scalar(
            sa.select(Decision).where(Decision.receipt_attachment_id == attachment.id)
        )
        if decision is None:
            abort(404)
        get_acc_case_or_404(decision.acc_case_id, current_user)
    return send_file(
        attachment_path(attachment),
        mimetype=attachment.content_type,
        as_attachment=True,
        download_name=attachment.filename,
    )


# ---------------------------------------------------------------- records


def _record_context() -> dict:
    from app.accountability.records import suggestion_text
    from app.accountability.specs import forms_ladder

    return {
        "suggestion_text": suggestion_text,
        "form_names": {f.code: f.name for f in forms_ladder()},
    }


@bp.get("/accountability/records/staff/<int:staff_id>")
@roles_required(*READER_ROLES)
def staff_record_page(staff_id: int):
    """A person's efficiency record (效能档案)."""
    staff = db.session.get(Staff, staff_id)
    if staff is None or not may_read_unit(current_user, staff.unit_id):
        abort(404)
    return render_template(
        "accountability/record.html",
        **_record_context(),
        who=staff,
        unit=staff.unit,
        record=staff_record(staff),
        counter_labels=COUNTER_LABELS,
    )


@bp.get("/accountability/records/units/<int:unit_id>")
@roles_required(*READER_ROLES)
def unit_record_page(unit_id: int):
    """A unit's efficiency record (效能档案), with links to its staff's records."""
    unit = db.session.get(Unit, unit_id)
    if unit is None or not may_read_unit(current_user, unit.id):
        abort(404)
    staff = db.session.scalars(
        sa.select(Staff).where(Staff.unit_id == unit.id).order_by(Staff.name)
    ).all()
    return render_template(
        "accountability/record.html",
        **_record_context(),
        who=None,
        unit=unit,
        staff=staff,
        record=unit_record(unit),
        counter_labels=COUNTER_LABELS,
    )


# ---------------------------------------------------------------- inspections


INSPECTION_FIELDS = ("held_on", "place", "team", "notes")


@bp.route("/accountability/inspections/new", methods=["GET", "POST"])
@roles_required(*INSPECTOR_ROLES)
def new_inspection():
    """Record an inspection (明查暗访)."""
    values = {name: request.form.get(name, "") for name in INSPECTION_FIELDS}
    errors: dict[str, str] = {}
    if request.method == "POST":
        from flask_wtf.csrf import validate_csrf
        from wtforms import ValidationError

        try:
            validate_csrf(request.form.get("csrf_token"))
            photos = read_uploads("photos", request.files.getlist("photos"))
            inspection = record_inspection(values, current_user)
            for attachment in store_uploads(photos, uploaded_by=current_user):
                attachment.inspection_id = inspection.id
        except ValidationError:
            flash(_("The form has expired. Send it again."), "error")
        except ValidationFailed as error:
            db.session.rollback()
            flash(error.message, "error")
            errors = error.fields
        else:
            db.session.commit()
            flash(_("Inspection recorded. Add what it found."), "success")
            return redirect(url_for(".inspection", inspection_id=inspection.id), 303)
        return render_template(
            "accountability/inspection_new.html",
            values=values,
            errors=errors,
            inspection_labels=INSPECTION_LABELS,
        ), 422
    return render_template(
        "accountability/inspection_new.html",
        values=values,
        errors=errors,
        inspection_labels=INSPECTION_LABELS,
    )


FINDING_FIELDS = ("kind", "unit_code", "staff", "category_code", "title", "text")


def _render_inspection(inspection, values=None, errors=None, status: int = 200):
    from app.cases.categories import category_choices

    staff = db.session.scalars(
        sa.select(Staff).where(Staff.active.is_(True)).order_by(Staff.unit_id, Staff.name)
    ).all()
    return (
        render_template(
            "accountability/inspection.html",
            inspection=inspection,
            values=values or {},
            errors=errors or {},
            kinds=INSPECTION_FINDING_LABELS,
            labels=FINDING_LABELS,
            units=unit_picker_choices(handling_units()),
            staff=staff,
            categories=category_choices(),
        ),
        status,
    )


@bp.get("/accountability/inspections/<int:inspection_id>")
@roles_required(*INSPECTOR_ROLES)
def inspection(inspection_id: int):
    """An inspection with what it found and what each finding became."""
    return _render_inspection(get_inspection_or_404(inspection_id, current_user))


@bp.post("/accountability/inspections/<int:inspection_id>/findings")
@roles_required(*INSPECTOR_ROLES)
def inspection_finding(inspection_id: int):
    """Add a finding: a case for a unit's service, a referral for a person."""
    from flask_wtf.csrf import validate_csrf
    from wtforms import ValidationError

    inspection = get_inspection_or_404(inspection_id, current_user)
    values = {name: request.form.get(name, "") for name in FINDING_FIELDS}
    try:
        validate_csrf(request.form.get("csrf_token"))
        finding = add_finding(inspection, values, current_user)
    except ValidationError:
        flash(_("The form has expired. Send it again."), "error")
        return _render_inspection(inspection, values, {}, 422)
    except ValidationFailed as error:
        db.session.rollback()
        flash(error.message, "error")
        return _render_inspection(inspection, values, error.fields, 422)
    db.session.commit()
    if finding.case_id:
        flash(_("Finding recorded: a complaint case was registered for screening."), "success")
    else:
        flash(_("Finding recorded: a referral is in the queue."), "success")
    return redirect(url_for(".inspection", inspection_id=inspection.id), 303)
