"""Rendered official documents, kept with the data they were made from."""

import enum
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.constraints import enum_check, one_of
from app.core.labels import register_labels
from app.core.types import UTCDateTime, utcnow
from app.extensions import db


class DocumentKind(enum.StrEnum):
    DECISION = "decision"  # 问责决定书
    REMINDER = "reminder"  # 催办通知书, with a yellow card
    ORDER = "order"  # 督办单, with a red card
    SERVICE_RECEIPT = "service_receipt"  # 送达回证
    BULLETIN = "bulletin"  # 月度通报


DOCUMENT_KIND_LABELS = register_labels(
    "document_kind",
    {
        DocumentKind.DECISION: _l("Decision notice"),
        DocumentKind.REMINDER: _l("Reminder notice"),
        DocumentKind.ORDER: _l("Supervision order"),
        DocumentKind.SERVICE_RECEIPT: _l("Service receipt"),
        DocumentKind.BULLETIN: _l("Monthly bulletin"),
    },
)


class DocumentStatus(enum.StrEnum):
    QUEUED = "queued"  # stored, waiting for a job (or the recovery job) to render it
    RENDERING = "rendering"  # claimed by one job
    DONE = "done"
    FAILED = "failed"


DOCUMENT_STATUS_LABELS = register_labels(
    "document_status",
    {
        DocumentStatus.QUEUED: _l("Queued"),
        DocumentStatus.RENDERING: _l("Rendering"),
        DocumentStatus.DONE: _l("Rendered"),
        DocumentStatus.FAILED: _l("Rendering failed"),
    },
)


class Document(db.Model):
    """One official paper: its data, its PDF and DOCX, and each one's SHA-256.

    It belongs to a subject by name and id (``warning`` 42, ``decision`` 7), one per
    (kind, subject): asking again for the same paper finds the one there is. ``data`` is
    the whole paper (``Gongwen.to_data``), so that the bytes can be made again from it
    and compared with their hashes (``services.verify_document``).
    """

    __tablename__ = "documents"
    __table_args__ = (
        sa.UniqueConstraint("kind", "subject_type", "subject_id"),
        sa.Index("ix_documents_status", "status"),
        enum_check("kind", DocumentKind),
        enum_check("status", DocumentStatus),
        sa.CheckConstraint("progress BETWEEN 0 AND 100", name="progress"),
        # A finished paper has both files and their hashes; only a finished one has them.
        sa.CheckConstraint(
            f"({one_of('status', [DocumentStatus.DONE])}) = ("
            "pdf IS NOT NULL AND docx IS NOT NULL AND pdf_sha256 IS NOT NULL "
            "AND docx_sha256 IS NOT NULL AND rendered_at IS NOT NULL)",
            name="rendered",
        ),
        # A failure says what went wrong.
        sa.CheckConstraint(
            f"NOT ({one_of('status', [DocumentStatus.FAILED])}) OR error <> ''", name="failed"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(20))
    subject_type: Mapped[str] = mapped_column(sa.String(24))
    subject_id: Mapped[int] = mapped_column(sa.Integer)
    number: Mapped[str] = mapped_column(sa.String(60), default="", server_default="")
    title: Mapped[str] = mapped_column(sa.String(200))
    data: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    status: Mapped[str] = mapped_column(
        sa.String(10), default=DocumentStatus.QUEUED, server_default=DocumentStatus.QUEUED.value
    )
    progress: Mapped[int] = mapped_column(sa.Integer, default=0, server_default="0")
    error: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    # The bytes are read only for a download or a check, never with the row.
    pdf: Mapped[bytes | None] = mapped_column(sa.LargeBinary, deferred=True)
    pdf_sha256: Mapped[str | None] = mapped_column(sa.String(64))
    docx: Mapped[bytes | None] = mapped_column(sa.LargeBinary, deferred=True)
    docx_sha256: Mapped[str | None] = mapped_column(sa.String(64))
    # Which engines made the files (typst 0.15.2, python-docx 1.2.0): a newer one may
    # lay the same data out differently, which a check should be able to explain.
    renderer: Mapped[str] = mapped_column(sa.String(80), default="", server_default="")
    requested_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # When a job claimed it: a claim long past belongs to a worker that died.
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    rendered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    requested_by = relationship("User")
