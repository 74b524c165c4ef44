"""The Dovecot harness itself: delivery, flags as the server keeps them, and clearing."""

import imaplib
from email.message import EmailMessage

from tests.mailbox.imap_server import ImapServer


def make_message(message_id: str, subject: str) -> bytes:
    """Build a small RFC 5322 message with the given Message-ID."""
    msg = EmailMessage()
    msg["From"] = "citizen@example.test"
    msg["To"] = "intake@example.test"
    msg["Subject"] = subject
    msg["Message-ID"] = message_id
    msg.set_content("办事窗口排队两小时无人受理。\n")
    return msg.as_bytes()


def test_appended_messages_are_unseen_until_fetched(mailbox: ImapServer) -> None:
    first, second = "<first@example.test>", "<second@example.test>"
    mailbox.append(make_message(first, "First complaint"))
    mailbox.append(make_message(second, "Second complaint"))

    assert mailbox.flags() == {first: set(), second: set()}

    # A plain RFC822 fetch (not BODY.PEEK) makes the server set \Seen, as a mail client would.
    client = imaplib.IMAP4(mailbox.host, mailbox.port, timeout=10)
    try:
        client.login(mailbox.user, mailbox.password)
        typ, data = client.select("INBOX")
        assert (typ, data) == ("OK", [b"2"])
        typ, data = client.search(None, "HEADER", "Message-ID", f'"{first}"')
        assert typ == "OK"
        (number,) = data[0].split()
        typ, data = client.fetch(number, "(RFC822)")
        assert typ == "OK"
        assert b"Subject: First complaint" in data[0][1]
    finally:
        client.logout()

    flags = mailbox.flags()
    assert "\\Seen" in flags[first]
    assert "\\Seen" not in flags[second]


def test_mailbox_fixture_starts_empty(mailbox: ImapServer) -> None:
    # The previous test left two messages in INBOX.
    assert mailbox.flags() == {}


def test_clear_empties_the_folder(mailbox: ImapServer) -> None:
    mailbox.append(make_message("<a@example.test>", "A"))
    mailbox.append(make_message("<b@example.test>", "B"), folder="Archive")
    assert len(mailbox.flags()) == 1

    mailbox.clear()
    assert mailbox.flags() == {}

    # Other folders are left alone, and can be cleared by name.
    assert list(mailbox.flags("Archive")) == ["<b@example.test>"]
    mailbox.clear("Archive")
    assert mailbox.flags("Archive") == {}
