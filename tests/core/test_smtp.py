"""Receipts leave through a real SMTP server on loopback."""

import email
import socket

import pytest
from aiosmtpd.controller import Controller

from app.mailbox.tags import subject_tag
from tests.conftest import complaint


class Collector:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.rcpt_tos, envelope.content))
        return "250 OK"


@pytest.fixture
def smtp_server():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    collector = Collector()
    controller = Controller(collector, hostname="127.0.0.1", port=port)
    controller.start()
    yield collector, port
    controller.stop()


def test_receipt_email_goes_through_smtp_with_a_threading_tag(app, org, smtp_server):
    from app.extensions import db
    from app.intake.services import register_case

    collector, port = smtp_server
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port)
    person = {"name": "孙权", "email": "sunquan@example.net", "anonymous": False}
    case = register_case(complaint(complainant=person), org["users"]["operator"])
    db.session.commit()  # registering queues the receipt; it is sent after the commit
    [(recipients, raw)] = collector.messages
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert recipients == ["sunquan@example.net"]
    assert subject_tag(case.number) in message["Subject"]
    assert case.tracking_code in message.get_content()
