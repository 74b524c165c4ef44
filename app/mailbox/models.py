"""Every message fetched from the mailbox, and what became of it."""

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.constraints import enum_check, one_of
from app.core.types import UTCDateTime, utcnow
from app.extensions import db


class InboundStatus(enum.StrEnum):
    CASE_CREATED = "case_created"  # a new complaint
    THREADED = "threaded"  # a reply placed on its case as correspondence
    TRIAGE = "triage"  # waiting for an operator: unmatched or suspicious
    DISCARDED = "discarded"  # an operator decided it is nothing


class InboundMessage(db.Model):
    """One e-mail, unique by Message-ID so a re-fetch never creates anything twice."""

    __tablename__ = "inbound_messages"
    __table_args__ = (
        sa.Index("ix_inbound_messages_status_received", "status", "received_at"),
        enum_check("status", InboundStatus),
        # A message that became a case, or was threaded onto one, names it; no other does.
        sa.CheckConstraint(
            f"({one_of('status', [InboundStatus.CASE_CREATED, InboundStatus.THREADED])}) "
            "= (case_id IS NOT NULL)",
            name="case",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[str] = mapped_column(sa.String(255), unique=True)
    from_address: Mapped[str] = mapped_column(sa.String(255), default="")
    from_name: Mapped[str] = mapped_column(sa.String(120), default="")
    subject: Mapped[str] = mapped_column(sa.String(500), default="")
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    body_text: Mapped[str] = mapped_column(sa.Text, default="")
    # Sanitized with an allow-list on write; rendered with |safe.
    body_html: Mapped[str] = mapped_column(sa.Text, default="")
    status: Mapped[str] = mapped_column(sa.String(16))
    triage_reason: Mapped[str] = mapped_column(sa.String(200), default="")
    # A message whose processing raised keeps its original bytes (nothing is lost: the
    # operator opens it and decides) and the error, for whoever investigates the cause.
    raw_message: Mapped[bytes | None] = mapped_column(sa.LargeBinary, deferred=True)
    processing_error: Mapped[str] = mapped_column(sa.String(500), default="", server_default="")
    case_id: Mapped[int | None] = mapped_column(sa.ForeignKey("cases.id"), index=True)
    handled_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    handled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    case = relationship("Case")
