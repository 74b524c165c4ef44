"""Passwords, logins and API tokens."""

import hashlib
import secrets
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app, g, has_request_context
from flask_babel import lazy_gettext as _l
from werkzeug.security import check_password_hash, generate_password_hash

from app.auth.models import ApiToken, Role, User, UserRole
from app.core.errors import ValidationFailed
from app.core.types import utcnow
from app.extensions import db


def load_user(user_id: str) -> User | None:
    """Flask-Login loader: the active user with this id."""
    try:
        user = db.session.get(User, int(user_id))
    except (TypeError, ValueError):
        return None
    return user if user is not None and user.active else None


def set_password(user: User, password: str) -> None:
    """Hash and store a new password, refusing weak ones."""
    if len(password) < 8:
        raise ValidationFailed(
            _l("A password needs at least 8 characters."), fields={"password": "too short"}
        )
    if (
        current_app.config["REFUSE_DEMO_PASSWORDS"]
        and password in current_app.config["DEMO_PASSWORDS"]
    ):
        raise ValidationFailed(
            _l("Demo passwords are refused in production."), fields={"password": "demo password"}
        )
    user.password_hash = generate_password_hash(
        password, method=current_app.config["PASSWORD_HASH_METHOD"]
    )


def create_user(username: str, name: str, password: str, roles, unit=None, **extra) -> User:
    """Create a user holding ``roles``."""
    user = User(username=username, name=name, unit_id=unit.id if unit else None, **extra)
    set_password(user, password)
    user.role_rows = [UserRole(role=Role(r)) for r in roles]
    db.session.add(user)
    db.session.flush()
    return user


def authenticate(username: str, password: str) -> tuple[User | None, str | None]:
    """Check a login; return (user, None) or (None, reason shown to the person)."""
    generic = _l("Wrong username or password.")
    user = db.session.scalar(sa.select(User).where(User.username == username))
    now = utcnow()
    if user is None or not user.active:
        # Spend the same time as a real check so usernames cannot be probed by timing.
        check_password_hash(generate_password_hash("x", method="pbkdf2:sha256:1000"), password)
        return None, str(generic)
    if user.locked_until and user.locked_until > now:
        return None, str(_l("Too many failed logins. Try again later."))
    if not check_password_hash(user.password_hash, password):
        user.failed_logins += 1
        if user.failed_logins >= current_app.config["LOGIN_MAX_FAILURES"]:
            user.locked_until = now + timedelta(minutes=current_app.config["LOGIN_LOCK_MINUTES"])
            user.failed_logins = 0
        return None, str(generic)
    if (
        current_app.config["REFUSE_DEMO_PASSWORDS"]
        and password in current_app.config["DEMO_PASSWORDS"]
    ):
        return None, str(_l("Demo passwords are refused in production; ask an admin to reset it."))
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now
    return user, None


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(user: User, name: str = "") -> str:
    """Create an API token for ``user`` and return it; only its digest is stored."""
    token = secrets.token_urlsafe(32)
    db.session.add(ApiToken(user_id=user.id, name=name, digest=_digest(token)))
    db.session.flush()
    return token


def user_for_token(token: str) -> User | None:
    """Return the active user owning a live token, or None."""
    if not token:
        return None
    row = db.session.scalar(
        sa.select(ApiToken).where(ApiToken.digest == _digest(token), ApiToken.revoked_at.is_(None))
    )
    if row is None or not row.user.active:
        return None
    now = utcnow()
    if row.last_used_at is None or now - row.last_used_at > timedelta(minutes=5):
        row.last_used_at = now
        db.session.commit()
    return row.user


def users_backed_up_by(user: User) -> list[User]:
    """Return the active users who are away now and name ``user`` as their backup."""
    if user is None or getattr(user, "id", None) is None:
        return []
    # Asked for every row of the workflow table when a page is drawn: once per request.
    cache = g.setdefault("backed_up_by", {}) if has_request_context() else {}
    if user.id not in cache:
        cache[user.id] = list(
            db.session.scalars(
                sa.select(User).where(
                    User.backup_user_id == user.id,
                    User.away_until > utcnow(),
                    User.active.is_(True),
                )
            )
        )
    return cache[user.id]


def deliver_to(user: User) -> tuple[User, User | None]:
    """Return who receives ``user``'s work now: (recipient, the away user it stands in for)."""
    if user.away_until and user.away_until > utcnow() and user.backup_user is not None:
        return user.backup_user, user
    return user, None
