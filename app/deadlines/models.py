"""Tables of the working-day calendar and of case clocks."""

import enum
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column

from app.core.constraints import enum_check
from app.core.labels import register_labels
from app.core.types import UTCDateTime, utcnow
from app.extensions import db


class DaySource(enum.StrEnum):
    CHINESECALENDAR = "chinesecalendar"  # the package's data for the year
    MANUAL = "manual"  # entered or changed by an admin


DAY_SOURCE_LABELS = register_labels(
    "day_source",
    {
        DaySource.CHINESECALENDAR: _l("the State Council's schedule, from the calendar package"),
        DaySource.MANUAL: _l("entered by hand"),
    },
)
# What ``changed_by`` holds for a change made on the command line (no user), and how
# the pages call it.
BY_COMMAND_LINE = "command line"
CHANGED_BY_LABELS = register_labels("calendar_changed_by", {BY_COMMAND_LINE: _l("the system")})


class CalendarDay(db.Model):
    """One day of the official working-day calendar (调休 included)."""

    __tablename__ = "calendar_days"
    __table_args__ = (enum_check("source", DaySource),)

    day: Mapped[date] = mapped_column(sa.Date, primary_key=True)
    is_workday: Mapped[bool] = mapped_column(sa.Boolean)
    note: Mapped[str] = mapped_column(sa.String(80), default="")
    source: Mapped[str] = mapped_column(sa.String(40), default=DaySource.CHINESECALENDAR)
    # Who last set the day and when: the calendar decides every deadline, so it is
    # audited. A name, not a key: the record outlives the account.
    changed_by: Mapped[str] = mapped_column(sa.String(120), default="", server_default="")
    changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ClockKind(enum.StrEnum):
    SCREEN = "screen"  # the center screens a new case
    SIGN = "sign"  # the lead unit signs for it
    HANDLE = "handle"  # the lead unit replies
    VISIT = "visit"  # the center makes the return visit
    RECTIFY = "rectify"  # the lead unit reports its rectification (整改)


CLOCK_LABELS = register_labels(
    "clock",
    {
        ClockKind.SCREEN: _l("Screening stage"),
        ClockKind.SIGN: _l("Signing stage"),
        ClockKind.HANDLE: _l("Handling stage"),
        ClockKind.VISIT: _l("Return visit stage"),
        ClockKind.RECTIFY: _l("Rectification stage"),
    },
)


class LimitUnit(enum.StrEnum):
    WORKDAYS = "workdays"
    HOURS = "hours"


class Clock(db.Model):
    """A time limit running on a case: screen, sign, handle, visit or rectify."""

    __tablename__ = "clocks"
    __table_args__ = (
        sa.Index("ix_clocks_open_due", "stopped_at", "due_at"),
        sa.Index("ix_clocks_open_prewarn", "stopped_at", "prewarn_at"),
        sa.Index("ix_clocks_open_red", "stopped_at", "red_at"),
        enum_check("kind", ClockKind),
        enum_check("limit_unit", LimitUnit),
        sa.CheckConstraint("limit_amount >= 1", name="limit_amount"),
        # The on-time verdict is frozen when, and only when, the clock stops.
        sa.CheckConstraint("(stopped_at IS NULL) = (late IS NULL)", name="verdict"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(16))
    limit_unit: Mapped[str] = mapped_column(sa.String(16))
    limit_amount: Mapped[int] = mapped_column(sa.Integer)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    provisional: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    # When the sweep issues the pre-warning and the red card; set with the deadline.
    prewarn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    red_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    stopped_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Frozen when the clock stops: later calendar edits never rewrite the verdict.
    late: Mapped[bool | None] = mapped_column(sa.Boolean)

    @property
    def running(self) -> bool:
        return self.stopped_at is None
