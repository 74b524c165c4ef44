"""Attachment rows: the file itself lives under ATTACHMENT_DIR with a random name."""

from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column

from app.core.labels import register_labels
from app.core.types import UTCDateTime, utcnow
from app.extensions import db

# What a person calls the types the upload check accepts (storage.sniff_type).
FILE_TYPE_LABELS = register_labels(
    "file_type",
    {
        "image/jpeg": _l("Image"),
        "image/png": _l("Image"),
        "image/gif": _l("Image"),
        "image/webp": _l("Image"),
        "application/pdf": _l("PDF file"),
    },
)


class Attachment(db.Model):
    """One uploaded or received file: of a case, an inbound message, an inspection, a decision."""

    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int | None] = mapped_column(sa.ForeignKey("cases.id"), index=True)
    inbound_message_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("inbound_messages.id"), index=True
    )
    # Photos of an inspection (明查暗访); a service receipt hangs off its decision.
    inspection_id: Mapped[int | None] = mapped_column(sa.ForeignKey("inspections.id"), index=True)
    filename: Mapped[str] = mapped_column(sa.String(200))
    stored_name: Mapped[str] = mapped_column(sa.String(80), unique=True)
    content_type: Mapped[str] = mapped_column(sa.String(80))
    size: Mapped[int] = mapped_column(sa.Integer)
    sha256: Mapped[str] = mapped_column(sa.String(64))
    uploaded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
