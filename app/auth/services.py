"""Passwords, logins and API tokens."""

import hashlib
import hmac
import secrets
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app, g, has_request_context
from flask_babel import lazy_gettext as _l

from app.auth import throttle
from app.auth.models import ApiToken, Role, User, UserRole, new_session_token
from app.auth.passwords import hash_password, verify_password
from app.core.errors import ValidationFailed
from app.core.types import utcnow
from app.extensions import db


def load_user(user_id: str) -> User | None:
    """Flask-Login loader: the active user whose session generation matches.

    The id is "<user id>.<session generation>.<login nonce>" (``User.get_id``); a
    cookie from before the generation changed (logout, new password, deactivation)
    names an old one and loads nobody.
    """
    parts = (user_id or "").split(".")
    if len(parts) != 3 or not parts[0].isdigit() or len(parts[0]) > 12:
        return None
    user = db.session.get(User, int(parts[0]))
    if user is None or not user.active:
        return None
    if not hmac.compare_digest(user.session_token.encode(), parts[1].encode()):
        return None
    user.login_nonce = parts[2]
    return user


def start_session(user: User) -> None:
    """Give this login a nonce of its own, so its cookies differ from any other login's."""
    user.login_nonce = secrets.token_urlsafe(8)


def end_sessions(user: User) -> None:
    """End every session and remember cookie of ``user`` (a new session generation)."""
    user.session_token = new_session_token()


def set_password(user: User, password: str) -> None:
    """Hash and store a new password.

    Only the basic length is checked here: the demo seed and tests call this directly.
    Whatever a person chooses meets ``passwords.policy_errors`` first (the account pages
    and the command line check it).
    """
    if len(password) < 8:
        raise ValidationFailed(
            _l("A password needs at least 8 characters."),
            fields={"password": str(_l("A password needs at least 8 characters."))},
        )
    if (
        current_app.config["REFUSE_DEMO_PASSWORDS"]
        and password in current_app.config["DEMO_PASSWORDS"]
    ):
        raise ValidationFailed(
            _l("Demo passwords are refused in production."),
            fields={"password": str(_l("Demo passwords are refused in production."))},
        )
    user.password_hash = hash_password(password)


def create_user(username: str, name: str, password: str, roles, unit=None, **extra) -> User:
    """Create a user holding ``roles``."""
    user = User(username=username, name=name, unit_id=unit.id if unit else None, **extra)
    set_password(user, password)
    user.role_rows = [UserRole(role=Role(r)) for r in roles]
    db.session.add(user)
    db.session.flush()
    return user


WRONG_LOGIN = _l("Wrong username or password.")
LOCKED_LOGIN = _l("Too many failed logins. Try again later.")


def authenticate(
    username: str, password: str, address: str | None = None
) -> tuple[User | None, str | None]:
    """Check a login; return (user, None) or (None, reason shown to the person).

    Every attempt is counted against the username and the client address before the
    password is checked (``throttle.reserve`` commits that count). An unknown username
    is counted, timed and answered exactly as a real one with a wrong password.
    """
    now = utcnow()
    keys = throttle.keys_for(username, address)
    if not throttle.reserve(keys, now):
        return None, str(LOCKED_LOGIN)
    user = db.session.scalar(sa.select(User).where(User.username == username))
    right = verify_password(user.password_hash if user is not None else None, password)
    if not right or user is None or not user.active:
        throttle.record_failure(keys, now)
        return None, str(WRONG_LOGIN)
    if (
        current_app.config["REFUSE_DEMO_PASSWORDS"]
        and password in current_app.config["DEMO_PASSWORDS"]
    ):
        throttle.record_failure(keys, now)
        return None, str(_l("Demo passwords are refused in production; ask an admin to reset it."))
    throttle.record_success(keys)
    user.last_login_at = now
    return user, None


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token(
    user: User, name: str = "", days: int | None = None, actor: User | None = None
) -> tuple[ApiToken, str]:
    """Create an API token for ``user`` living ``days``; return the row and the secret.

    Only the secret's digest is stored: this is the one moment it can be shown.
    """
    days = current_app.config["API_TOKEN_DAYS"] if days is None else days
    token = secrets.token_urlsafe(32)
    row = ApiToken(
        user_id=user.id,
        name=name,
        digest=_digest(token),
        expires_at=utcnow() + timedelta(days=days),
        created_by_id=actor.id if actor is not None else None,
    )
    db.session.add(row)
    db.session.flush()
    return row, token


def create_token(user: User, name: str = "", days: int | None = None) -> str:
    """Create an API token for ``user`` and return it."""
    return new_token(user, name, days)[1]


def user_for_token(token: str) -> User | None:
    """Return the active user owning a live (not revoked, not expired) token, or None."""
    if not token or len(token) > 512:
        return None
    now = utcnow()
    row = db.session.scalar(
        sa.select(ApiToken).where(
            ApiToken.digest == _digest(token),
            ApiToken.revoked_at.is_(None),
            ApiToken.expires_at > now,
        )
    )
    if row is None or not row.user.active:
        return None
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
