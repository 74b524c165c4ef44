"""`flask tokens create USERNAME` and `flask users create`."""

import click
import sqlalchemy as sa
from flask.cli import AppGroup

from app.auth.models import Role, User
from app.auth.services import create_token, create_user
from app.extensions import db
from app.units.services import get_unit_by_code

tokens_cli = AppGroup("tokens", help="Manage API bearer tokens.")
users_cli = AppGroup("users", help="Manage user accounts.")


@tokens_cli.command("create")
@click.argument("username")
@click.option("--name", default="cli", help="A label for the token.")
def tokens_create(username: str, name: str) -> None:
    """Create an API token for USERNAME and print it once."""
    user = db.session.scalar(sa.select(User).where(User.username == username))
    if user is None:
        raise click.ClickException(f"no user named {username!r}")
    token = create_token(user, name)
    db.session.commit()
    click.echo(token)


@users_cli.command("create")
@click.argument("username")
@click.option("--name", required=True)
@click.option(
    "--role", "roles", multiple=True, required=True, type=click.Choice([r.value for r in Role])
)
@click.option("--unit", "unit_code", default=None, help="Unit code.")
@click.password_option()
def users_create(username, name, roles, unit_code, password) -> None:
    """Create a user account."""
    unit = get_unit_by_code(unit_code) if unit_code else None
    if unit_code and unit is None:
        raise click.ClickException(f"no unit with code {unit_code!r}")
    create_user(username, name, password, roles, unit)
    db.session.commit()
    click.echo(f"created {username}")
