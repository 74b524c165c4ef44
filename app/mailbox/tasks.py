"""The periodic mailbox job."""

from dataclasses import asdict

from app.mailbox.services import fetch_mailbox


def fetch_mailbox_job() -> dict:
    """Fetch and process new mail; safe to run again at any point."""
    return asdict(fetch_mailbox())
