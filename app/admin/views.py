"""Administration screens: the unit tree, categories, routing rules and the calendar."""

from datetime import date

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from app.admin import bp
from app.admin.forms import CalendarDayForm, CalendarYearForm, CategoryForm, RuleForm, UnitForm
from app.auth.models import Role
from app.cases.categories import save_category
from app.cases.models import Category
from app.cases.services import return_counts
from app.core.confirm import ask_first, not_yet_confirmed
from app.core.errors import ValidationFailed
from app.core.permissions import roles_required
from app.core.types import utcnow
from app.deadlines.calendar_admin import (
    FIRST_YEAR,
    LAST_YEAR,
    calendar_status,
    import_package_year,
    parse_year,
    save_year,
    set_day,
    stored_days,
    year_view,
)
from app.deadlines.services import calendar_years
from app.deadlines.workdays import to_local
from app.extensions import db
from app.intake.views import attach_errors
from app.routing.models import RoutingRule
from app.routing.router import RELATION_LABELS, TIER_LABELS, suggest_route
from app.routing.services import delete_rule, save_rule
from app.units.models import Unit
from app.units.services import save_unit


@bp.before_request
@roles_required(Role.ADMIN)
def _admins_only():
    """Keep everyone but the administrators out of the administration screens."""


def _units() -> list[Unit]:
    return list(db.session.scalars(sa.select(Unit).order_by(Unit.tier, Unit.code)))


def _tree() -> list[tuple[int, Unit]]:
    """Return (depth, unit) in territorial tree order."""
    units = _units()
    children: dict[int | None, list[Unit]] = {}
    for unit in units:
        children.setdefault(unit.parent_id, []).append(unit)
    ordered, stack = [], [(0, u) for u in reversed(children.get(None, []))]
    while stack:
        depth, unit = stack.pop()
        ordered.append((depth, unit))
        stack.extend((depth + 1, c) for c in reversed(children.get(unit.id, [])))
    return ordered


def _unit_choices():
    return [SelectChoice("", "—")] + [
        SelectChoice(str(u.id), f"{u.name} ({u.code})") for u in _units()
    ]


def _category_choices():
    categories = db.session.scalars(sa.select(Category).order_by(Category.position))
    return [SelectChoice("", _("(any)"))] + [SelectChoice(str(c.id), c.name) for c in categories]


def _edit(form, obj, save, template, back, **context):
    """Validate, save through the service, and show field errors where they belong."""
    if request.method == "POST" and form.validate():
        try:
            saved = save(obj, {name: field.data for name, field in form._fields.items()})
        except ValidationFailed as error:
            db.session.rollback()
            attach_errors(form, error.fields, error.labels)
        else:
            db.session.commit()
            flash(_("Saved."), "success")
            return redirect(url_for(back)), 303, saved
    status = 422 if request.method == "POST" else 200
    return render_template(template, form=form, obj=obj, **context), status, None


@bp.get("/")
def index():
    """Start at the unit tree."""
    return redirect(url_for("admin.units"))


@bp.get("/units")
def units():
    """Show the unit tree with territorial parents and sector supervisors."""
    return render_template(
        "admin/units.html", tree=_tree(), returns=return_counts(), tier_labels=TIER_LABELS
    )


@bp.route("/units/new", methods=["GET", "POST"])
@bp.route("/units/<int:unit_id>", methods=["GET", "POST"])
def unit(unit_id: int | None = None):
    """Create or edit a unit."""
    obj = db.get_or_404(Unit, unit_id) if unit_id else None
    form = UnitForm(obj=obj) if request.method == "GET" and obj else UnitForm()
    if request.method == "GET" and obj:
        form.parent_id.data = str(obj.parent_id or "")
        form.supervisor_id.data = str(obj.supervisor_id or "")
        form.tier.data = str(obj.tier)
    form.parent_id.choices = form.supervisor_id.choices = _unit_choices()
    response, status, _saved = _edit(
        form, obj, save_unit, "admin/form.html", "admin.units", title=_("Unit")
    )
    return response, status


@bp.get("/categories")
def categories():
    """List the complaint categories."""
    rows = db.session.scalars(sa.select(Category).order_by(Category.position))
    return render_template("admin/categories.html", categories=list(rows))


@bp.route("/categories/new", methods=["GET", "POST"])
@bp.route("/categories/<int:category_id>", methods=["GET", "POST"])
def category(category_id: int | None = None):
    """Create or edit a category."""
    obj = db.get_or_404(Category, category_id) if category_id else None
    form = CategoryForm(obj=obj) if request.method == "GET" and obj else CategoryForm()
    response, status, _saved = _edit(
        form, obj, save_category, "admin/form.html", "admin.categories", title=_("Category")
    )
    return response, status


@bp.get("/routing")
def routing():
    """List the rules in order, with a panel to test where a sample complaint goes."""
    rules = db.session.scalars(
        sa.select(RoutingRule).order_by(RoutingRule.position, RoutingRule.id)
    ).all()
    suggestion = None
    unit = db.session.get(Unit, request.args.get("unit_id", type=int) or 0)
    category = db.session.get(Category, request.args.get("category_id", type=int) or 0)
    subject_kind = request.args.get("subject_kind", "unit")
    if unit is not None and subject_kind in {"unit", "staff", "unit_leader"}:
        suggestion = suggest_route(unit, category, subject_kind)
    return render_template(
        "admin/routing.html",
        rules=rules,
        suggestion=suggestion,
        units=_units(),
        categories=db.session.scalars(sa.select(Category).order_by(Category.position)).all(),
        chosen={"unit": unit, "category": category, "subject_kind": subject_kind},
        relation_labels=RELATION_LABELS,
        delete_question=_delete_question,
    )


def _delete_question(rule: RoutingRule) -> str:
    return _(
        "Delete the routing rule “%(name)s”? Cases already routed keep their unit. "
        "This cannot be undone.",
        name=rule.name,
    )


@bp.route("/routing/new", methods=["GET", "POST"])
@bp.route("/routing/<int:rule_id>", methods=["GET", "POST"])
def rule(rule_id: int | None = None):
    """Create or edit a routing rule."""
    obj = db.get_or_404(RoutingRule, rule_id) if rule_id else None
    form = RuleForm(obj=obj) if request.method == "GET" and obj else RuleForm()
    form.category_id.choices = _category_choices()
    if request.method == "GET" and obj:
        form.category_id.data = str(obj.category_id or "")
        form.respondent_tier.data = str(obj.respondent_tier or "")
        for name in ("subject_kind", "severity", "respondent_kind"):
            getattr(form, name).data = getattr(obj, name) or ""
    response, status, _saved = _edit(
        form, obj, save_rule, "admin/form.html", "admin.routing", title=_("Routing rule")
    )
    return response, status


@bp.post("/routing/<int:rule_id>/delete")
def remove_rule(rule_id: int):
    """Delete a routing rule, once the admin has said yes."""
    rule = db.get_or_404(RoutingRule, rule_id)
    if not_yet_confirmed():
        return ask_first(_delete_question(rule), url_for("admin.routing"))
    delete_rule(rule)
    db.session.commit()
    flash(_("Rule deleted."), "success")
    return redirect(url_for("admin.routing")), 303


# The working-day calendar -------------------------------------------------------------


def _calendar_saved(change, what: str):
    db.session.commit()
    flash(
        _(
            "%(what)s saved. %(moved)d open deadlines on %(cases)d cases were recomputed.",
            what=what,
            moved=change.moved,
            cases=len(change.cases),
        ),
        "success",
    )


@bp.get("/calendar")
def calendar():
    """Show a year of the working-day calendar, with what is missing."""
    today = to_local(utcnow()).date()
    year = request.args.get("year", type=int) or today.year
    if not FIRST_YEAR <= year <= LAST_YEAR:
        abort(404)
    stored = calendar_years()
    return render_template(
        "admin/calendar.html",
        year=year,
        months=year_view(year),
        covered=year in stored,
        # The stored years and the one shown, each once: the year shown may have no data.
        years=sorted({*stored, year}),
        first_year=FIRST_YEAR,
        last_year=LAST_YEAR,
        sources=_year_sources(year),
        today=today,
        status=calendar_status(),
        in_package=_package_has(year),
        reload_question=_reload_question(year),
    )


def _replace_question(year: int) -> str | None:
    """Return what saving a typed year asks first, or None if nothing is stored to replace."""
    days, _manual = stored_days(year)
    if not days:
        return None
    return _(
        "Replace the calendar of %(year)d? The %(days)d days stored for it now are all "
        "replaced by the schedule entered, and the open deadlines are recomputed. "
        "This cannot be undone.",
        year=year,
        days=days,
    )


def _reload_question(year: int) -> str | None:
    """Return what reloading a year from the package asks first, or None if none is stored."""
    days, manual = stored_days(year)
    if not days:
        return None
    if manual:
        return _(
            "Reload %(year)d from the calendar package? The %(days)d days stored for it now "
            "are replaced, and what was entered or changed by hand on %(manual)d of them is "
            "lost; the open deadlines are recomputed. This cannot be undone.",
            year=year,
            days=days,
            manual=manual,
        )
    return _(
        "Reload %(year)d from the calendar package? The %(days)d days stored for it now are "
        "replaced, and the open deadlines are recomputed. This cannot be undone.",
        year=year,
        days=days,
    )


def _year_sources(year: int) -> list[str]:
    from app.deadlines.models import CalendarDay

    return list(
        db.session.scalars(
            sa.select(CalendarDay.source)
            .where(CalendarDay.day.between(date(year, 1, 1), date(year, 12, 31)))
            .distinct()
        )
    )


def _package_has(year: int) -> bool:
    import chinese_calendar

    try:
        chinese_calendar.is_workday(date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


@bp.route("/calendar/enter", methods=["GET", "POST"])
def calendar_enter():
    """Enter a year's official schedule by hand (the package may not have it yet)."""
    form = CalendarYearForm()
    # A year named in the address is fixed, so that the question the page asks before
    # saving (about that year's stored days) is about the year that is saved.
    fixed = request.args.get("year", type=int)
    fixed = fixed if fixed is not None and FIRST_YEAR <= fixed <= LAST_YEAR else None
    if fixed is not None:
        form.year.render_kw = {"readonly": True}
    if request.method == "GET":
        form.year.data = fixed
    if request.method == "POST" and form.validate():
        try:
            year, days = parse_year({name: f.data for name, f in form._fields.items()})
        except ValidationFailed as error:
            attach_errors(form, error.fields, error.labels)
        else:
            question = _replace_question(year)
            if question and not_yet_confirmed():
                return ask_first(question, url_for("admin.calendar", year=year))
            change = save_year(year, days, current_user)
            _calendar_saved(change, _("The calendar of %(year)s", year=change.label))
            return redirect(url_for("admin.calendar", year=change.first.year)), 303
    status = 422 if request.method == "POST" else 200
    question = _replace_question(fixed) if fixed is not None else None
    return render_template("admin/calendar_enter.html", form=form, question=question), status


@bp.post("/calendar/import")
def calendar_import():
    """Load a year from the chinesecalendar package."""
    year = request.form.get("year", type=int)
    if year is None or not FIRST_YEAR <= year <= LAST_YEAR:
        flash(
            _("Give a year between %(low)d and %(high)d.", low=FIRST_YEAR, high=LAST_YEAR), "error"
        )
        return redirect(url_for("admin.calendar")), 303
    question = _reload_question(year)
    if question and not_yet_confirmed():
        return ask_first(question, url_for("admin.calendar", year=year))
    try:
        change = import_package_year(year, current_user)
    except NotImplementedError:
        db.session.rollback()
        flash(
            _("The calendar package has no data for %(year)d: enter it by hand.", year=year),
            "error",
        )
        return redirect(url_for("admin.calendar_enter", year=year)), 303
    _calendar_saved(change, _("The calendar of %(year)s", year=year))
    return redirect(url_for("admin.calendar", year=year)), 303


@bp.route("/calendar/day/<day>", methods=["GET", "POST"])
def calendar_day(day: str):
    """Change one day: a working day or a day off, and its note."""
    from app.deadlines.models import CalendarDay

    try:
        when = date.fromisoformat(day)
    except ValueError:
        abort(404)
    row = db.get_or_404(CalendarDay, when)
    form = CalendarDayForm()
    if request.method == "GET":
        form.kind.data = "workday" if row.is_workday else "off"
        form.note.data = row.note
    if request.method == "POST" and form.validate():
        try:
            change = set_day(
                {"day": day, "kind": form.kind.data, "note": form.note.data}, current_user
            )
        except ValidationFailed as error:
            db.session.rollback()
            attach_errors(form, error.fields, error.labels)
        else:
            _calendar_saved(change, format_date(when, "long"))
            return redirect(url_for("admin.calendar", year=when.year)), 303
    status = 422 if request.method == "POST" else 200
    return render_template("admin/calendar_day.html", form=form, row=row), status
