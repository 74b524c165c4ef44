"""The log of every view of a complainant's full identity (DESIGN §8).

One row per page, API answer or download that showed somebody the unmasked
complainant: who, when, which subject, and through which channel. Masked views and
lists write nothing, so that the log names the people who really saw the person.
"""

import enum
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.constraints import enum_check
from app.core.labels import register_labels
from app.core.types import UTCDateTime, utcnow
from app.extensions import db


class AccessChannel(enum.StrEnum):
    WEB = "web"  # the case page
    API = "api"  # the API's case detail
    ATTACHMENT = "attachment"  # a download of an attachment (scans, photos)
    # A search by the complainant's phone or name found the case: it ties the person to it.
    SEARCH = "search"  # the worklist
    API_SEARCH = "api_search"  # the API's case list


ACCESS_CHANNEL_LABELS = register_labels(
    "access_channel",
    {
        AccessChannel.WEB: _l("Case page"),
        AccessChannel.API: _l("API case detail"),
        AccessChannel.ATTACHMENT: _l("Attachment download"),
        AccessChannel.SEARCH: _l("Worklist search by complainant"),
        AccessChannel.API_SEARCH: _l("API search by complainant"),
    },
)


class IdentityAccess(db.Model):
    """One view of a complainant's full identity."""

    __tablename__ = "identity_accesses"
    __table_args__ = (
        sa.Index("ix_identity_accesses_subject", "subject_type", "subject_id", "at"),
        enum_check("channel", AccessChannel),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    subject_type: Mapped[str] = mapped_column(sa.String(24))
    subject_id: Mapped[int] = mapped_column(sa.Integer)
    channel: Mapped[str] = mapped_column(sa.String(12))
    # What was seen, where the subject alone does not say it: the attachment's name.
    what: Mapped[str] = mapped_column(sa.String(200), default="")

    user = relationship("User")

    def __repr__(self) -> str:
        return f"<IdentityAccess {self.subject_type}:{self.subject_id} {self.channel}>"


def log_identity_access(
    user, subject_type: str, subject_id: int, channel: AccessChannel | str, what: str = ""
) -> None:
    """Record that ``user`` saw the full identity behind a subject; the caller commits.

    A plain INSERT, without loading or returning anything: it runs on every case
    opened by the center and the inspectors.
    """
    db.session.execute(
        sa.insert(IdentityAccess).values(
            at=utcnow(),
            user_id=user.id,
            subject_type=subject_type,
            subject_id=subject_id,
            channel=str(AccessChannel(channel)),
            what=what[:200],
        )
    )
