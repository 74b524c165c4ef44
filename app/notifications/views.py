"""The in-app inbox: what arrived for the current user."""

import sqlalchemy as sa
from flask import Blueprint, abort, redirect, render_template, url_for
from flask_login import current_user, login_required

from app.core.types import utcnow
from app.extensions import db
from app.notifications.models import Notification

bp = Blueprint("notifications", __name__)


def _mine():
    return sa.select(Notification).where(
        Notification.user_id == current_user.id, Notification.channel == "inapp"
    )


def unread_count(user) -> int:
    """Return how many in-app messages ``user`` has not opened."""
    return db.session.scalar(
        sa.select(sa.func.count(Notification.id)).where(
            Notification.user_id == user.id,
            Notification.channel == "inapp",
            Notification.read_at.is_(None),
        )
    )


@bp.get("/inbox")
@login_required
def inbox():
    """List the current user's messages, newest first."""
    page = db.paginate(_mine().order_by(Notification.id.desc()), per_page=30, error_out=False)
    return render_template("notifications/inbox.html", page=page)


@bp.get("/inbox/<int:notification_id>")
@login_required
def open_message(notification_id: int):
    """Mark a message read and go to its case."""
    note = db.session.scalar(_mine().where(Notification.id == notification_id))
    if note is None:
        abort(404)
    if note.read_at is None:
        note.read_at = utcnow()
        db.session.commit()
    if note.case_id:
        return redirect(url_for("cases.show", case_id=note.case_id))
    return redirect(url_for("notifications.inbox"))


@bp.post("/inbox/read-all")
@login_required
def read_all():
    """Mark every message read."""
    db.session.execute(
        sa.update(Notification)
        .where(
            Notification.user_id == current_user.id,
            Notification.channel == "inapp",
            Notification.read_at.is_(None),
        )
        .values(read_at=utcnow())
    )
    db.session.commit()
    return redirect(url_for("notifications.inbox")), 303


@bp.app_context_processor
def _unread_badge():
    """Give every page the unread count for the header badge."""
    user = current_user
    return {"unread_count": unread_count(user) if user.is_authenticated else 0}
