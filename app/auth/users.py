"""Account administration: create, edit, deactivate, reset; a person's own password.

Every change writes an entry on the user's trail (subject ``user``), with who did it.
Passwords never enter the trail.
"""

import re
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from app.auth import throttle
from app.auth.models import Role, User, UserRole
from app.auth.passwords import policy_errors, verify_password
from app.auth.services import end_sessions, set_password
from app.auth.tokens import revoke_token, tokens_query
from app.core.errors import Forbidden, ValidationFailed
from app.core.labels import register_labels
from app.core.trail import record_event
from app.core.types import utcnow
from app.core.validation import FieldErrors
from app.extensions import db
from app.units.models import Unit

USERNAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{1,63}$")
# Roles that act for a handling unit: they make no sense without one.
UNIT_BOUND_ROLES = frozenset({Role.HANDLER, Role.UNIT_LEAD})
# A backup (AB岗) acts in an away colleague's place and sees their cases: an administrator
# reads no complaint (separation of duties, DESIGN §2), and a leader oversees a jurisdiction
# rather than holding a post that someone takes over.
NO_STAND_IN_ROLES = frozenset({Role.ADMIN, Role.LEADER})


USER_EVENT_LABELS = register_labels(
    "user_event",
    {
        "user_created": _l("Account created"),
        "user_updated": _l("Account changed"),
        "user_deactivated": _l("Deactivated"),
        "user_reactivated": _l("Reactivated"),
        "password_reset": _l("Password reset by an administrator"),
        "password_changed": _l("Password changed by the user"),
        "token_created": _l("API token created"),
        "token_revoked": _l("API token revoked"),
    },
)


def _labels() -> dict[str, Any]:
    return {
        "username": _l("Username"),
        "name": _l("Full name"),
        "unit_id": _l("Unit"),
        "roles": _l("Roles"),
        "email": _l("E-mail"),
        "phone": _l("Phone"),
        "backup_user_id": _l("Backup (AB post)"),
        "password": _l("Password"),
        "password_confirm": _l("Password again"),
        "current_password": _l("Current password"),
    }


USER_FIELD_LABELS = register_labels("user_field", _labels())


def backup_candidates(unit_id: int | None = None, exclude: User | None = None) -> sa.Select:
    """Return a SELECT of who may be a backup in ``unit_id`` (in any unit if None), by name.

    Active people of an active unit who hold no role in ``NO_STAND_IN_ROLES``; never
    ``exclude``, the person who would be away.
    """
    stmt = (
        sa.select(User)
        .join(Unit, Unit.id == User.unit_id)
        .where(
            User.active.is_(True),
            Unit.active.is_(True),
            ~User.role_rows.any(UserRole.role.in_(sorted(NO_STAND_IN_ROLES))),
        )
        .order_by(User.name, User.id)
    )
    if unit_id is not None:
        stmt = stmt.where(User.unit_id == unit_id)
    if exclude is not None and exclude.id is not None:
        stmt = stmt.where(User.id != exclude.id)
    return stmt


def _audit(user: User, actor: User | None, action: str, **data) -> None:
    record_event("user", user.id, actor, action, data=data)


def _new_password(errors: FieldErrors, data: dict, username: str) -> str | None:
    password = data.get("password") or ""
    if not isinstance(password, str):
        errors.add("password", _l("Must be text."))
        return None
    problems = policy_errors(password, username)
    if problems:
        errors.add("password", " ".join(problems))
    elif password != (data.get("password_confirm") or ""):
        errors.add("password_confirm", _l("The two passwords differ."))
    return password


def _read_roles(errors: FieldErrors, value) -> list[Role]:
    values = value if isinstance(value, list | tuple) else [value] if value else []
    known = {r.value for r in Role}
    if not values:
        errors.add("roles", _l("Choose at least one role."))
    elif any(not isinstance(v, str) or v not in known for v in values):
        errors.add("roles", _l("Unknown role."))
        return []
    return sorted({Role(v) for v in values})


def _read_account(user: User | None, data: dict[str, Any]) -> tuple[FieldErrors, dict]:
    errors = FieldErrors(_labels())
    out: dict[str, Any] = {}
    if user is None:
        username = errors.text("username", data.get("username"), max_length=64)
        if username and not USERNAME.match(username):
            errors.add(
                "username", _l("Letters, digits, dot, dash and underscore; 2 to 64 characters.")
            )
        elif username and db.session.scalar(sa.select(User.id).where(User.username == username)):
            errors.add("username", _l("This username is taken."))
        out["username"] = username
    out["name"] = errors.text("name", data.get("name"), max_length=80)
    out["email"] = errors.email("email", data.get("email"), required=False) or None
    out["phone"] = errors.phone("phone", data.get("phone"), required=False) or None
    unit_id = errors.integer("unit_id", data.get("unit_id"), 1, 2**31 - 1, required=False)
    unit = db.session.get(Unit, unit_id) if unit_id else None
    if unit_id and (unit is None or not unit.active):
        errors.add("unit_id", _l("No such unit."))
    out["unit"] = unit
    roles = _read_roles(errors, data.get("roles"))
    if Role.ADMIN in roles and len(roles) > 1:
        # Separation of duties (DESIGN §2): whoever runs the system reads no complaint.
        errors.add("roles", _l("The administrator role is held alone, without case roles."))
    if unit is None and UNIT_BOUND_ROLES.intersection(roles):
        errors.add("unit_id", _l("Handlers and unit leads belong to a unit."))
    out["roles"] = roles
    backup_id = errors.integer(
        "backup_user_id", data.get("backup_user_id"), 1, 2**31 - 1, required=False
    )
    backup = (
        db.session.scalar(backup_candidates(unit.id, exclude=user).where(User.id == backup_id))
        if backup_id and unit is not None
        else None
    )
    if backup_id and backup is None:
        errors.add("backup_user_id", _l("Choose an active colleague of the same unit."))
    out["backup"] = backup
    return errors, out


def create_account(data: dict[str, Any], actor: User) -> User:
    """Create an account from what an administrator entered; the password meets the policy."""
    errors, values = _read_account(None, data)
    password = _new_password(errors, data, values.get("username") or "")
    errors.raise_if_any()
    user = User(
        username=values["username"],
        name=values["name"],
        unit_id=values["unit"].id if values["unit"] else None,
        email=values["email"],
        phone=values["phone"],
        backup_user_id=values["backup"].id if values["backup"] else None,
    )
    set_password(user, password)
    user.role_rows = [UserRole(role=r) for r in values["roles"]]
    db.session.add(user)
    db.session.flush()
    _audit(user, actor, "user_created", **_snapshot(user, values["roles"]))
    return user


def _snapshot(user: User, roles) -> dict[str, Any]:
    return {
        "username": user.username,
        "name": user.name,
        "unit_id": user.unit_id,
        "roles": sorted(str(r) for r in roles),
        "email": user.email,
        "phone": user.phone,
        "backup_user_id": user.backup_user_id,
    }


def update_account(user: User, data: dict[str, Any], actor: User) -> User:
    """Change an account's name, contact, unit, roles and backup."""
    errors, values = _read_account(user, data)
    if user.id == actor.id and set(values["roles"]) != set(user.roles):
        errors.add("roles", _l("You cannot change your own roles."))
    errors.raise_if_any()
    before = _snapshot(user, user.roles)
    user.name = values["name"]
    user.email, user.phone = values["email"], values["phone"]
    user.unit_id = values["unit"].id if values["unit"] else None
    user.backup_user_id = values["backup"].id if values["backup"] else None
    if set(values["roles"]) != set(user.roles):
        user.role_rows = [UserRole(role=r) for r in values["roles"]]
    db.session.flush()
    after = _snapshot(user, values["roles"])
    changed = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
    if changed:
        _audit(user, actor, "user_updated", changed=changed)
    return user


def deactivate_user(user: User, actor: User | None) -> None:
    """Stop an account: no login, no session; its live tokens are revoked for good (a
    reactivation does not bring them back); colleagues it backed up lose it."""
    if actor is not None and user.id == actor.id:
        raise Forbidden(_l("You cannot deactivate your own account."))
    if not user.active:
        return
    user.active = False
    end_sessions(user)
    released = list(db.session.scalars(sa.select(User).where(User.backup_user_id == user.id)))
    for colleague in released:
        colleague.backup_user_id = None
    db.session.flush()
    _audit(user, actor, "user_deactivated", released_backup_of=[u.id for u in released])
    for token in db.session.scalars(tokens_query(user.username, "live")):
        if token.user_id == user.id:
            revoke_token(token, actor)


def reactivate_user(user: User, actor: User | None) -> None:
    """Let a deactivated account sign in again."""
    if user.active:
        return
    user.active = True
    db.session.flush()
    _audit(user, actor, "user_reactivated")


def reset_password(user: User, data: dict[str, Any], actor: User | None) -> None:
    """Set a new password for someone else; their sessions end and their lock lifts."""
    errors = FieldErrors(_labels())
    password = _new_password(errors, data, user.username)
    errors.raise_if_any()
    set_password(user, password)
    end_sessions(user)
    throttle.clear_account(user.username)
    db.session.flush()
    _audit(user, actor, "password_reset")


def change_password(user: User, data: dict[str, Any], address: str | None = None) -> None:
    """Change one's own password; the current one is required and counted like a login.

    Every session of the user ends; the caller signs the current one in again.
    """
    current = data.get("current_password")
    if not isinstance(current, str) or not current:
        raise ValidationFailed(
            str(_l("This field is required.")),
            fields={"current_password": str(_l("This field is required."))},
        )
    keys = throttle.keys_for(user.username, address)
    if not throttle.reserve(keys, utcnow()):
        message = str(_l("Too many failed logins. Try again later."))
        raise ValidationFailed(message, fields={"current_password": message})
    if not verify_password(user.password_hash, current):
        throttle.record_failure(keys, utcnow())
        db.session.commit()  # the failure counts even though the change is refused
        message = str(_l("The current password is wrong."))
        raise ValidationFailed(message, fields={"current_password": message})
    throttle.record_success(keys)
    errors = FieldErrors(_labels())
    password = _new_password(errors, data, user.username)
    if password and password == current and "password" not in errors.errors:
        errors.add("password", _l("Choose a password different from the current one."))
    errors.raise_if_any()
    set_password(user, password)
    end_sessions(user)
    db.session.flush()
    _audit(user, user, "password_changed")
