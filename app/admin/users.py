"""Administration of accounts and API tokens (admins only, by the blueprint's guard)."""

import secrets
from collections.abc import Callable
from typing import Any, NamedTuple

import sqlalchemy as sa
from flask import (
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import joinedload
from wtforms.fields.choices import SelectChoice

from app.admin import bp
from app.auth.forms import ConfirmForm, NewUserForm, PasswordResetForm, TokenForm, UserForm
from app.auth.models import ApiToken, Role, User
from app.auth.passwords import policy_text
from app.auth.tokens import issue_token, revoke_token, token_state, tokens_query
from app.auth.users import (
    backup_candidates,
    create_account,
    deactivate_user,
    reactivate_user,
    reset_password,
    update_account,
)
from app.core.errors import DomainError, ValidationFailed
from app.core.trail import events_of
from app.core.validation import strip_control
from app.extensions import db
from app.intake.views import attach_errors
from app.units.models import Unit

PAGE_SIZE = 30
USER_STATES = ("active", "inactive")
TOKEN_STATES = ("live", "expired", "revoked")


@bp.context_processor
def _token_helpers():
    return {"token_state": token_state}


def _user_or_404(user_id: int) -> User:
    return db.get_or_404(User, user_id) if 0 < user_id < 2**31 else abort(404)


def _unit_choices():
    units = db.session.scalars(
        sa.select(Unit).where(Unit.active.is_(True)).order_by(Unit.tier, Unit.code)
    )
    return [SelectChoice("", "—")] + [
        SelectChoice(str(u.id), f"{u.name}（{u.code}）") for u in units
    ]


def _backup_choices(user: User | None):
    """Offer whom the service would take as backup: the user's unit, or every unit's.

    Each person is grouped under their unit and carries its id, so that the page's script
    can keep only the unit chosen above (the service still checks the choice).
    """
    unit_id = user.unit_id if user is not None else None
    stmt = backup_candidates(unit_id, exclude=user).options(joinedload(User.unit))
    people = sorted(db.session.scalars(stmt), key=lambda u: (u.unit.tier, u.unit.code))
    return [SelectChoice("", "—")] + [
        SelectChoice(
            str(u.id),
            f"{u.name}（{u.username}）",
            render_kw={"data-unit": str(u.unit_id)},
            optgroup=f"{u.unit.name}（{u.unit.code}）",
        )
        for u in people
    ]


def _form_data(form) -> dict:
    return {name: f.data for name, f in form._fields.items() if name != "csrf_token"}


class Saved(NamedTuple):
    done: bool
    value: Any = None
    status: int = 200  # the status the form is shown again with, when not done


def _save(form, save: Callable[[], Any]) -> Saved:
    """Run ``save`` for a posted form that validates, and commit what it did.

    When the form is not posted nothing runs; when it or ``save`` refuses what was typed,
    nothing is kept and the errors stand beside their fields, for the form shown again.
    """
    if request.method != "POST":
        return Saved(False)
    if not form.validate():
        return Saved(False, status=422)
    try:
        value = save()
    except ValidationFailed as error:
        db.session.rollback()
        attach_errors(form, error.fields)
        return Saved(False, status=422)
    db.session.commit()
    return Saved(True, value)


@bp.get("/users")
def users():
    """List accounts, searchable by username or name, filtered by role, unit and state."""
    q = strip_control(request.args.get("q"), 64)
    role = request.args.get("role", "")
    state = request.args.get("state", "")
    unit_id = request.args.get("unit_id", type=int)
    stmt = sa.select(User).order_by(User.active.desc(), User.username)
    if q:
        like = {"autoescape": True}
        stmt = stmt.where(sa.or_(User.username.contains(q, **like), User.name.contains(q, **like)))
    if role in {r.value for r in Role}:
        stmt = stmt.where(User.role_rows.any(role=role))
    if state in USER_STATES:
        stmt = stmt.where(User.active.is_(state == "active"))
    if unit_id and 0 < unit_id < 2**31:
        stmt = stmt.where(User.unit_id == unit_id)
    page = db.paginate(stmt, per_page=PAGE_SIZE, error_out=False, max_per_page=PAGE_SIZE)
    return render_template(
        "admin/users.html",
        page=page,
        filters={"q": q, "role": role, "state": state, "unit_id": unit_id},
        units=_unit_choices(),
        roles=list(Role),
    )


@bp.route("/users/new", methods=["GET", "POST"])
def user_new():
    """Create an account with its roles, unit and first password."""
    form = NewUserForm()
    form.unit_id.choices = _unit_choices()
    form.backup_user_id.choices = _backup_choices(None)
    saved = _save(form, lambda: create_account(_form_data(form), current_user))
    if saved.done:
        flash(_("Account %(username)s created.", username=saved.value.username), "success")
        return redirect(url_for("admin.user", user_id=saved.value.id)), 303
    return render_template(
        "admin/user.html", form=form, obj=None, policy=policy_text()
    ), saved.status


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
def user(user_id: int):
    """Show an account with its tokens and history; edit its roles, unit and backup."""
    obj = _user_or_404(user_id)
    form = UserForm(obj=obj) if request.method == "GET" else UserForm()
    form.unit_id.choices = _unit_choices()
    form.backup_user_id.choices = _backup_choices(obj)
    if request.method == "GET":
        form.unit_id.data = str(obj.unit_id or "")
        form.backup_user_id.data = str(obj.backup_user_id or "")
        form.roles.data = sorted(str(r) for r in obj.roles)
    saved = _save(form, lambda: update_account(obj, _form_data(form), current_user))
    if saved.done:
        flash(_("Saved."), "success")
        return redirect(url_for("admin.user", user_id=obj.id)), 303
    obj = db.session.get(User, user_id)
    tokens = db.session.scalars(
        sa.select(ApiToken).where(ApiToken.user_id == obj.id).order_by(ApiToken.id.desc())
    ).all()
    history = db.session.scalars(events_of("user", obj.id)).all()
    return render_template(
        "admin/user.html", form=form, obj=obj, tokens=tokens, history=history[::-1]
    ), saved.status


def _confirm(title: str, message: str, button: str, back: str):
    return render_template(
        "admin/confirm.html",
        form=ConfirmForm(),
        title=title,
        message=message,
        button=button,
        back=back,
    )


@bp.route("/users/<int:user_id>/deactivate", methods=["GET", "POST"])
def user_deactivate(user_id: int):
    """Ask, then deactivate: the account's sessions, cookies and tokens stop working."""
    obj = _user_or_404(user_id)
    back = url_for("admin.user", user_id=obj.id)
    if request.method == "GET":
        return _confirm(
            _("Deactivate %(name)s", name=obj.name),
            _(
                "%(name)s (%(username)s) will be signed out everywhere and can no longer sign "
                "in or use API tokens. Colleagues who named them as backup lose that backup.",
                name=obj.name,
                username=obj.username,
            ),
            _("Deactivate"),
            back,
        )
    if not ConfirmForm().validate():
        abort(400)
    try:
        deactivate_user(obj, current_user)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(back), 303
    db.session.commit()
    flash(_("%(username)s is deactivated.", username=obj.username), "success")
    return redirect(back), 303


@bp.post("/users/<int:user_id>/reactivate")
def user_reactivate(user_id: int):
    """Let a deactivated account sign in again."""
    obj = _user_or_404(user_id)
    if not ConfirmForm().validate():
        abort(400)
    reactivate_user(obj, current_user)
    db.session.commit()
    flash(_("%(username)s may sign in again.", username=obj.username), "success")
    return redirect(url_for("admin.user", user_id=obj.id)), 303


@bp.route("/users/<int:user_id>/password", methods=["GET", "POST"])
def user_password(user_id: int):
    """Set a new password for someone: their sessions end and a login lock lifts."""
    obj = _user_or_404(user_id)
    form = PasswordResetForm()
    saved = _save(form, lambda: reset_password(obj, _form_data(form), current_user))
    if saved.done:
        flash(_("The password of %(username)s is reset.", username=obj.username), "success")
        return redirect(url_for("admin.user", user_id=obj.id)), 303
    return render_template(
        "admin/user_password.html", form=form, obj=obj, policy=policy_text()
    ), saved.status


@bp.get("/tokens")
def tokens():
    """List every API token's metadata (never a secret), by user and state."""
    username = strip_control(request.args.get("user"), 64)
    state = request.args.get("state", "")
    state = state if state in TOKEN_STATES else ""
    page = db.paginate(
        tokens_query(username, state), per_page=PAGE_SIZE, error_out=False, max_per_page=PAGE_SIZE
    )
    return render_template(
        "admin/tokens.html", page=page, filters={"user": username, "state": state}
    )


# The token forms of this session that have created their token (the last few).
SPENT_TOKEN_FORMS = "spent_token_forms"


@bp.route("/tokens/new", methods=["GET", "POST"])
def token_new():
    """Issue a token for a user and show its secret this once."""
    form = TokenForm()
    if request.method == "GET":
        form.username.data = strip_control(request.args.get("user"), 64)
        form.days.data = str(_default_days())
        form.once.data = secrets.token_urlsafe(16)
    spent = session.get(SPENT_TOKEN_FORMS, [])
    if request.method == "POST" and form.once.data and form.once.data in spent:
        flash(
            _(
                "That form has already created its token; its secret was shown once. "
                "If nobody kept it, revoke the token and create a new one."
            ),
            "warning",
        )
        return redirect(url_for("admin.tokens")), 303
    saved = _save(form, lambda: issue_token(_form_data(form), current_user))
    if saved.done:
        if form.once.data:
            session[SPENT_TOKEN_FORMS] = [*spent, form.once.data][-20:]
        row, secret = saved.value
        response = make_response(
            render_template("admin/token_created.html", token=row, secret=secret)
        )
        response.headers["Cache-Control"] = "no-store"
        return response
    return render_template("admin/token_new.html", form=form), saved.status


def _default_days() -> int:
    return current_app.config["API_TOKEN_DAYS"]


@bp.route("/tokens/<int:token_id>/revoke", methods=["GET", "POST"])
def token_revoke(token_id: int):
    """Ask, then revoke a token: it answers 401 from then on."""
    token = db.get_or_404(ApiToken, token_id) if 0 < token_id < 2**31 else abort(404)
    back = request.args.get("back") == "user"
    target = url_for("admin.user", user_id=token.user_id) if back else url_for("admin.tokens")
    if request.method == "GET":
        return _confirm(
            _("Revoke token %(name)s", name=token.name or token.id),
            _(
                "The token %(name)s of %(username)s stops working at once, and the programs "
                "that use it lose their access to the system. This cannot be undone.",
                name=token.name or token.id,
                username=token.user.username,
            ),
            _("Revoke"),
            target,
        )
    if not ConfirmForm().validate():
        abort(400)
    if revoke_token(token, current_user):
        db.session.commit()
        flash(_("Token revoked."), "success")
    else:
        flash(_("The token was revoked already."), "info")
    return redirect(target), 303
