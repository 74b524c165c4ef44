"""`flask demo seed`: a fictional county with users and cases in every state."""

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext

from app.demo.seed import seed_demo
from app.extensions import db

demo_cli = AppGroup("demo", help="Demo data.")


@demo_cli.command("seed")
@with_appcontext
def demo_seed() -> None:
    """Create or refresh the demo county (safe to run twice)."""
    if current_app.config["REFUSE_DEMO_PASSWORDS"]:
        raise click.ClickException("demo data is refused by the production config")
    summary = seed_demo()
    db.session.commit()
    for key, value in summary.items():
        click.echo(f"{key}: {value}")
