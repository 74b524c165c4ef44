"""Worklists, the case page and the case action forms."""

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from app.auth.models import CASE_READER_ROLES
from app.cases import bp, timeline  # noqa: F401  (registers the timeline filters)
from app.cases.access import (
    ACCESS_LOG_ROLES,
    complainant_view,
    get_visible_or_404,
    identity_access_log,
    log_identity_view,
    may_read_access_log,
)
from app.cases.actions import perform_action
from app.cases.categories import category_choices
from app.cases.forms import ACTION_FORMS, ActionForm, confirmation
from app.cases.models import Case, Channel
from app.cases.queries import (
    OPEN,
    SIGN_OFF,
    log_identity_search,
    may_search_identity,
    may_sign_off,
    read_filter,
    sign_off_count,
    state_counts,
    worklist_select,
)
from app.cases.services import (
    approved_return,
    return_counts,
    suggest_for,
    units_nobody_can_sign,
    who_can_sign,
)
from app.cases.specs import SPECS
from app.cases.workflow import (
    ACTIONS,
    ANSWERING_ACTIONS,
    AWAITING_SIGN_OFF,
    FINAL_STATES,
    NEXT_STEPS,
    State,
    allowed_actions,
    case_status,
    clock_that_matters,
    pass_down_units,
    pending_reply,
)
from app.core.access_log import AccessChannel
from app.core.confirm import ask_first, not_yet_confirmed
from app.core.errors import Conflict, StaleVersion, ValidationFailed
from app.core.labels import label
from app.core.permissions import roles_required
from app.core.validation import FieldErrors, labelled
from app.extensions import db
from app.supervision.notices import notice_documents
from app.units.models import Unit
from app.units.naming import NO_STAFF_LISTED, staff_picker_choices
from app.units.services import (
    get_unit_by_code,
    handling_units,
    unit_picker_choices,
)

# The case page and worklists ask the table which buttons to show, and what comes next.
bp.add_app_template_global(allowed_actions, "allowed_actions")
bp.add_app_template_global(case_status, "case_status")
bp.add_app_template_global(clock_that_matters, "clock_that_matters")
# Past this, a page number is a typo or a probe, not a worklist page: the first page shows.
MAX_PAGE = 100_000


def _fill_choices(form, case: Case) -> None:
    """Offer the searchable unit picker and the categories in every action form.

    Passing down offers only the units below the lead unit; a dispatch marks the units
    where nobody can sign now, so that the page can warn before it happens.
    """
    blank = SelectChoice("", "—")
    for field in form:
        if form.action == "sub_dispatch" and field.name == "unit_code":
            field.choices = [blank, *unit_picker_choices(pass_down_units(case))]
        elif form.action == "dispatch" and field.name == "unit_code":
            units = handling_units()
            unsigned = units_nobody_can_sign(units)
            field.choices = [blank, *unit_picker_choices(units, flagged=unsigned)]
        elif field.name.endswith("unit_code"):
            field.choices = [blank, *unit_picker_choices(handling_units())]
        elif field.name.endswith("unit_codes"):
            field.choices = unit_picker_choices(handling_units())
        elif field.name == "category_code":
            field.choices = [blank, *category_choices()]
        elif field.name == "respondent_staff_ids":
            # static/staff-picker.js keeps the staff of the unit chosen in the form.
            field.choices = staff_picker_choices()
            field.render_kw = {
                "data-unit-select": form.respondent_unit_code.id,
                "data-none": NO_STAFF_LISTED,
                "size": 6,
            }


def _nobody_signs(form) -> Unit | None:
    """Return the unit a dispatch form has chosen if nobody there can sign now."""
    code = form.unit_code.data
    # Only a code the picker offers is looked up: a posted value may be anything at all.
    offered = code and any(code == choice.value for choice in form.unit_code.iter_choices())
    unit = get_unit_by_code(code) if offered else None
    return unit if unit is not None and not who_can_sign(unit) else None


@bp.get("/cases")
@roles_required(*CASE_READER_ROLES)
def worklist():
    """List the cases the current user may see: searched, filtered and sorted from the URL."""
    waiting = sign_off_count(current_user) if may_sign_off(current_user) else None
    # A unit lead with drafts to sign off lands on them; a tab chosen stays chosen.
    f, errors = read_filter(request.args, SIGN_OFF if waiting else OPEN)
    page = db.paginate(
        worklist_select(current_user, f),
        page=_page_number(),
        per_page=current_app.config["WORKLIST_PAGE_SIZE"],
        error_out=False,
    )
    log_identity_search(current_user, f, page.items, AccessChannel.SEARCH)
    counts = state_counts(current_user)
    unit_returns = None
    if current_user.is_unit_user and current_user.unit_id:
        unit_returns = return_counts().get(current_user.unit_id, (0, 0))
    html = render_template(
        "cases/worklist.html",
        unit_returns=unit_returns,
        page=page,
        f=f,
        errors=errors,
        counts=counts,
        open_count=sum(n for s, n in counts.items() if s not in FINAL_STATES),
        sign_off_count=waiting,
        states=list(State),
        channels=list(Channel),
        units=unit_picker_choices(handling_units()),
        categories=category_choices(),
        identity_search=may_search_identity(current_user),
    )
    db.session.commit()  # the identity search log, if any
    return html


def _page_number() -> int:
    """Return the page asked for; a number no worklist could have gives the first page."""
    page = request.args.get("page", 1, type=int)
    return page if 1 <= page <= MAX_PAGE else 1


@bp.get("/cases/<int:case_id>")
@roles_required(*CASE_READER_ROLES)
def show(case_id: int):
    """Show one case with its clocks, timeline and the actions allowed now."""
    case = get_visible_or_404(case_id, current_user)
    return _render_case(case)


def _render_case(case: Case, posted: tuple[str, ActionForm] | None = None):
    """Render the case page; ``posted`` is an action's form sent back with its messages."""
    forms = {}
    for action in allowed_actions(case, current_user):
        form = ACTION_FORMS[action](formdata=None, version=case.version)
        _fill_choices(form, case)
        form.fill_from(case)
        forms[action] = form
    unclassified = case.respondent_unit_id is None or case.category_id is None
    suggestion = None
    if "dispatch" in forms and not unclassified:
        suggestion = suggest_for(case)
        if suggestion.unit is not None and suggestion.unit.kind != "complaint_center":
            forms["dispatch"].unit_code.data = suggestion.unit.code
        returned = approved_return(case)
        if returned is not None and forms["dispatch"].unit_code.data == returned.unit.code:
            forms["dispatch"].unit_code.data = ""  # never offer it back to whom returned it
    primary = _primary_action(forms, unclassified)
    unsent = None
    if posted is not None and posted[0] in forms:
        primary, forms[posted[0]] = posted
    elif posted is not None:
        unsent = _typed_text(*posted)
    no_signer = None
    if "dispatch" in forms:
        dispatch = forms["dispatch"]
        no_signer = _nobody_signs(dispatch)
        # The box to dispatch anyway is asked for only where nobody can sign.
        if no_signer is None and not dispatch.confirm_no_signer.errors:
            del dispatch.confirm_no_signer
    if primary is not None:
        # Whoever must act next finds their action first, and open.
        forms = {primary: forms[primary], **forms}
    html = render_template(
        "cases/show.html",
        case=case,
        primary_action=primary,
        next_step=primary if primary in NEXT_STEPS else None,
        suggestion=suggestion,
        no_signer=no_signer,
        unsigned_unit=_waits_for_nobody(case),
        unsent=unsent,
        pending_reply=pending_reply(case),
        complainant=complainant_view(case, current_user),
        forms=forms,
        questions={action: confirmation(action, case) for action in forms},
        may_read_access_log=may_read_access_log(current_user),
        printable_notices=notice_documents(case.notices, current_user),
    )
    # Committed before the page leaves: nobody sees the complainant unlogged.
    log_identity_view(case, current_user, AccessChannel.WEB)
    db.session.commit()
    return html


def _waits_for_nobody(case: Case) -> Unit | None:
    """Return the unit a dispatched case waits in if nobody there can sign it now."""
    lead = case.lead_assignment
    if case.state != State.DISPATCHED or lead is None or lead.signed_at is not None:
        return None
    return lead.unit if not who_can_sign(lead.unit) else None


def _typed_text(action: str, form: ActionForm) -> tuple[str, list[tuple[str, str]]] | None:
    """What was typed into a form whose action the case no longer offers, to be kept by hand.

    The action's form is gone from the page, so its text is shown apart, with its labels.
    """
    typed = []
    for f in form:
        if f.type in ("StringField", "TextAreaField") and isinstance(f.data, str):
            value = f.data.strip()
        elif f.type in ("RadioField", "SelectField") and f.data:
            # A choice is kept as what the page called it.
            value = next((str(c.label) for c in f.iter_choices() if c.value == f.data), "")
        else:
            continue
        if value:
            typed.append((f.label.text, value))
    return (action, typed) if typed else None


def _primary_action(forms: dict, unclassified: bool) -> str | None:
    """Return the action to open: an answer somebody waits for, else classify, else the first."""
    waiting = [action for action in ANSWERING_ACTIONS if action in forms]
    if waiting:
        return waiting[0]
    if unclassified and "classify" in forms:
        return "classify"
    return next(iter(forms), None)


@bp.get("/cases/<int:case_id>/access-log")
@roles_required(*ACCESS_LOG_ROLES)
def access_log(case_id: int):
    """List who saw the complainant of a case in full, newest first."""
    case = get_visible_or_404(case_id, current_user)
    page = db.paginate(
        identity_access_log(case),
        per_page=current_app.config["ACCESS_LOG_PAGE_SIZE"],
        error_out=False,
    )
    return render_template("cases/access_log.html", case=case, page=page)


@bp.post("/cases/<int:case_id>/<action>")
@roles_required(*CASE_READER_ROLES)
def act(case_id: int, action: str):
    """Perform one workflow action on a case from its page."""
    if action not in ACTIONS:
        abort(404)
    case = get_visible_or_404(case_id, current_user)
    form = ACTION_FORMS[action]()
    _fill_choices(form, case)
    # Whatever goes wrong, the page comes back with what was typed, never an empty form.
    if not form.validate():  # only the CSRF token: the fields are the service's to check
        for name, errors in form.errors.items():
            flash(labelled(form[name].label.text, "; ".join(errors)), "error")
        return _render_case(case, posted=(action, form)), 422
    question = confirmation(action, case)
    # Sent without the page's script: ask here, if the action could be taken at all.
    if question and not_yet_confirmed() and action in allowed_actions(case, current_user):
        try:
            # A bad or empty field is named before anything is asked.
            data = form.to_data()
            errors = FieldErrors(SPECS[action].labels)
            for name in SPECS[action].web_required:
                if data.get(name) in (None, ""):
                    errors.add(name, _l("This field is required."))
            errors.raise_if_any()
            SPECS[action].read(data)
        except ValidationFailed as error:
            return _show_errors(case, action, form, error), 422
        return ask_first(question, url_for("cases.show", case_id=case.id))
    try:
        perform_action(
            case, action, current_user, form.to_data(), expected_version=form.version.data
        )
    except ValidationFailed as error:
        db.session.rollback()
        return _show_errors(case, action, form, error), 422
    except Conflict as error:
        db.session.rollback()
        # The case moved on meanwhile (somebody else, or this user in another tab): show
        # it as it is now, with the text kept, so that the user can read and send again.
        if isinstance(error, StaleVersion) and action not in allowed_actions(case, current_user):
            flash(
                _(
                    "The case has changed since this page was opened, and this action is no "
                    "longer possible. What you typed is kept below to copy."
                ),
                "error",
            )
        elif isinstance(error, StaleVersion):
            flash(
                _(
                    "The case has changed since this page was opened (by a colleague, or by "
                    "you in another window). It is shown below as it is now; what you typed "
                    "is kept: check it and send it again."
                ),
                "error",
            )
        else:
            flash(error.message, "error")
        form.version.data = case.version
        return _render_case(case, posted=(action, form)), 409
    db.session.commit()
    done = DONE_MESSAGES.get((action, case_status(case)))
    flash(done or _("Done: %(action)s", action=label(action, "action")), "success")
    return redirect(url_for("cases.show", case_id=case.id)), 303


# What an action's user is told where "done" would mislead: by the action and the status the
# case is left in (a handler's reply leaves the case waiting for the lead, not answered).
DONE_MESSAGES = {
    ("reply", AWAITING_SIGN_OFF): _l(
        "Reply saved as a draft: it goes to the center once the unit lead signs it off."
    ),
}


def _show_errors(case: Case, action: str, form: ActionForm, error: ValidationFailed):
    """Show the case again with what was typed, each message beside its field."""
    flash(error.message, "error")
    for name, message in error.fields.items():
        name = SPECS[action].form_name(name) or name
        if name in form:
            form[name].errors = [*form[name].errors, message]
    return _render_case(case, posted=(action, form))
