"""Outbox rows: one message to one recipient."""

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.core.constraints import enum_check
from app.core.types import UTCDateTime, utcnow
from app.extensions import db


class NotificationChannel(enum.StrEnum):
    INAPP = "inapp"  # the user's inbox (消息)
    EMAIL = "email"
    SMS = "sms"


class NotificationStatus(enum.StrEnum):
    PENDING = "pending"  # waiting for the job, or for a retry after its backoff
    SENDING = "sending"  # claimed by a job
    SENT = "sent"
    FAILED = "failed"  # gave up after the last attempt


class Notification(db.Model):
    """A message waiting to be sent, or the record that it was."""

    __tablename__ = "notifications"
    __table_args__ = (
        sa.Index("ix_notifications_status_created", "status", "created_at"),
        enum_check("channel", NotificationChannel),
        enum_check("status", NotificationStatus),
        sa.CheckConstraint("attempts >= 0", name="attempts"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    case_id: Mapped[int | None] = mapped_column(sa.ForeignKey("cases.id"), index=True)
    channel: Mapped[str] = mapped_column(sa.String(16), default=NotificationChannel.INAPP)
    # E-mail address or phone number for messages to people without an account.
    to_address: Mapped[str] = mapped_column(sa.String(200), default="", server_default="")
    subject: Mapped[str] = mapped_column(sa.String(200))
    body: Mapped[str] = mapped_column(sa.Text, default="")
    status: Mapped[str] = mapped_column(sa.String(12), default=NotificationStatus.PENDING)
    attempts: Mapped[int] = mapped_column(sa.SmallInteger, default=0)
    # After a failed attempt the relay waits until then (backoff) before trying again.
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str] = mapped_column(sa.String(500), default="")
