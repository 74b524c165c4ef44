"""Login, logout and the language switch."""

from urllib.parse import urlsplit

from flask import abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from app.auth import bp
from app.auth.forms import LoginForm
from app.auth.models import Role
from app.auth.services import authenticate, end_sessions, start_session
from app.core.validation import strip_control
from app.extensions import db


def home_url(user) -> str:
    """Return where a user starts: administrators at administration, others at work."""
    if user.roles == {Role.ADMIN}:
        return url_for("admin.units")
    # The discipline office's inspectors and head work accountability first.
    if user.roles and user.roles <= {Role.INSPECTOR, Role.DISCIPLINE_HEAD}:
        return url_for("accountability.queue")
    return url_for("cases.worklist")


def _safe_next(target: str | None) -> str | None:
    """Accept only a local path as a redirect target (no open redirects)."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Show the login form and sign the user in."""
    if current_user.is_authenticated:
        return redirect(home_url(current_user))
    form = LoginForm()
    if form.validate_on_submit():
        username = form.username.data.strip()
        if strip_control(username, 64) != username:  # control characters: never a username
            username = ""
        user, reason = authenticate(username, form.password.data, request.remote_addr)
        db.session.commit()
        if user is None:
            flash(reason, "error")
            return render_template("auth/login.html", form=form), 401
        start_session(user)
        login_user(user, remember=form.remember.data)
        return redirect(_safe_next(request.args.get("next")) or home_url(user))
    status = 400 if request.method == "POST" else 200
    return render_template("auth/login.html", form=form), status


@bp.post("/logout")
@login_required
def logout():
    """Sign the user out everywhere: every session and remember cookie of theirs ends."""
    end_sessions(current_user)
    db.session.commit()
    logout_user()
    flash(_("You have signed out."), "info")
    return redirect(url_for("auth.login"))


@bp.get("/lang/<code>")
def set_language(code: str):
    """Switch the interface language for this session."""
    if code not in current_app.config["LANGUAGES"]:
        abort(404)
    session["lang"] = code
    return redirect(_safe_next(request.args.get("next")) or url_for("cases.worklist"))


@bp.get("/")
def index():
    """Send people to their worklist, or to the login page."""
    if current_user.is_authenticated:
        return redirect(home_url(current_user))
    return redirect(url_for("auth.login"))
