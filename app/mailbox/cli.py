"""`flask mailbox fetch`: run the mailbox job once, by hand or from cron."""

import click
from flask.cli import AppGroup

from app.mailbox.tasks import fetch_mailbox_job

mailbox_cli = AppGroup("mailbox", help="The e-mail intake mailbox.")


@mailbox_cli.command("fetch")
def mailbox_fetch() -> None:
    """Fetch new messages from the configured IMAP mailbox."""
    for key, value in fetch_mailbox_job().items():
        click.echo(f"{key}: {value}")
