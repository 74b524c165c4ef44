"""Turning e-mails into cases, correspondence or triage items, exactly once each.

The order of work makes a crash harmless: a message is parsed and its case
committed first, and only then marked as read on the server. A message that
was committed but not marked is recognised by its Message-ID next time and
only marked; one that was not committed is simply processed again.
"""

import hashlib
import hmac
import html
import imaplib
import logging
import re
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import parseaddr, parsedate_to_datetime

import bleach
import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l

from app.attachments.storage import check_upload, store_attachment
from app.cases.engine import record_case_event
from app.cases.models import Case
from app.core.errors import ValidationFailed
from app.core.types import utcnow
from app.core.validation import strip_control
from app.extensions import db
from app.intake.services import CONTENT_MAX, TITLE_MAX, register_case
from app.mailbox.models import InboundMessage, InboundStatus
from app.mailbox.tags import verification_code

log = logging.getLogger(__name__)

# What survives of an HTML e-mail: text structure and plain links, nothing active.
ALLOWED_TAGS = frozenset(
    {
        "a",
        "b",
        "blockquote",
        "br",
        "code",
        "div",
        "em",
        "h1",
        "h2",
        "h3",
        "h4",
        "i",
        "li",
        "ol",
        "p",
        "pre",
        "span",
        "strong",
        "table",
        "tbody",
        "td",
        "th",
        "thead",
        "tr",
        "u",
        "ul",
    }
)
ALLOWED_ATTRIBUTES = {
    "a": ["href", "title"],
    "td": ["colspan", "rowspan"],
    "th": ["colspan", "rowspan"],
}
ALLOWED_PROTOCOLS = frozenset({"http", "https", "mailto"})
_CASE_REF = re.compile(r"\b([A-Z]{1,8}\d{4}-\d{6})\b")
_CODE_REF = re.compile(r"#([A-Z0-9]{8})\b")


def sanitize_html(body: str) -> str:
    """Keep an allow-list of harmless tags and attributes; drop everything else."""
    return bleach.clean(
        body,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        protocols=ALLOWED_PROTOCOLS,
        strip=True,
        strip_comments=True,
    )


def html_to_text(body: str) -> str:
    """Return the visible text of HTML (bleach escapes what it returns, so unescape it)."""
    spaced = re.sub(r"(?i)<\s*(br|/p|/div|/li|/tr|/h\d)\s*/?>", "\n", body)
    return html.unescape(bleach.clean(spaced, tags=set(), strip=True, strip_comments=True))


@dataclass
class ParsedMail:
    message_id: str
    from_name: str
    from_address: str
    subject: str
    sent_at: object
    text: str
    html: str
    attachments: list[tuple[str, bytes]] = field(default_factory=list)
    auto_submitted: bool = False


def parse_mail(raw: bytes) -> ParsedMail:
    """Read the parts of a message that intake needs."""
    message: EmailMessage = BytesParser(policy=policy.default).parsebytes(raw)
    message_id = (message.get("Message-ID") or "").strip()
    if not message_id:
        message_id = f"<sha256-{hashlib.sha256(raw).hexdigest()}@no-message-id>"
    name, address = parseaddr(str(message.get("From", "")))
    try:
        sent_at = parsedate_to_datetime(str(message["Date"])) if message["Date"] else None
        if sent_at is not None and sent_at.tzinfo is None:
            sent_at = None
    except (TypeError, ValueError):
        sent_at = None
    text_part = message.get_body(preferencelist=("plain",))
    html_part = message.get_body(preferencelist=("html",))
    html_body = html_part.get_content() if html_part is not None else ""
    text_body = text_part.get_content() if text_part is not None else html_to_text(html_body)
    attachments = []
    for part in message.iter_attachments():
        payload = part.get_payload(decode=True) or b""
        attachments.append((part.get_filename() or "attachment", payload))
    auto = str(message.get("Auto-Submitted", "no")).lower() not in {"", "no"}
    return ParsedMail(
        message_id=message_id[:255],
        from_name=strip_control(name, 80),
        from_address=strip_control(address, 255).lower(),
        subject=strip_control(str(message.get("Subject", "")), 500),
        sent_at=sent_at,
        text=_clean_text(text_body),
        html=sanitize_html(html_body) if html_body else "",
        attachments=attachments,
        auto_submitted=auto or bool(message.get("X-Autoreply")),
    )


def _clean_text(text: str) -> str:
    # Keep line structure but drop control characters a mail client may leave behind.
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", "", text).strip()


def _triage_reason(mail: ParsedMail) -> str | None:
    """Say why a message needs a person, or None if it can become a case by itself."""
    own = current_app.config["MAIL_FROM"].lower()
    if not mail.from_address or "@" not in mail.from_address:
        return str(_l("No sender address."))
    if mail.auto_submitted:
        return str(_l("Automatic message (auto-reply or bounce)."))
    if mail.from_address == own:
        return str(_l("Sent from our own address."))
    if not mail.text and not mail.attachments:
        return str(_l("Empty message."))
    if len(mail.text) > CONTENT_MAX:
        return str(_l("Message too long to register automatically."))
    return None


def _match_reply(mail: ParsedMail) -> tuple[Case | None, str | None]:
    """Return (case, None) for a verified reply, (None, reason) for a suspicious one."""
    number = _CASE_REF.search(mail.subject.upper())
    if number is None:
        return None, None
    case = db.session.scalar(sa.select(Case).where(Case.number == number.group(1)))
    code = _CODE_REF.search(mail.subject.upper())
    if case is None:
        return None, str(_l("Subject names an unknown case number."))
    if code is None or not hmac.compare_digest(code.group(1), verification_code(case.number)):
        return None, str(_l("Subject names a case but lacks its verification code."))
    return case, None


def process_mail(raw: bytes) -> tuple[InboundMessage, bool]:
    """Turn one raw message into a case, correspondence or a triage item; flush, not commit.

    Returns the message's row and whether it is new (False: seen before, nothing done).
    """
    mail = parse_mail(raw)
    existing = db.session.scalar(
        sa.select(InboundMessage).where(InboundMessage.message_id == mail.message_id)
    )
    if existing is not None:
        return existing, False
    inbound = InboundMessage(
        message_id=mail.message_id,
        from_address=mail.from_address,
        from_name=mail.from_name,
        subject=mail.subject,
        sent_at=mail.sent_at,
        received_at=utcnow(),
        body_text=mail.text,
        body_html=mail.html,
        status=InboundStatus.TRIAGE,
    )
    db.session.add(inbound)
    db.session.flush()
    checked, bad_file = _check_attachments(mail)
    case, suspicious = _match_reply(mail)
    reason = suspicious or bad_file or _triage_reason(mail)
    if case is not None and reason is None:
        inbound.status = InboundStatus.THREADED
        inbound.case_id = case.id
        record_case_event(
            case, None, "correspondence", data={"message": inbound.id, "subject": mail.subject}
        )
    elif reason is None:
        case = _register_from_mail(mail)
        inbound.status = InboundStatus.CASE_CREATED
        inbound.case_id = case.id
    else:
        inbound.triage_reason = reason[:200]
    for name, data, mime in checked:
        store_attachment(
            data, name, mime, case=case if reason is None else None, inbound_message=inbound
        )
    db.session.flush()
    return inbound, True


def _check_attachments(mail: ParsedMail):
    checked = []
    for name, data in mail.attachments:
        try:
            checked.append((name, data, check_upload("attachment", name, data)))
        except ValidationFailed as error:
            return checked, str(_l("Attachment refused: %(why)s", why=error.message))[:200]
    return checked, None


def _register_from_mail(mail: ParsedMail) -> Case:
    """Register a new e-mail complaint; the operator classifies it while screening."""
    title = mail.subject or str(_l("(no subject)"))
    case = register_case(
        {
            "channel": "email",
            "complainant": {
                "name": mail.from_name or mail.from_address.split("@")[0],
                "email": mail.from_address,
                "anonymous": False,
            },
            "title": title[:TITLE_MAX],
            "content": mail.text or str(_l("(see attachments)")),
        },
        None,
        screen_now=True,
    )
    case.content_html = mail.html
    return case


@dataclass
class FetchResult:
    fetched: int = 0
    cases: int = 0
    threaded: int = 0
    triage: int = 0
    already_known: int = 0
    failed: int = 0


def fetch_mailbox() -> FetchResult:
    """Fetch unread messages over IMAP and process each in its own transaction."""
    config = current_app.config
    result = FetchResult()
    if not config["MAILBOX_HOST"]:
        return result
    connect = imaplib.IMAP4_SSL if config["MAILBOX_SSL"] else imaplib.IMAP4
    with connect(config["MAILBOX_HOST"], config["MAILBOX_PORT"], timeout=30) as imap:
        imap.login(config["MAILBOX_USER"], config["MAILBOX_PASSWORD"])
        imap.select(config["MAILBOX_FOLDER"])
        status, data = imap.uid("SEARCH", None, "UNSEEN")
        if status != "OK":
            raise RuntimeError(f"IMAP search failed: {data!r}")
        uids = data[0].split()[: config["MAILBOX_BATCH"]]
        for uid in uids:
            _fetch_one(imap, uid, result)
        imap.logout()
    return result


def _fetch_one(imap: imaplib.IMAP4, uid: bytes, result: FetchResult) -> None:
    # PEEK leaves \Seen alone: the flag is set only after our commit.
    status, data = imap.uid("FETCH", uid, "(BODY.PEEK[])")
    if status != "OK" or not data or not isinstance(data[0], tuple):
        result.failed += 1
        return
    result.fetched += 1
    try:
        inbound, new = process_mail(data[0][1])
        db.session.commit()
    except Exception:
        db.session.rollback()
        log.exception("could not process mailbox message uid %s", uid)
        result.failed += 1
        return
    if not new:
        result.already_known += 1
    elif inbound.status == InboundStatus.CASE_CREATED:
        result.cases += 1
    elif inbound.status == InboundStatus.THREADED:
        result.threaded += 1
    else:
        result.triage += 1
    imap.uid("STORE", uid, "+FLAGS", "(\\Seen)")
