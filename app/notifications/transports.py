"""How messages leave the system: SMTP for e-mail, a small gateway interface for SMS."""

import contextlib
import json
import logging
import smtplib
import urllib.error
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


class _RefuseRedirects(urllib.request.HTTPRedirectHandler):
    """Treat a redirect as the gateway's answer.

    Following it would resend the POST as a GET without the message, and a 200 from
    the new address would then count as sent.
    """

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None  # urllib then raises HTTPError for the 3xx itself


_gateway = urllib.request.build_opener(_RefuseRedirects)


def send_sms(to: str, text: str) -> None:
    """Send an SMS through the configured gateway backend; raise if it is not accepted."""
    config = current_app.config
    backend = config["SMS_BACKEND"]
    if backend == "log":
        log.info("SMS (log backend) to %s: %s", to, text)
        return
    if backend == "http":
        url = config["SMS_HTTP_URL"]
        if not url:
            raise RuntimeError("SMS_BACKEND is http but SMS_HTTP_URL is not set")
        request = urllib.request.Request(
            url,
            data=json.dumps({"to": to, "text": text}).encode(),
            headers={
                "Content-Type": "application/json",
                "Authorization": f"Bearer {config['SMS_HTTP_TOKEN']}",
            },
            method="POST",
        )
        # urllib raises HTTPError for every answer outside 2xx (redirects included, above).
        try:
            with _gateway.open(request, timeout=15):
                pass
        except urllib.error.HTTPError as error:
            detail = ""
            with error, contextlib.suppress(OSError):
                detail = error.read(200).decode("utf-8", "replace").strip()
            raise RuntimeError(f"SMS gateway answered {error.code} {detail}".strip()) from error
        except (urllib.error.URLError, OSError) as error:
            reason = getattr(error, "reason", error)
            raise RuntimeError(f"SMS gateway not reached or no answer: {reason}") from error
        return
    raise RuntimeError(f"unknown SMS_BACKEND {backend!r}")
