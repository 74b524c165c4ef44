"""A user's own settings: being away, who covers for them (AB岗), and their password."""

from datetime import datetime, time

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, login_user
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional

from app.auth import bp
from app.auth.forms import PasswordChangeForm
from app.auth.passwords import policy_text
from app.auth.services import start_session
from app.auth.users import backup_candidates, change_password
from app.core.errors import ValidationFailed
from app.core.types import utcnow
from app.deadlines.workdays import SHANGHAI, to_local
from app.extensions import db
from app.intake.views import attach_errors


class AwayForm(FlaskForm):
    away_until = DateField(_l("Away until (inclusive)"), validators=[Optional()])
    backup_user_id = SelectField(
        _l("Backup (AB post)"), validators=[Optional()], validate_choice=False
    )


def _colleagues():
    """Return whom one may name as backup: the same people the account service takes."""
    if current_user.unit_id is None:
        return []
    return db.session.scalars(backup_candidates(current_user.unit_id, exclude=current_user))


@bp.route("/account/away", methods=["GET", "POST"])
@login_required
def away():
    """Say when you are away and which colleague takes your work meanwhile."""
    form = AwayForm()
    colleagues = {str(u.id): u for u in _colleagues()}
    form.backup_user_id.choices = [SelectChoice("", "—")] + [
        SelectChoice(uid, u.name) for uid, u in colleagues.items()
    ]
    if form.validate_on_submit():
        until, backup = form.away_until.data, form.backup_user_id.data or ""
        if until and until < to_local(utcnow()).date():
            form.away_until.errors = [_("The date is in the past.")]
        elif (until and backup not in colleagues) or (backup and backup not in colleagues):
            # Only a colleague of one's unit, by the ids offered: anything else is refused,
            # never turned into a number that names someone else or nobody.
            form.backup_user_id.errors = [_("Choose a colleague of your unit as backup.")]
        else:
            current_user.away_until = (
                datetime.combine(until, time(23, 59, 59), tzinfo=SHANGHAI) if until else None
            )
            current_user.backup_user_id = int(backup) if backup else None
            db.session.commit()
            flash(_("Saved."), "success")
            return redirect(url_for("auth.away")), 303
        return render_template("auth/away.html", form=form), 422
    if form.is_submitted():  # not a date, or no CSRF token: shown again with the errors
        return render_template("auth/away.html", form=form), 422
    if current_user.away_until:
        form.away_until.data = to_local(current_user.away_until).date()
    form.backup_user_id.data = str(current_user.backup_user_id or "")
    return render_template("auth/away.html", form=form)


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def password():
    """Change one's own password (the current one is required); other sessions end."""
    form = PasswordChangeForm()
    if request.method == "POST" and form.validate():
        data = {name: f.data for name, f in form._fields.items() if name != "csrf_token"}
        try:
            change_password(current_user, data, request.remote_addr)
        except ValidationFailed as error:
            db.session.rollback()
            attach_errors(form, error.fields)
        else:
            db.session.commit()
            # The new generation ended every session, this one included: sign it in again.
            start_session(current_user)
            remembered = current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token")
            login_user(current_user._get_current_object(), remember=remembered in request.cookies)
            flash(_("Your password is changed."), "success")
            return redirect(url_for("auth.password")), 303
    status = 422 if request.method == "POST" else 200
    return render_template("auth/password.html", form=form, policy=policy_text()), status
