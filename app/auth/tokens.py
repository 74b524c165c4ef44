"""API bearer tokens as administrators manage them: issue, list, revoke.

A token's secret is shown once, when it is issued; afterwards only its name, owner,
dates and state are known. Issuing and revoking write an entry on the owner's trail.
"""

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l

from app.auth.models import ApiToken, User
from app.auth.services import new_token
from app.core.labels import register_labels
from app.core.trail import record_event
from app.core.types import utcnow
from app.core.validation import FieldErrors
from app.extensions import db

TOKEN_STATE_LABELS = register_labels(
    "token_state",
    {"live": _l("Live"), "expired": _l("Expired"), "revoked": _l("Revoked")},
)


def token_state(token: ApiToken, now: datetime | None = None) -> str:
    """Return "live", "expired" or "revoked"."""
    if token.revoked_at is not None:
        return "revoked"
    return "live" if token.expires_at > (now or utcnow()) else "expired"


def issue_token(data: dict[str, Any], actor: User | None) -> tuple[ApiToken, str]:
    """Create a token for the user named in ``data``; return the row and its secret."""
    errors = FieldErrors(
        {"username": _l("Username"), "name": _l("Token name"), "days": _l("Valid for (days)")}
    )
    username = errors.text("username", data.get("username"), max_length=64)
    name = errors.text("name", data.get("name"), max_length=80)
    days = data.get("days")
    days = errors.integer(
        "days",
        current_app.config["API_TOKEN_DAYS"] if days in (None, "") else days,
        1,
        current_app.config["API_TOKEN_MAX_DAYS"],
    )
    owner = (
        db.session.scalar(sa.select(User).where(User.username == username)) if username else None
    )
    if username and (owner is None or not owner.active):
        errors.add("username", _l("No active user with this username."))
    errors.raise_if_any()
    row, secret = new_token(owner, name, days=days, actor=actor)
    record_event(
        "user",
        owner.id,
        actor,
        "token_created",
        data={"token_id": row.id, "name": name, "expires_at": row.expires_at.isoformat()},
    )
    return row, secret


def revoke_token(token: ApiToken, actor: User | None) -> bool:
    """Revoke a token at once; return False if it was revoked already."""
    if token.revoked_at is not None:
        return False
    token.revoked_at = utcnow()
    db.session.flush()
    data = {"token_id": token.id, "name": token.name}
    record_event("user", token.user_id, actor, "token_revoked", data=data)
    return True


def tokens_query(username: str = "", state: str = "") -> sa.Select:
    """Return the tokens, newest first, of one user (by username, part of it) and state."""
    now = utcnow()
    stmt = sa.select(ApiToken).join(ApiToken.user).order_by(ApiToken.id.desc())
    if username:
        stmt = stmt.where(User.username.contains(username, autoescape=True))
    if state == "live":
        stmt = stmt.where(ApiToken.revoked_at.is_(None), ApiToken.expires_at > now)
    elif state == "expired":
        stmt = stmt.where(ApiToken.revoked_at.is_(None), ApiToken.expires_at <= now)
    elif state == "revoked":
        stmt = stmt.where(ApiToken.revoked_at.is_not(None))
    return stmt
