"""Cases, their complainants, assignments, replies and visits."""

import enum
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from app.auth.models import User
from app.cases.workflow import FINAL_STATES, State
from app.core.constraints import enum_check, one_of
from app.core.labels import register_labels
from app.core.phones import normalize_phone
from app.core.trail import Event
from app.core.types import UTCDateTime, utcnow
from app.deadlines.models import Clock
from app.extensions import db
from app.units.models import Staff, Unit


class Channel(enum.StrEnum):
    HOTLINE = "hotline"
    WEB = "web"
    LETTER = "letter"
    EMAIL = "email"
    API = "api"
    INSPECTION = "inspection"


CHANNEL_LABELS = register_labels(
    "channel",
    {
        Channel.HOTLINE: _l("Hotline"),
        Channel.WEB: _l("Website"),
        Channel.LETTER: _l("Letter"),
        Channel.EMAIL: _l("E-mail"),
        Channel.API: _l("API"),
        Channel.INSPECTION: _l("Inspection"),
    },
)


class SubjectKind(enum.StrEnum):
    UNIT = "unit"
    STAFF = "staff"
    UNIT_LEADER = "unit_leader"


SUBJECT_KIND_LABELS = register_labels(
    "subject_kind",
    {
        SubjectKind.UNIT: _l("The unit"),
        SubjectKind.STAFF: _l("A staff member"),
        SubjectKind.UNIT_LEADER: _l("The unit's leadership"),
    },
)


class Urgency(enum.StrEnum):
    NORMAL = "normal"
    URGENT = "urgent"


URGENCY_LABELS = register_labels(
    "urgency", {Urgency.NORMAL: _l("Normal"), Urgency.URGENT: _l("Urgent")}
)


class Severity(enum.StrEnum):
    ORDINARY = "ordinary"
    SERIOUS = "serious"


SEVERITY_LABELS = register_labels(
    "severity", {Severity.ORDINARY: _l("ordinary"), Severity.SERIOUS: _l("serious")}
)


class Finding(enum.StrEnum):
    SUBSTANTIATED = "substantiated"
    PARTLY_SUBSTANTIATED = "partly_substantiated"
    UNSUBSTANTIATED = "unsubstantiated"


FINDING_LABELS = register_labels(
    "finding",
    {
        Finding.SUBSTANTIATED: _l("Substantiated"),
        Finding.PARTLY_SUBSTANTIATED: _l("Partly substantiated"),
        Finding.UNSUBSTANTIATED: _l("Unsubstantiated"),
    },
)


class Satisfaction(enum.StrEnum):
    SATISFIED = "satisfied"
    BASICALLY_SATISFIED = "basically_satisfied"
    UNSATISFIED = "unsatisfied"


SATISFACTION_LABELS = register_labels(
    "satisfaction",
    {
        Satisfaction.SATISFIED: _l("Satisfied"),
        Satisfaction.BASICALLY_SATISFIED: _l("Basically satisfied"),
        Satisfaction.UNSATISFIED: _l("Unsatisfied"),
    },
)


class Resolved(enum.StrEnum):
    YES = "yes"
    PARTLY = "partly"
    NO = "no"


RESOLVED_LABELS = register_labels(
    "resolved",
    {
        Resolved.YES: _l("Resolved"),
        Resolved.PARTLY: _l("Partly resolved"),
        Resolved.NO: _l("Not resolved"),
    },
)


class VisitMethod(enum.StrEnum):
    PHONE = "phone"
    SMS = "sms"
    WEB = "web"
    VISIT = "visit"


VISIT_METHOD_LABELS = register_labels(
    "visit_method",
    {
        VisitMethod.PHONE: _l("Phone"),
        VisitMethod.SMS: _l("SMS"),
        VisitMethod.WEB: _l("Web"),
        VisitMethod.VISIT: _l("In person"),
    },
)


class AssignmentRole(enum.StrEnum):
    LEAD = "lead"
    ASSIST = "assist"
    SUB = "sub"  # a unit below the lead, passed the case by it (下派)


ASSIGNMENT_ROLE_LABELS = register_labels(
    "assignment_role",
    {
        AssignmentRole.LEAD: _l("Lead unit"),
        AssignmentRole.ASSIST: _l("Assisting unit"),
        AssignmentRole.SUB: _l("Unit below (passed down)"),
    },
)


# What the database accepts as an extension: it catches garbage; the configured
# MAX_EXTENSION_DAYS, checked by the service, is the policy.
EXTENSION_DAYS_CEILING = 60


class Category(db.Model):
    """A kind of efficiency failure (事项类别) with its severity and time limit."""

    __tablename__ = "categories"
    __table_args__ = (
        enum_check("severity", Severity),
        sa.CheckConstraint("handle_days >= 1", name="handle_days"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(40), unique=True)
    name: Mapped[str] = mapped_column(sa.String(80))
    severity: Mapped[str] = mapped_column(sa.String(16), default=Severity.ORDINARY)
    # Working days allowed to handle a normal case; None uses the configured default.
    handle_days: Mapped[int | None] = mapped_column(sa.SmallInteger)
    active: Mapped[bool] = mapped_column(sa.Boolean, default=True)
    position: Mapped[int] = mapped_column(sa.SmallInteger, default=0)


class Complainant(db.Model):
    """Who complained: personal data kept apart from the case so it can be masked and purged."""

    __tablename__ = "complainants"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(80), default="")
    phone: Mapped[str] = mapped_column(sa.String(32), default="", index=True)
    # The number as compared (app/core/phones.py): one number however it was written.
    phone_normalized: Mapped[str] = mapped_column(
        sa.String(32), default="", server_default="", index=True
    )
    email: Mapped[str] = mapped_column(sa.String(120), default="")
    address: Mapped[str] = mapped_column(sa.String(200), default="")
    anonymous: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @validates("phone")
    def _normalize(self, _key: str, phone: str) -> str:
        """Keep the compared form in step with the number, whoever sets it."""
        self.phone_normalized = normalize_phone(phone)
        return phone


class Case(db.Model):
    """A complaint (投诉件) travelling through the workflow."""

    __tablename__ = "cases"
    __table_args__ = (
        sa.Index("ix_cases_state_created", "state", "created_at"),
        enum_check("state", State),
        enum_check("channel", Channel),
        enum_check("subject_kind", SubjectKind),
        enum_check("urgency", Urgency),
        enum_check("finding", Finding),
        # A merged case points to the case it repeats, and only a merged case does.
        sa.CheckConstraint("(state = 'merged') = (duplicate_of_id IS NOT NULL)", name="merged"),
        # A case in a final state has its closing moment, and only such a case: the
        # case engine stamps and clears it with the state (app/cases/engine.py).
        sa.CheckConstraint(
            f"({one_of('state', FINAL_STATES)}) = (closed_at IS NOT NULL)", name="closed"
        ),
        sa.CheckConstraint("redo_count >= 0", name="redo_count"),
        sa.CheckConstraint("reopen_count >= 0", name="reopen_count"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(sa.String(32), unique=True)
    tracking_code: Mapped[str] = mapped_column(sa.String(24), unique=True)
    channel: Mapped[str] = mapped_column(sa.String(16))
    # 首问责任人: the staff member who entered the case, kept apart from the complainant.
    entered_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    complainant_id: Mapped[int] = mapped_column(sa.ForeignKey("complainants.id"), index=True)
    # Unknown until screening for channels that do not ask (an e-mail names no unit code).
    respondent_unit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("units.id"), index=True)
    # Free text as typed before staff were records; kept and shown, never rewritten.
    respondent_staff: Mapped[str] = mapped_column(sa.String(120), default="")
    subject_kind: Mapped[str] = mapped_column(sa.String(16), default=SubjectKind.UNIT)
    category_id: Mapped[int | None] = mapped_column(sa.ForeignKey("categories.id"))
    urgency: Mapped[str] = mapped_column(sa.String(8), default=Urgency.NORMAL)
    title: Mapped[str] = mapped_column(sa.String(200))
    content: Mapped[str] = mapped_column(sa.Text)
    # HTML of an e-mail body, sanitized with an allow-list on write; shown with |safe.
    content_html: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    call_reference: Mapped[str] = mapped_column(sa.String(64), default="")
    letter_box: Mapped[str] = mapped_column(sa.String(80), default="", server_default="")
    letter_collected_on: Mapped[date | None] = mapped_column(sa.Date)
    # What the center tells the complainant; shown on the public progress page.
    public_reply: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    public_reply_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    state: Mapped[str] = mapped_column(sa.String(20), index=True)
    finding: Mapped[str | None] = mapped_column(sa.String(24))
    duplicate_of_id: Mapped[int | None] = mapped_column(sa.ForeignKey("cases.id"))
    # 重办: sent back to the unit after an unsatisfied return visit (a red card at the second).
    redo_count: Mapped[int] = mapped_column(sa.SmallInteger, default=0, server_default="0")
    # Reopened by the center lead after closing: a different thing, not the unit's failure.
    reopen_count: Mapped[int] = mapped_column(sa.SmallInteger, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Optimistic locking: SQLAlchemy adds "AND version = :old" to every UPDATE.
    version: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=1)

    __mapper_args__ = {"version_id_col": version}

    complainant: Mapped[Complainant] = relationship()
    entered_by: Mapped[User | None] = relationship()
    respondent_unit: Mapped[Unit | None] = relationship()
    category: Mapped[Category | None] = relationship()
    duplicate_of: Mapped["Case | None"] = relationship(remote_side=[id])
    assignments: Mapped[list["Assignment"]] = relationship(
        back_populates="case", order_by="Assignment.id"
    )
    clocks: Mapped[list[Clock]] = relationship(order_by=Clock.id)
    # The case's chain on the shared trail (subject "case").
    events: Mapped[list[Event]] = relationship(
        primaryjoin=lambda: sa.and_(
            Event.subject_type == "case", sa.orm.foreign(Event.subject_id) == Case.id
        ),
        order_by=lambda: Event.id,
        viewonly=True,
    )
    # The people complained about, as records of their unit's staff.
    staff: Mapped[list[Staff]] = relationship(secondary="case_staff", order_by="Staff.id")
    replies: Mapped[list["Reply"]] = relationship(order_by="Reply.id")
    visits: Mapped[list["Visit"]] = relationship(order_by="Visit.id")
    return_requests: Mapped[list["ReturnRequest"]] = relationship(order_by="ReturnRequest.id")
    attachments = relationship("Attachment", order_by="Attachment.id", viewonly=True)
    extensions: Mapped[list["Extension"]] = relationship(order_by="Extension.id")
    # Cards and notices hang off the case's clocks; they do not repeat the case (a mass
    # sweep writes a hundred thousand of them, and every extra key costs a check per row).
    warnings = relationship(
        "SupervisionWarning",
        secondary="clocks",
        primaryjoin="Case.id == Clock.case_id",
        secondaryjoin="Clock.id == SupervisionWarning.clock_id",
        order_by="SupervisionWarning.id",
        viewonly=True,
    )
    notices = relationship(
        "SupervisionWarning",
        secondary="clocks",
        primaryjoin="Case.id == Clock.case_id",
        secondaryjoin="and_(Clock.id == SupervisionWarning.clock_id, "
        "SupervisionWarning.number.is_not(None))",
        order_by="SupervisionWarning.id",
        viewonly=True,
    )

    @property
    def open_cards(self) -> list[str]:
        """Return the levels of the supervision cards not yet cleared."""
        return [w.level for w in self.warnings if w.cleared_at is None]

    contributions: Mapped[list["Contribution"]] = relationship(order_by="Contribution.id")
    messages = relationship("InboundMessage", order_by="InboundMessage.id", viewonly=True)

    @property
    def active_assignments(self) -> list["Assignment"]:
        return [a for a in self.assignments if a.ended_at is None]

    @property
    def lead_assignment(self) -> "Assignment | None":
        for a in self.active_assignments:
            if a.role == AssignmentRole.LEAD:
                return a
        return None

    def open_clock(self, kind: str) -> Clock | None:
        """Return the running clock of ``kind``, if any."""
        for clock in self.clocks:
            if clock.kind == kind and clock.stopped_at is None:
                return clock
        return None

    def __repr__(self) -> str:
        return f"<Case {self.number} {self.state}>"


class Assignment(db.Model):
    """A unit's part in a case: lead (主办) or assisting (协办)."""

    __tablename__ = "assignments"
    __table_args__ = (
        sa.Index("ix_assignments_unit_active", "unit_id", "ended_at"),
        enum_check("role", AssignmentRole),
        # A unit below works for the lead unit's assignment that passed the case down.
        sa.CheckConstraint("(role = 'sub') = (parent_id IS NOT NULL)", name="parent"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id"), index=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id"))
    role: Mapped[str] = mapped_column(sa.String(8), default=AssignmentRole.LEAD)
    parent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("assignments.id"))
    dispatched_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    dispatched_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    signed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    signed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    end_reason: Mapped[str] = mapped_column(sa.String(500), default="")

    case: Mapped[Case] = relationship(back_populates="assignments")
    unit: Mapped[Unit] = relationship()
    signed_by: Mapped[User | None] = relationship(foreign_keys=[signed_by_id])


# A request (an extension, a return, a draft reply) that ends without a decision:
# ``end_reason`` is "withdrawn" by whoever asked, or the action that moved the case on
# so that it lapsed (app/cases/pending.py).
WITHDRAWN = "withdrawn"


def _decided_or_ended(decision: str) -> sa.CheckConstraint:
    return sa.CheckConstraint(
        f"(ended_at IS NULL OR {decision} IS NULL) AND ((ended_at IS NULL) = (end_reason = ''))",
        name="decided_or_ended",
    )


class ReturnRequest(db.Model):
    """A unit's request to hand a case back (退单): not ours, with a reason."""

    __tablename__ = "return_requests"
    __table_args__ = (enum_check("previous_state", State), _decided_or_ended("approved"))

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id"), index=True)
    assignment_id: Mapped[int] = mapped_column(sa.ForeignKey("assignments.id"))
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id"), index=True)
    requested_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    reason: Mapped[str] = mapped_column(sa.Text)
    suggested_unit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("units.id"))
    # The state to go back to if the center denies the request.
    previous_state: Mapped[str] = mapped_column(sa.String(20))
    approved: Mapped[bool | None] = mapped_column(sa.Boolean)
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decision_note: Mapped[str] = mapped_column(sa.Text, default="")
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    end_reason: Mapped[str] = mapped_column(sa.String(32), default="", server_default="")

    unit: Mapped[Unit] = relationship(foreign_keys=[unit_id])
    suggested_unit: Mapped[Unit | None] = relationship(foreign_keys=[suggested_unit_id])
    requested_by: Mapped[User] = relationship(foreign_keys=[requested_by_id])


class Extension(db.Model):
    """A request for more time (延期): days and reason, decided by the center."""

    __tablename__ = "extensions"
    __table_args__ = (
        sa.CheckConstraint(f"days BETWEEN 1 AND {EXTENSION_DAYS_CEILING}", name="days"),
        _decided_or_ended("approved"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id"), index=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id"), index=True)
    requested_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    days: Mapped[int] = mapped_column(sa.SmallInteger)
    reason: Mapped[str] = mapped_column(sa.Text)
    approved: Mapped[bool | None] = mapped_column(sa.Boolean)
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decision_note: Mapped[str] = mapped_column(sa.Text, default="")
    old_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    new_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    end_reason: Mapped[str] = mapped_column(sa.String(32), default="", server_default="")

    unit: Mapped[Unit] = relationship()
    requested_by: Mapped[User] = relationship(foreign_keys=[requested_by_id])


class CaseStaff(db.Model):
    """A staff member a case names as complained about (one case may name several)."""

    __tablename__ = "case_staff"

    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id"), primary_key=True)
    staff_id: Mapped[int] = mapped_column(sa.ForeignKey("staff.id"), primary_key=True, index=True)


class Contribution(db.Model):
    """Input from an assisting unit (协办意见) or a sub-unit's reply upward (下级答复)."""

    __tablename__ = "contributions"
    __table_args__ = (enum_check("kind", [AssignmentRole.ASSIST, AssignmentRole.SUB]),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id"), index=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id"))
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(sa.String(16))
    text: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    unit: Mapped[Unit] = relationship()
    author: Mapped[User] = relationship()


class Reply(db.Model):
    """The handling unit's reply, its lead's sign-off and the center's review of it."""

    __tablename__ = "replies"
    __table_args__ = (enum_check("finding", Finding), _decided_or_ended("signed_off"))

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id"), index=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id"))
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    text: Mapped[str] = mapped_column(sa.Text)
    finding: Mapped[str] = mapped_column(sa.String(24))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # A handler's draft waits for the unit lead (None: not yet decided).
    signed_off: Mapped[bool | None] = mapped_column(sa.Boolean)
    signed_off_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    signed_off_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sign_off_note: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    review_passed: Mapped[bool | None] = mapped_column(sa.Boolean)
    review_note: Mapped[str] = mapped_column(sa.Text, default="")
    reviewed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A draft that lapsed before the unit lead decided on it.
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    end_reason: Mapped[str] = mapped_column(sa.String(32), default="", server_default="")

    unit: Mapped[Unit] = relationship()
    author: Mapped[User] = relationship(foreign_keys=[author_id])


class Visit(db.Model):
    """A return visit (回访) to the complainant and its result."""

    __tablename__ = "visits"
    __table_args__ = (
        enum_check("method", VisitMethod),
        enum_check("satisfaction", Satisfaction),
        enum_check("resolved", Resolved),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id"), index=True)
    visited_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    visited_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    method: Mapped[str] = mapped_column(sa.String(16), default=VisitMethod.PHONE)
    satisfaction: Mapped[str] = mapped_column(sa.String(24))
    resolved: Mapped[str] = mapped_column(sa.String(8))
    note: Mapped[str] = mapped_column(sa.Text, default="")
