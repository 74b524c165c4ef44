"""`flask outbox relay`: send what the outbox holds now, by hand (cron runs it every minute)."""

import click
from flask.cli import AppGroup

from app.notifications.tasks import relay_outbox

outbox_cli = AppGroup("outbox", help="The notification outbox.")


@outbox_cli.command("relay")
@click.option("--limit", default=500, show_default=True, help="Send at most this many.")
def outbox_relay(limit: int) -> None:
    """Send pending messages whose queue job was lost, and retries whose backoff is over."""
    for key, value in relay_outbox(limit).items():
        click.echo(f"{key}: {value}")
