"""Hotline intake for operators on a live call."""

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from app.attachments.storage import read_uploads, store_uploads
from app.auth.models import CENTER_ROLES
from app.cases.access import visible_cases
from app.cases.actions import perform_action
from app.cases.categories import category_choices
from app.core.errors import ValidationFailed
from app.core.forms import select_choices
from app.core.permissions import roles_required
from app.core.types import utcnow
from app.core.validation import labelled, strip_control
from app.deadlines.workdays import to_local
from app.extensions import db
from app.intake import bp
from app.intake.duplicates import find_duplicates
from app.intake.forms import HotlineForm, LetterForm
from app.intake.services import earlier_cases_by_phone, register_case, validate_complaint
from app.units.naming import staff_picker_choices, web_errors
from app.units.services import handling_units, unit_picker_choices


def fill_intake_choices(form) -> None:
    """Offer the searchable unit picker and the active categories."""
    blank = SelectChoice("", _("— choose —"))
    form.respondent_unit_code.choices = [blank, *unit_picker_choices(handling_units())]
    form.category_code.choices = [blank, *category_choices()]
    if "respondent_staff_ids" in form:  # the public form names people as free text only
        form.respondent_staff_ids.choices = staff_picker_choices()


@bp.route("/intake/hotline", methods=["GET", "POST"])
@roles_required(*CENTER_ROLES)
def hotline():
    """Register a complaint taken on the hotline."""
    form = HotlineForm()
    fill_intake_choices(form)
    status = 200
    if request.method == "POST":
        form_ok = form.validate()
        # Run the service's checks too, so the operator sees every problem at once
        # instead of fixing one field per submit.
        try:
            validate_complaint(form.to_data())
        except ValidationFailed as error:
            attach_errors(form, web_errors(error.fields), error.labels)
            form_ok = False
        if form_ok:
            case = register_case(form.to_data(), current_user)
            merge_into = request.form.get("merge_into", type=int)
            if merge_into:
                # One click on a duplicate warning: register, then merge (并单) at once.
                try:
                    perform_action(case, "merge", current_user, {"case_id": merge_into})
                except ValidationFailed as error:
                    # The original went away meanwhile (merged itself): keep the call typed.
                    db.session.rollback()
                    flash(error.message, "error")
                    form_ok = False
                else:
                    db.session.commit()
                    flash(
                        _(
                            "Registered as %(number)s and merged into %(into)s.",
                            number=case.number,
                            into=case.duplicate_of.number,
                        ),
                        "success",
                    )
                    return redirect(url_for("cases.show", case_id=merge_into)), 303
        if form_ok:
            db.session.commit()
            flash(_("Registered as %(number)s.", number=case.number), "success")
            return redirect(url_for("cases.show", case_id=case.id)), 303
        status = 422
    earlier = earlier_cases_by_phone(
        strip_control(form.phone.data, 32), visible_cases(current_user)
    )
    return render_template("intake/hotline.html", form=form, earlier=earlier), status


def attach_errors(form, fields: dict[str, str], labels: dict[str, str] | None = None) -> None:
    """Show service errors next to the form fields they concern, one message per field.

    The service's message stands in for the form's own check of the same field; a field
    the form lacks is named by its label (``labels``) in a message at the top.
    """
    for name, message in fields.items():
        target = getattr(form, name.split(".")[-1], None)
        if target is None:
            flash(labelled((labels or {}).get(name, name), message), "error")
        else:
            target.errors = [message]


@bp.get("/intake/earlier-cases")
@roles_required(*CENTER_ROLES)
def earlier_cases():
    """Return the caller's earlier cases as an HTML fragment for the intake form."""
    phone = strip_control(request.args.get("phone"), 32)
    earlier = earlier_cases_by_phone(phone, visible_cases(current_user))
    return render_template("intake/_earlier_cases.html", earlier=earlier, phone=phone)


@bp.route("/intake/letter", methods=["GET", "POST"])
@roles_required(*CENTER_ROLES)
def letter():
    """Register a letter from a complaint box with its scanned pages."""
    form = LetterForm()
    fill_intake_choices(form)
    form.letter_box.choices = select_choices(
        (box, box) for box in current_app.config["LETTER_BOXES"]
    )
    if request.method == "GET":
        form.letter_collected_on.data = to_local(utcnow()).date()
        return render_template("intake/letter.html", form=form)
    form_ok = form.validate()
    scans = []
    for check in (
        lambda: validate_complaint(form.to_data()),
        lambda: scans.extend(read_uploads("scans", request.files.getlist(form.scans.name))),
    ):
        try:
            check()
        except ValidationFailed as error:
            attach_errors(form, web_errors(error.fields), error.labels)
            form_ok = False
    if not form_ok:
        return render_template("intake/letter.html", form=form), 422
    case = register_case(form.to_data(), current_user)
    store_uploads(scans, case=case, uploaded_by=current_user)
    db.session.commit()
    flash(_("Registered as %(number)s.", number=case.number), "success")
    return redirect(url_for("cases.show", case_id=case.id)), 303


@bp.get("/intake/duplicates")
@roles_required(*CENTER_ROLES)
def duplicates():
    """Return possible duplicates of the complaint being typed, as an HTML fragment."""
    draft = {
        "phone": strip_control(request.args.get("phone"), 32),
        "unit_code": strip_control(request.args.get("unit_code"), 40),
        "category_code": strip_control(request.args.get("category_code"), 40),
        "title": strip_control(request.args.get("title"), 200),
        "content": strip_control(request.args.get("content"), 2000),
    }
    found = find_duplicates(draft, visible_cases(current_user))
    return render_template("intake/_duplicates.html", duplicates=found)
