"""Hotline intake for operators on a live call."""

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.auth.models import CENTER_ROLES
from app.cases.access import visible_cases
from app.cases.models import Category
from app.core.errors import ValidationFailed
from app.core.forms import select_choices
from app.core.validation import strip_control
from app.extensions import db
from app.intake import bp
from app.intake.forms import HotlineForm
from app.intake.services import earlier_cases_by_phone, register_case, validate_complaint
from app.units.models import UnitKind
from app.units.services import list_units


def _require_center() -> None:
    if not current_user.has_role(*CENTER_ROLES):
        abort(403)


def _fill_choices(form: HotlineForm) -> None:
    form.respondent_unit_code.choices = select_choices(
        [("", _("— choose —"))]
        + [
            (u.code, f"{u.name} ({u.code})")
            for u in list_units()
            if u.kind != UnitKind.COMPLAINT_CENTER
        ]
    )
    categories = db.session.scalars(
        sa.select(Category).where(Category.active.is_(True)).order_by(Category.position)
    )
    form.category_code.choices = select_choices(
        [("", _("— choose —"))] + [(c.code, c.name) for c in categories]
    )


@bp.route("/intake/hotline", methods=["GET", "POST"])
@login_required
def hotline():
    """Register a complaint taken on the hotline."""
    _require_center()
    form = HotlineForm()
    _fill_choices(form)
    status = 200
    if request.method == "POST":
        form_ok = form.validate()
        # Run the service's checks too, so the operator sees every problem at once
        # instead of fixing one field per submit.
        try:
            validate_complaint(form.to_data())
        except ValidationFailed as error:
            _attach_errors(form, error.fields)
            form_ok = False
        if form_ok:
            case = register_case(form.to_data(), current_user)
            db.session.commit()
            flash(_("Registered as %(number)s.", number=case.number), "success")
            return redirect(url_for("cases.show", case_id=case.id)), 303
        status = 422
    earlier = earlier_cases_by_phone(
        strip_control(form.phone.data, 32), visible_cases(current_user)
    )
    return render_template("intake/hotline.html", form=form, earlier=earlier), status


def _attach_errors(form: HotlineForm, fields: dict[str, str]) -> None:
    """Show service errors next to the form fields they concern."""
    for name, message in fields.items():
        target = getattr(form, name.split(".")[-1], None)
        if target is None:
            flash(f"{name}: {message}", "error")
        elif message not in target.errors:
            target.errors = [*target.errors, message]


@bp.get("/intake/earlier-cases")
@login_required
def earlier_cases():
    """Return the caller's earlier cases as an HTML fragment for the intake form."""
    _require_center()
    phone = strip_control(request.args.get("phone"), 32)
    earlier = earlier_cases_by_phone(phone, visible_cases(current_user))
    return render_template("intake/_earlier_cases.html", earlier=earlier, phone=phone)
