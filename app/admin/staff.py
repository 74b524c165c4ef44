"""Administration of the units' staff lists: entries, pending names, merges and imports.

Admins see who is on a list and how many cases name an entry, never what those cases
say (separation of duties, DESIGN §2).
"""

import sqlalchemy as sa
from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy.orm import joinedload
from wtforms.fields.choices import SelectChoice

from app.admin import bp
from app.admin.forms import StaffEditForm, StaffForm, StaffImportForm
from app.admin.users import Saved, _confirm, _form_data, _save
from app.auth.forms import ConfirmForm
from app.cases.models import CaseStaff
from app.core.confirm import ask_first, not_yet_confirmed
from app.core.errors import DomainError
from app.core.trail import events_of
from app.core.validation import DB_INT_MAX, strip_control
from app.extensions import db
from app.units.models import Staff, Unit
from app.units.staff import (
    STAFF_STATES,
    confirm_staff,
    create_staff,
    deactivate_staff,
    merge_candidates,
    merge_staff,
    pending_count,
    pending_staff,
    reactivate_staff,
    staff_state,
    state_clause,
    update_staff,
)
from app.units.staff_import import (
    ImportRefused,
    apply_import,
    plan_import,
    read_staff_file,
    rows_from_payload,
    rows_to_payload,
    template_csv,
    template_xlsx,
)

PAGE_SIZE = 30
# How long a preview's answer is taken: after that the file is uploaded again.
PREVIEW_MAX_AGE = 3600
# Rows a preview lists of each kind; the counts say how many there are in all.
PREVIEW_ROWS = 200


@bp.context_processor
def _staff_helpers():
    return {"staff_state": staff_state}


def _staff_or_404(staff_id: int) -> Staff:
    return db.get_or_404(Staff, staff_id) if 0 < staff_id <= DB_INT_MAX else abort(404)


def _unit_choices() -> list[SelectChoice]:
    units = db.session.scalars(
        sa.select(Unit).where(Unit.active.is_(True)).order_by(Unit.tier, Unit.code)
    )
    return [SelectChoice("", "—")] + [
        SelectChoice(str(u.id), f"{u.name}（{u.code}）") for u in units
    ]


def _case_counts(ids) -> dict[int, int]:
    """Return how many cases name each entry: a number, nothing of what they say."""
    if not ids:
        return {}
    rows = db.session.execute(
        sa.select(CaseStaff.staff_id, sa.func.count())
        .where(CaseStaff.staff_id.in_(ids))
        .group_by(CaseStaff.staff_id)
    )
    return dict(rows.all())


@bp.get("/staff")
def staff():
    """List the staff of the units, searchable by name or post, filtered by unit and state."""
    q = strip_control(request.args.get("q"), 40)
    state = request.args.get("state", "")
    state = state if state in STAFF_STATES else ""
    unit_id = request.args.get("unit_id", type=int)
    unit_id = unit_id if unit_id and 0 < unit_id <= DB_INT_MAX else None
    stmt = (
        sa.select(Staff)
        .join(Unit, Unit.id == Staff.unit_id)
        .options(joinedload(Staff.unit), joinedload(Staff.merged_into))
        .order_by(Unit.tier, Unit.code, Staff.name, Staff.post, Staff.id)
    )
    if q:
        like = {"autoescape": True}
        stmt = stmt.where(sa.or_(Staff.name.contains(q, **like), Staff.post.contains(q, **like)))
    # Merged slips only when asked for.
    stmt = stmt.where(state_clause(state) if state else Staff.merged_into_id.is_(None))
    if unit_id:
        stmt = stmt.where(Staff.unit_id == unit_id)
    page = db.paginate(stmt, per_page=PAGE_SIZE, error_out=False, max_per_page=PAGE_SIZE)
    return render_template(
        "admin/staff.html",
        page=page,
        filters={"q": q, "state": state, "unit_id": unit_id},
        units=_unit_choices(),
        states=STAFF_STATES,
        pending=pending_count(),
    )


@bp.route("/staff/new", methods=["GET", "POST"])
def staff_new():
    """Add a person to a unit's list."""
    form = StaffForm()
    form.unit_id.choices = _unit_choices()
    if request.method == "GET":
        form.unit_id.data = request.args.get("unit_id", "")
    saved = _save(form, lambda: create_staff(_form_data(form), current_user))
    if saved.done:
        flash(_("%(name)s added to the list.", name=saved.value.label), "success")
        return redirect(url_for("admin.staff_entry", staff_id=saved.value.id)), 303
    return render_template("admin/staff_entry.html", form=form, obj=None), saved.status


@bp.route("/staff/<int:staff_id>", methods=["GET", "POST"])
def staff_entry(staff_id: int):
    """Show an entry with its history; correct its name or post."""
    obj = _staff_or_404(staff_id)
    form = StaffEditForm(obj=obj) if request.method == "GET" else StaffEditForm()
    try:
        saved = _save(form, lambda: update_staff(obj, _form_data(form), current_user))
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        saved = Saved(False, status=409)
    if saved.done:
        flash(_("Saved."), "success")
        return redirect(url_for("admin.staff_entry", staff_id=obj.id)), 303
    obj = db.session.get(Staff, staff_id)
    history = db.session.scalars(events_of("staff", obj.id)).all()
    return render_template(
        "admin/staff_entry.html",
        form=form,
        obj=obj,
        cases=_case_counts([obj.id]).get(obj.id, 0),
        candidates=merge_candidates(obj) if staff_state(obj) == "pending" else [],
        history=history[::-1],
        merge_question=_merge_question(obj),
    ), saved.status


def _act(obj: Staff, action, done: str, undone: str):
    """Run a state change on an entry, commit it and say what happened."""
    if not ConfirmForm().validate():
        abort(400)
    try:
        changed = action(obj, current_user)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return
    db.session.commit()
    flash(done if changed else undone, "success" if changed else "info")


@bp.route("/staff/<int:staff_id>/deactivate", methods=["GET", "POST"])
def staff_deactivate(staff_id: int):
    """Ask, then take an entry off the lists intake offers."""
    obj = _staff_or_404(staff_id)
    back = url_for("admin.staff_entry", staff_id=obj.id)
    if request.method == "GET":
        return _confirm(
            _("Deactivate %(name)s", name=obj.label),
            _(
                "%(name)s is no longer offered when a complaint is registered. The cases that "
                "name them keep doing so.",
                name=obj.label,
            ),
            _("Deactivate"),
            back,
        )
    _act(obj, deactivate_staff, _("Deactivated."), _("It was deactivated already."))
    return redirect(back), 303


@bp.post("/staff/<int:staff_id>/reactivate")
def staff_reactivate(staff_id: int):
    """Offer a deactivated entry at intake again."""
    obj = _staff_or_404(staff_id)
    _act(obj, reactivate_staff, _("Active again."), _("It was active already."))
    return redirect(url_for("admin.staff_entry", staff_id=obj.id)), 303


@bp.get("/staff/pending")
def staff_pending():
    """List the names typed at intake that are not on a list yet: confirm or merge each."""
    page = db.paginate(
        pending_staff().options(joinedload(Staff.unit)),
        per_page=PAGE_SIZE,
        error_out=False,
        max_per_page=PAGE_SIZE,
    )
    units = {s.unit_id for s in page.items}
    candidates: dict[int, list[Staff]] = {}
    if units:
        for entry in db.session.scalars(
            sa.select(Staff)
            .where(Staff.unit_id.in_(units), state_clause("active"))
            .order_by(Staff.name, Staff.post, Staff.id)
        ):
            candidates.setdefault(entry.unit_id, []).append(entry)
    return render_template(
        "admin/staff_pending.html",
        page=page,
        candidates=candidates,
        cases=_case_counts([s.id for s in page.items]),
        merge_question=_merge_question,
    )


@bp.post("/staff/<int:staff_id>/confirm")
def staff_confirm(staff_id: int):
    """Put a pending entry on its unit's list."""
    obj = _staff_or_404(staff_id)
    _act(obj, confirm_staff, _("%(name)s is on the list now.", name=obj.label), _("Nothing to do."))
    return redirect(_back_to_pending(obj)), 303


def _back_to_pending(obj: Staff) -> str:
    if request.form.get("back") == "entry":
        return url_for("admin.staff_entry", staff_id=obj.id)
    return url_for("admin.staff_pending")


def _merge_question(pending: Staff, into: Staff | None = None) -> str:
    if into is None:
        return _(
            "Merge “%(name)s” into the entry chosen? The cases that name it will name that "
            "entry instead. This cannot be undone.",
            name=pending.label,
        )
    return _(
        "Merge “%(name)s” into “%(into)s”? The cases that name it will name %(into)s "
        "instead. This cannot be undone.",
        name=pending.label,
        into=into.label,
    )


@bp.post("/staff/<int:staff_id>/merge")
def staff_merge(staff_id: int):
    """Merge a pending entry into the real one of its unit, once the admin has said yes."""
    obj = _staff_or_404(staff_id)
    back = _back_to_pending(obj)
    if not ConfirmForm().validate():
        abort(400)
    into_id = request.form.get("into_id", type=int)
    into = db.session.get(Staff, into_id) if into_id and 0 < into_id <= DB_INT_MAX else None
    if into is None:
        flash(_("Choose the entry to merge into."), "error")
        return redirect(back), 303
    if not_yet_confirmed():
        return ask_first(_merge_question(obj, into), back)
    try:
        moved = merge_staff(obj, into, current_user)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(back), 303
    db.session.commit()
    flash(
        _("Merged into %(into)s; %(n)d cases moved.", into=into.label, n=moved),
        "success",
    )
    return redirect(url_for("admin.staff_pending")), 303


# Import ---------------------------------------------------------------------------------


def _signer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt="staff-import")


@bp.route("/staff/import", methods=["GET", "POST"])
def staff_import():
    """Upload a staff list; what it would change is shown, and imported only when confirmed."""
    form = StaffImportForm()
    if request.method == "GET":
        return render_template("admin/staff_import.html", form=form, problems=None)
    if not form.validate():
        return render_template("admin/staff_import.html", form=form, problems=None), 422
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        form.file.errors = [_("Choose a CSV or XLSX file.")]
        return render_template("admin/staff_import.html", form=form, problems=None), 422
    # One byte past the limit is enough to know it is too large.
    content = upload.stream.read(current_app.config["STAFF_IMPORT_MAX_BYTES"] + 1)
    try:
        rows = read_staff_file(upload.filename, content)
    except ImportRefused as refused:
        return _refused(form, refused)
    plan = plan_import(rows)
    return render_template(
        "admin/staff_import_preview.html",
        plan=plan,
        shown=PREVIEW_ROWS,
        filename=strip_control(upload.filename, 120),
        payload=_signer().dumps(rows_to_payload(rows)),
        confirm_form=ConfirmForm(),
    )


def _refused(form, refused: ImportRefused):
    form.file.errors = [
        _("The file was not imported: nothing is stored. Correct it and upload it again.")
    ]
    problems = [(row, message) for row, message in refused.problems]
    return render_template("admin/staff_import.html", form=form, problems=problems, shown=50), 422


@bp.post("/staff/import/apply")
def staff_import_apply():
    """Import the rows a preview showed, checked again against the lists as they are now."""
    form = StaffImportForm()
    if not ConfirmForm().validate():
        abort(400)
    try:
        payload = _signer().loads(request.form.get("payload", ""), max_age=PREVIEW_MAX_AGE)
        rows = rows_from_payload(payload)
    except BadSignature:
        form.file.errors = [_("This preview is no longer valid: upload the file again.")]
        return render_template("admin/staff_import.html", form=form, problems=None), 400
    except ImportRefused as refused:
        return _refused(form, refused)
    plan = apply_import(rows, current_user)
    db.session.commit()
    flash(
        _(
            "Imported: %(added)d added, %(updated)d changed, %(unchanged)d already listed.",
            added=len(plan.add),
            updated=len(plan.update),
            unchanged=plan.unchanged,
        ),
        "success",
    )
    return redirect(url_for("admin.staff")), 303


@bp.get("/staff/import/template.<kind>")
def staff_import_template(kind: str):
    """Download an empty staff list to fill in: CSV or XLSX."""
    if kind == "csv":
        body, mimetype = template_csv(), "text/csv; charset=utf-8"
    elif kind == "xlsx":
        body = template_xlsx()
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        abort(404)
    response = current_app.response_class(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f"attachment; filename=staff-template.{kind}"
    return response
