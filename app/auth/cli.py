"""`flask tokens create|list|revoke` and `flask users create|deactivate|reactivate|reset-password`.

Every change is recorded on the user's trail with no actor (the command line).
"""

import click
import sqlalchemy as sa
from flask.cli import AppGroup

from app.auth.models import ApiToken, Role, User, UserRole
from app.auth.passwords import policy_errors
from app.auth.services import set_password
from app.auth.tokens import issue_token, revoke_token, token_state, tokens_query
from app.auth.users import deactivate_user, reactivate_user, reset_password
from app.core.errors import DomainError
from app.core.trail import record_event
from app.core.types import utcnow
from app.extensions import db
from app.units.services import get_unit_by_code

tokens_cli = AppGroup("tokens", help="Manage API bearer tokens.")
users_cli = AppGroup("users", help="Manage user accounts.")


def _user(username: str) -> User:
    user = db.session.scalar(sa.select(User).where(User.username == username))
    if user is None:
        raise click.ClickException(f"no user named {username!r}")
    return user


def _fail(error: DomainError) -> click.ClickException:
    db.session.rollback()
    detail = "; ".join(f"{k}: {v}" for k, v in error.fields.items()) or error.message
    return click.ClickException(detail)


@tokens_cli.command("create")
@click.argument("username")
@click.option("--name", default="cli", help="A label for the token.")
@click.option("--days", type=int, default=None, help="Lifetime in days (default: API_TOKEN_DAYS).")
def tokens_create(username: str, name: str, days: int | None) -> None:
    """Create an API token for USERNAME and print it once."""
    _user(username)
    try:
        _row, secret = issue_token({"username": username, "name": name, "days": days}, None)
    except DomainError as error:
        raise _fail(error) from None
    db.session.commit()
    click.echo(secret)  # alone on stdout, so that scripts can take it: `tokens list` tells the rest


@tokens_cli.command("list")
@click.option("--user", "username", default="", help="Only tokens of usernames containing this.")
@click.option(
    "--state", type=click.Choice(["live", "expired", "revoked"]), default=None, help="Only these."
)
def tokens_list(username: str, state: str | None) -> None:
    """List tokens (never their secrets): id, user, name, state, created, expires, last used."""
    now = utcnow()
    for t in db.session.scalars(tokens_query(username, state or "")):
        used = f"{t.last_used_at:%Y-%m-%d %H:%M}" if t.last_used_at else "-"
        click.echo(
            f"{t.id}\t{t.user.username}\t{t.name or '-'}\t{token_state(t, now)}\t"
            f"{t.created_at:%Y-%m-%d}\t{t.expires_at:%Y-%m-%d}\t{used}"
        )


@tokens_cli.command("revoke")
@click.argument("token_id", type=int)
def tokens_revoke(token_id: int) -> None:
    """Revoke token TOKEN_ID at once."""
    token = db.session.get(ApiToken, token_id) if 0 < token_id < 2**31 else None
    if token is None:
        raise click.ClickException(f"no token {token_id}")
    if not revoke_token(token, None):
        raise click.ClickException(f"token {token_id} was revoked already")
    db.session.commit()
    click.echo(f"revoked token {token_id}")


@users_cli.command("create")
@click.argument("username")
@click.option("--name", required=True)
@click.option(
    "--role", "roles", multiple=True, required=True, type=click.Choice([r.value for r in Role])
)
@click.option("--unit", "unit_code", default=None, help="Unit code.")
@click.password_option()
def users_create(username, name, roles, unit_code, password) -> None:
    """Create a user account (the password must meet the policy)."""
    unit = get_unit_by_code(unit_code) if unit_code else None
    if unit_code and unit is None:
        raise click.ClickException(f"no unit with code {unit_code!r}")
    if db.session.scalar(sa.select(User.id).where(User.username == username)):
        raise click.ClickException(f"user {username!r} exists already")
    problems = policy_errors(password, username)
    if problems:
        raise click.ClickException(" ".join(problems))
    user = User(username=username, name=name, unit_id=unit.id if unit else None)
    set_password(user, password)
    user.role_rows = [UserRole(role=Role(r)) for r in roles]
    db.session.add(user)
    db.session.flush()
    record_event(
        "user", user.id, None, "user_created", data={"username": username, "roles": list(roles)}
    )
    db.session.commit()
    click.echo(f"created {username}")


@users_cli.command("deactivate")
@click.argument("username")
def users_deactivate(username: str) -> None:
    """Stop USERNAME's account: every session and token ends."""
    deactivate_user(_user(username), None)
    db.session.commit()
    click.echo(f"deactivated {username}")


@users_cli.command("reactivate")
@click.argument("username")
def users_reactivate(username: str) -> None:
    """Let USERNAME sign in again."""
    reactivate_user(_user(username), None)
    db.session.commit()
    click.echo(f"reactivated {username}")


@users_cli.command("reset-password")
@click.argument("username")
@click.password_option()
def users_reset_password(username: str, password: str) -> None:
    """Give USERNAME a new password (policy applies); their sessions end, a lock lifts."""
    try:
        reset_password(_user(username), {"password": password, "password_confirm": password}, None)
    except DomainError as error:
        raise _fail(error) from None
    db.session.commit()
    click.echo(f"password of {username} reset")
