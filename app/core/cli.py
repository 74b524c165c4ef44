"""`flask audit`: check the trail's hash chains."""

import click
from flask.cli import with_appcontext

from app.core.trail import verify_chains

audit_cli = click.Group("audit", help="Check the tamper-evident trail.")


@audit_cli.command("verify")
@with_appcontext
def verify_command() -> None:
    """Walk every subject's chain and name the first broken row of each; exit 1 if any."""
    result = verify_chains()
    for broken in result.broken:
        click.echo(f"BROKEN {broken}", err=True)
    click.echo(
        f"{result.events} events in {result.chains} chains checked, {len(result.broken)} broken"
    )
    if result.broken:
        raise SystemExit(1)
