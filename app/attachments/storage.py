"""Checking and storing files: type by content, size-limited, random names, no half writes."""

import hashlib
import os
import secrets
from pathlib import Path

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_sqlalchemy.session import Session

from app.attachments.models import Attachment
from app.core.errors import ValidationFailed
from app.extensions import db

# Magic numbers of the types we accept; the client's Content-Type and file name
# are never trusted.
_SIGNATURES: list[tuple[bytes, str]] = [
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"%PDF-", "application/pdf"),
]
_WRITTEN_KEY = "attachment_files_written"


def sniff_type(data: bytes) -> str | None:
    """Return the MIME type that the bytes themselves show, or None if not accepted."""
    for magic, mime in _SIGNATURES:
        if data.startswith(magic):
            return mime
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def check_upload(field: str, filename: str, data: bytes) -> str:
    """Return the file's MIME type, or raise naming ``field`` with a clear reason."""
    limit = current_app.config["ATTACHMENT_MAX_BYTES"]
    if not data:
        raise ValidationFailed(
            _l("%(name)s is empty.", name=filename), fields={field: str(_l("The file is empty."))}
        )
    if len(data) > limit:
        message = _l("%(name)s is larger than %(mb)d MB.", name=filename, mb=limit // (1024 * 1024))
        raise ValidationFailed(message, fields={field: str(message)})
    mime = sniff_type(data)
    if mime is None:
        message = _l("%(name)s is not a JPEG, PNG, GIF, WebP image or a PDF.", name=filename)
        raise ValidationFailed(message, fields={field: str(message)})
    return mime


def _safe_filename(name: str) -> str:
    name = os.path.basename(name.replace("\\", "/")).strip() or "file"
    return "".join(ch for ch in name if ch.isprintable())[:200]


def store_attachment(
    data: bytes, filename: str, mime: str, *, case=None, inbound_message=None, uploaded_by=None
) -> Attachment:
    """Write the file under a random name and add its row; a rollback deletes the file."""
    root = Path(current_app.config["ATTACHMENT_DIR"])
    stored_name = secrets.token_hex(16)
    path = root / stored_name[:2] / stored_name
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_suffix(".part")
    temp.write_bytes(data)
    os.replace(temp, path)
    db.session.info.setdefault(_WRITTEN_KEY, []).append(str(path))
    attachment = Attachment(
        case_id=case.id if case else None,
        inbound_message_id=inbound_message.id if inbound_message else None,
        filename=_safe_filename(filename),
        stored_name=stored_name,
        content_type=mime,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        uploaded_by_id=uploaded_by.id if uploaded_by else None,
    )
    db.session.add(attachment)
    return attachment


def attachment_path(attachment: Attachment) -> Path:
    """Return where the attachment's bytes are kept."""
    root = Path(current_app.config["ATTACHMENT_DIR"])
    return root / attachment.stored_name[:2] / attachment.stored_name


def _forget_files(session) -> None:
    session.info.pop(_WRITTEN_KEY, None)


def _delete_files(session, transaction) -> None:
    # The outermost transaction ended without a commit (rollback, or a session
    # closed after an error): the rows are gone, so the files they named go too.
    if transaction.parent is not None:
        return
    for path in session.info.pop(_WRITTEN_KEY, []):
        Path(path).unlink(missing_ok=True)


def init_app(app) -> None:
    """Tie stored files to the fate of the transaction that stored them."""
    for name, fn in (("after_commit", _forget_files), ("after_transaction_end", _delete_files)):
        if not sa.event.contains(Session, name, fn):
            sa.event.listen(Session, name, fn)


def read_uploads(field: str, files) -> list[tuple[str, bytes, str]]:
    """Read and check uploaded files; return (name, bytes, type) or raise before storing any."""
    files = [f for f in files or [] if f and f.filename]
    limit = current_app.config["ATTACHMENT_MAX_FILES"]
    if len(files) > limit:
        message = _l("At most %(n)d files.", n=limit)
        raise ValidationFailed(message, fields={field: str(message)})
    checked = []
    for upload in files:
        data = upload.read(current_app.config["ATTACHMENT_MAX_BYTES"] + 1)
        checked.append((upload.filename, data, check_upload(field, upload.filename, data)))
    return checked


def store_uploads(checked, *, case=None, uploaded_by=None) -> list[Attachment]:
    """Store files already passed by read_uploads."""
    return [
        store_attachment(data, name, mime, case=case, uploaded_by=uploaded_by)
        for name, data, mime in checked
    ]
