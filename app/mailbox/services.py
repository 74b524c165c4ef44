"""Turning e-mails into cases, correspondence or triage items, exactly once each.

The order of work makes a crash harmless: a message is parsed and its case
committed first, and only then marked as read on the server. A message that
was committed but not marked is recognised by its Message-ID next time and
only marked; one that was not committed is simply processed again.

A message whose processing raises is never retried on every fetch: it goes to
triage with a reason and its original bytes, and is marked read. Only if even that
fails is it left unread, for a bounded number of fetches counted on the server.
"""

import hashlib
import hmac
import html
import imaplib
import logging
import re
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.header import decode_header, make_header
from email.message import EmailMessage
from email.parser import BytesParser
from email.policy import compat32
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
from app.core.validation import FieldErrors, strip_control
from app.extensions import db
from app.intake.services import CONTENT_MAX, NAME_MAX, TITLE_MAX, register_case
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
# ASCII word boundaries: in Chinese the number often touches the text (关于CC2026-000004的补充),
# where a Unicode \b sees no boundary, since 于 and 的 are word characters too.
_CASE_REF = re.compile(r"\b([A-Z]{1,8}\d{4}-\d{6})\b", re.ASCII)
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


def message_key(raw: bytes) -> str:
    """Return what identifies a message: its Message-ID, or a digest of one without it.

    Read with the lenient compat32 parser, so that a message the strict parser
    refuses still has the same key on every fetch and is never processed twice.
    """
    try:
        value = str(message_from_bytes(raw, policy=compat32).get("Message-ID") or "")
    except Exception:  # a header section no parser reads: the digest identifies it
        value = ""
    return _one_line(value, 255) or f"<sha256-{hashlib.sha256(raw).hexdigest()}@no-message-id>"


def _one_line(value: str, max_length: int) -> str:
    # An encoded word may decode to CR/LF or tabs: fold them into single spaces, since a
    # header is one line wherever it goes (a case title, an address, a name).
    return strip_control(" ".join(_unescape(value).split()), max_length)


def _unescape(text: str) -> str:
    """Turn the parser's stand-ins for raw 8-bit bytes back into text.

    Chinese mail clients often send UTF-8 (or GBK) headers unencoded; the parser keeps
    those bytes as lone surrogates, which no database driver accepts.
    """
    try:
        return _decode(text.encode("utf-8", "surrogateescape"))
    except UnicodeEncodeError:  # surrogates that are no escaped bytes
        return text.encode("utf-8", "replace").decode("utf-8")


def _decode(data: bytes) -> str:
    """Decode bytes of unknown charset: UTF-8, else GB18030 (GBK), else with stand-ins."""
    for charset in ("utf-8", "gb18030"):
        try:
            return data.decode(charset)
        except UnicodeDecodeError:
            continue
    return data.decode("utf-8", "replace")


def _header(message: EmailMessage, name: str) -> str:
    """Return a header's decoded text, or its raw text where the parser refuses it."""
    try:
        value = message.get(name)
        value = "" if value is None else str(value)
        if "\ufffd" not in value:
            return value
    except Exception:  # e.g. CR/LF inside an address: decode the raw value by hand
        pass
    # Unencoded 8-bit text (lost by the parser) or a value it refuses: read it raw.
    for key, raw in message.raw_items():
        if key.lower() == name.lower():
            try:
                return str(make_header(decode_header(_unescape(raw))))
            except Exception:
                return _unescape(raw)
    return ""


def _sender(message: EmailMessage) -> tuple[str, str]:
    """Return the sender's (name, address), from the first address of From."""
    try:
        addresses = message["From"].addresses if message["From"] is not None else ()
        if addresses:
            return addresses[0].display_name, addresses[0].addr_spec
    except Exception:  # a From the parser refuses: read it as plain text
        pass
    return parseaddr(_one_line(_header(message, "From"), 1000))


def _text_of(part) -> str:
    """Return a text part's content; decode it by hand when its charset is unknown or wrong."""
    try:
        text = part.get_content()
    except Exception:  # e.g. LookupError: a charset Python does not know
        text = None
    if text is not None and "\ufffd" not in text:
        return text
    # Undeclared 8-bit text (read as ASCII) or an unknown charset: try what is likely.
    decoded = _decode(part.get_payload(decode=True) or b"")
    return text if text is not None and "\ufffd" in decoded else decoded


def _filename(part) -> str:
    try:
        return _one_line(part.get_filename() or "", 200) or "attachment"
    except Exception:
        return "attachment"


def parse_mail(raw: bytes) -> ParsedMail:
    """Read the parts of a message that intake needs."""
    message: EmailMessage = BytesParser(policy=policy.default).parsebytes(raw)
    name, address = _sender(message)
    date = _header(message, "Date")
    try:
        sent_at = parsedate_to_datetime(date) if date else None
        if sent_at is not None and sent_at.tzinfo is None:
            sent_at = None
    except (TypeError, ValueError, OverflowError, IndexError):
        sent_at = None
    text_part = message.get_body(preferencelist=("plain",))
    html_part = message.get_body(preferencelist=("html",))
    html_body = _text_of(html_part) if html_part is not None else ""
    text_body = _text_of(text_part) if text_part is not None else html_to_text(html_body)
    attachments = []
    for part in message.iter_attachments():
        payload = part.get_payload(decode=True) or b""
        attachments.append((_filename(part), payload))
    auto = _header(message, "Auto-Submitted").strip().lower() not in {"", "no"}
    return ParsedMail(
        message_id=message_key(raw),
        from_name=_one_line(name, NAME_MAX),
        from_address=_one_line(address, 255).lower(),
        subject=_one_line(_header(message, "Subject"), 500),
        sent_at=sent_at,
        text=_clean_text(text_body),
        html=sanitize_html(html_body) if html_body else "",
        attachments=attachments,
        auto_submitted=auto or bool(_header(message, "X-Autoreply")),
    )


def can_reply_to(address: str) -> bool:
    """Say whether intake would accept ``address`` as the complainant's e-mail."""
    errors = FieldErrors()
    errors.email("email", address, required=True)
    return not errors.errors


def _clean_text(text: str) -> str:
    # Keep line structure but drop control characters a mail client may leave behind.
    text = _unescape(text).replace("\r\n", "\n").replace("\r", "\n")
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
    if not can_reply_to(mail.from_address):
        return str(_l("The sender's address cannot be used for a reply."))
    if not mail.text and not mail.attachments:
        return str(_l("Empty message."))
    if len(mail.text) > CONTENT_MAX:
        return str(_l("Message too long to register automatically."))
    return None


def case_number_in(subject: str | None) -> str:
    """Return the first case number the subject names ("[CC2026-000004]", "re: cc2026-…"), or ""."""
    found = _CASE_REF.search((subject or "").upper())
    return found.group(1) if found else ""


def _match_reply(mail: ParsedMail) -> tuple[Case | None, str | None]:
    """Return (case, None) for a verified reply, (None, reason) for a suspicious one."""
    number = case_number_in(mail.subject)
    if not number:
        return None, None
    case = db.session.scalar(sa.select(Case).where(Case.number == number))
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
    existing = _known(message_key(raw))
    if existing is not None:
        return existing, False
    mail = parse_mail(raw)
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


def _known(key: str) -> InboundMessage | None:
    return db.session.scalar(sa.select(InboundMessage).where(InboundMessage.message_id == key))


def record_failed_mail(raw: bytes, error: Exception) -> InboundMessage:
    """Put a message whose processing raised into triage, keeping the original; flush.

    The operator sees what could be read of it and the original, and decides; the
    error stays beside it for whoever fixes the cause.
    """
    key = message_key(raw)
    existing = _known(key)
    if existing is not None:  # recorded before, but not marked read on the server
        return existing
    try:
        mail = parse_mail(raw)
        seen = {
            "from_address": mail.from_address,
            "from_name": mail.from_name,
            "subject": mail.subject,
            "sent_at": mail.sent_at,
            "body_text": mail.text,
            "body_html": mail.html,
        }
    except Exception:  # unreadable: the original, kept below, is what there is
        seen = {"body_text": _clean_text(raw.decode("utf-8", "replace"))}
    inbound = InboundMessage(
        message_id=key,
        received_at=utcnow(),
        status=InboundStatus.TRIAGE,
        triage_reason=str(_l("Automatic processing failed; the original message is kept."))[:200],
        processing_error=f"{type(error).__name__}: {error}"[:500],
        raw_message=raw,
        **seen,
    )
    db.session.add(inbound)
    db.session.flush()
    return inbound


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
                "name": mail.from_name or mail.from_address.split("@")[0][:NAME_MAX],
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
    triage: int = 0  # including the messages whose processing raised
    already_known: int = 0
    errors: int = 0  # processing raised: put in triage with the original
    failed: int = 0  # not even that worked: left unread for the next fetch
    given_up: int = 0  # failed MAILBOX_MAX_ATTEMPTS times: marked read and flagged


# IMAP keywords that count, on the server itself, the fetches that could not record a
# message at all, so a message that always fails is tried a bounded number of times.
ATTEMPT_KEYWORD = "IntakeFailed"
GAVE_UP_KEYWORD = "IntakeGaveUp"


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


def _fetched(data) -> tuple[bytes | None, set[str]]:
    """Return the message and its flags from a FETCH answer (flags before or after it)."""
    raw, meta = None, b""
    for item in data or ():
        if isinstance(item, tuple):
            meta += item[0]
            raw = item[1]
        elif isinstance(item, bytes):
            meta += item
    return raw, {flag.decode() for flag in imaplib.ParseFlags(meta)}


def _fetch_one(imap: imaplib.IMAP4, uid: bytes, result: FetchResult) -> None:
    # PEEK leaves \Seen alone: the flag is set only after our commit.
    status, data = imap.uid("FETCH", uid, "(FLAGS BODY.PEEK[])")
    raw, flags = _fetched(data)
    if status != "OK" or raw is None:
        result.failed += 1
        return
    result.fetched += 1
    try:
        inbound, new = process_mail(raw)
        db.session.commit()
    except Exception as error:
        db.session.rollback()
        log.exception("could not process mailbox message uid %s; it goes to triage", uid)
        _record_failure(imap, uid, raw, flags, error, result)
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


def _record_failure(imap, uid: bytes, raw: bytes, flags: set[str], error, result) -> None:
    """Triage a message whose processing raised; failing that, count the attempt."""
    try:
        record_failed_mail(raw, error)
        db.session.commit()
    except Exception:
        db.session.rollback()
        log.exception("could not record mailbox message uid %s in triage either", uid)
        # A database that does not answer is no fault of the message: stop this fetch
        # (raising), count nothing, and let the next one find every message unread.
        db.session.execute(sa.text("SELECT 1"))
        db.session.rollback()
        _count_attempt(imap, uid, flags, result)
        return
    result.errors += 1
    result.triage += 1
    imap.uid("STORE", uid, "+FLAGS", "(\\Seen)")


def _count_attempt(imap, uid: bytes, flags: set[str], result: FetchResult) -> None:
    done = [
        f for f in flags if f.startswith(ATTEMPT_KEYWORD) and f[len(ATTEMPT_KEYWORD) :].isdigit()
    ]
    attempts = 1 + max((int(f[len(ATTEMPT_KEYWORD) :]) for f in done), default=0)
    if attempts >= current_app.config["MAILBOX_MAX_ATTEMPTS"]:
        # Left on the server, read and flagged for a person; the log says which one.
        imap.uid("STORE", uid, "+FLAGS", f"(\\Seen {GAVE_UP_KEYWORD})")
        log.error(
            "mailbox message uid %s failed %d times; flagged %s", uid, attempts, GAVE_UP_KEYWORD
        )
        result.given_up += 1
        return
    imap.uid("STORE", uid, "+FLAGS", f"({ATTEMPT_KEYWORD}{attempts})")
    result.failed += 1
