"""Fixtures that run a real Dovecot IMAP server on 127.0.0.1 for mail-intake tests."""

import os
from collections.abc import Iterator

import pytest

from tests.mailbox.imap_server import ImapServer, dovecot_binary, start_imap_server

MISSING = "Dovecot is not installed (apt-get install dovecot-imapd)"


@pytest.fixture(scope="session")
def imap_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ImapServer]:
    """Start one Dovecot for the session; skip without it unless REQUIRE_SERVICES=1."""
    if dovecot_binary() is None:
        if os.environ.get("REQUIRE_SERVICES") == "1":
            pytest.fail(MISSING)
        pytest.skip(MISSING)
    server = start_imap_server(tmp_path_factory.mktemp("dovecot"))
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def mailbox(imap_server: ImapServer) -> Iterator[ImapServer]:
    """Yield the server with an empty INBOX."""
    imap_server.clear()
    yield imap_server


@pytest.fixture
def inbox(app, org, mailbox: ImapServer) -> ImapServer:
    """The empty server, as the app's mailbox (the demo units loaded)."""
    app.config.update(
        MAILBOX_HOST=mailbox.host,
        MAILBOX_PORT=mailbox.port,
        MAILBOX_SSL=False,
        MAILBOX_USER=mailbox.user,
        MAILBOX_PASSWORD=mailbox.password,
    )
    return mailbox
