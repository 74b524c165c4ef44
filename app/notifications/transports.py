"""How messages leave the system: SMTP for e-mail, a small gateway interface for SMS."""

import json
import logging
import smtplib
import urllib.request
from email.message import EmailMessage
from email.utils import make_msgid

from flask import current_app

log = logging.getLogger(__name__)


def send_email(to: str, subject: str, body: str, *, headers: dict | None = None) -> str:
    """Send a plain-text e-mail through the configured SMTP server; return its Message-ID."""
    config = current_app.config
    message = EmailMessage()
    message["From"] = config["MAIL_FROM"]
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = make_msgid(domain=config["MAIL_FROM"].rpartition("@")[2] or None)
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(body)
    if not config["MAIL_SERVER"]:
        log.info("e-mail (no MAIL_SERVER, logged only) to %s: %s", to, subject)
        return message["Message-ID"]
    with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=15) as smtp:
        if config["MAIL_USE_TLS"]:
            smtp.starttls()
        if config["MAIL_USERNAME"]:
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        smtp.send_message(message)
    return message["Message-ID"]


def send_sms(to: str, text: str) -> None:
    """Send an SMS through the configured gateway backend."""
    config = current_app.config
    backend = config["SMS_BACKEND"]
    if backend == "log":
        log.info("SMS (log backend) to %s: %s", to, text)
        return
    if backend == "http":
        request = urllib.request.Request(
            config["SMS_HTTP_URL"],
            data=json.dumps({"to": to, "text": text}).encode(),
            headers={
                "Content-Type": "application/json",
                "Authorization": f"Bearer {config['SMS_HTTP_TOKEN']}",
            },
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=15) as response:
            if response.status >= 300:
                raise RuntimeError(f"SMS gateway answered {response.status}")
        return
    raise RuntimeError(f"unknown SMS_BACKEND {backend!r}")
