"""Tables of accountability: reference data, referrals, cases, decisions, clocks, records."""

import enum
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accountability.workflow import FINAL_ACC_STATES, AccState
from app.auth.models import User
from app.core.constraints import enum_check, one_of
from app.core.labels import register_labels
from app.core.trail import Event
from app.core.types import UTCDateTime, utcnow
from app.documents.models import Document, DocumentStatus
from app.extensions import db
from app.units.models import Staff, Unit

# ---------------------------------------------------------------- reference data


class AccountabilityForm(db.Model):
    """One rung of the ladder of forms (DESIGN §7), light to heavy: reference data.

    ``doc_code`` names the document kind in the number (``澄纪`` + ``效告`` →
    ``澄纪效告〔2026〕3号``); forms sharing a code share a sequence.
    """

    __tablename__ = "accountability_forms"
    __table_args__ = (sa.CheckConstraint("effect_months >= 0", name="effect_months"),)

    code: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(40))
    rank: Mapped[int] = mapped_column(sa.SmallInteger, unique=True)
    doc_code: Mapped[str] = mapped_column(sa.String(8))
    # The notice's title, e.g. 效能告诫决定书, and the body's sentence of decision.
    doc_title: Mapped[str] = mapped_column(sa.String(40))
    # How long the decision affects its subject (e.g. no merit awards), in months.
    effect_months: Mapped[int] = mapped_column(sa.SmallInteger, default=0)
    consequences: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    active: Mapped[bool] = mapped_column(sa.Boolean, default=True, server_default=sa.true())


class LegalBasis(db.Model):
    """An article a decision rests on: admin-edited reference data (name, article, text)."""

    __tablename__ = "legal_bases"
    __table_args__ = (sa.UniqueConstraint("name", "article"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(80))
    article: Mapped[str] = mapped_column(sa.String(40))
    text: Mapped[str] = mapped_column(sa.Text)
    position: Mapped[int] = mapped_column(sa.Integer, default=0)
    active: Mapped[bool] = mapped_column(sa.Boolean, default=True, server_default=sa.true())

    @property
    def citation(self) -> str:
        """The basis as a decision cites it: 《中国共产党问责条例》第七条."""
        return f"{self.name}{self.article}"


# ---------------------------------------------------------------- referrals


class ReferralOrigin(enum.StrEnum):
    RED_CARD = "red_card"  # a red card with its referral suggestion
    FINDING = "finding"  # a case closed with a valid finding against a person or unit
    INSPECTION = "inspection"  # an inspectors' own finding (明查暗访)
    RULE = "rule"  # an accumulation rule of the efficiency records
    MANUAL = "manual"


REFERRAL_ORIGIN_LABELS = register_labels(
    "referral_origin",
    {
        ReferralOrigin.RED_CARD: _l("Red card"),
        ReferralOrigin.FINDING: _l("Valid complaint"),
        ReferralOrigin.INSPECTION: _l("Inspection"),
        ReferralOrigin.RULE: _l("Efficiency record rule"),
        ReferralOrigin.MANUAL: _l("Entered by an inspector"),
    },
)


class ReferralState(enum.StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"


REFERRAL_STATE_LABELS = register_labels(
    "referral_state",
    {
        ReferralState.PENDING: _l("Waiting"),
        ReferralState.ACCEPTED: _l("Accepted"),
        ReferralState.DECLINED: _l("Declined"),
    },
)


class SourceKind(enum.StrEnum):
    WARNING = "warning"
    CASE = "case"
    INSPECTION_FINDING = "inspection_finding"
    SUGGESTION = "suggestion"


SOURCE_KIND_LABELS = register_labels(
    "source_kind",
    {
        SourceKind.WARNING: _l("Red card"),
        SourceKind.CASE: _l("Complaint case"),
        SourceKind.INSPECTION_FINDING: _l("Inspection finding"),
        SourceKind.SUGGESTION: _l("Accumulation rule"),
    },
)


class Referral(db.Model):
    """A problem lead (问题线索) in the queue of a discipline office."""

    __tablename__ = "referrals"
    __table_args__ = (
        enum_check("origin", ReferralOrigin),
        enum_check("state", ReferralState),
        sa.Index("ix_referrals_queue", "organ_id", "state"),
        sa.CheckConstraint(
            "(state = 'declined') = (decline_reason <> '')", name="declined_with_reason"
        ),
        sa.CheckConstraint(
            "(state = 'accepted') = (acc_case_id IS NOT NULL)", name="accepted_into_case"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    origin: Mapped[str] = mapped_column(sa.String(16))
    # The discipline office whose queue it is in.
    organ_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id"))
    # Whom it is about: a unit, and a person of it if one is named.
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id"), index=True)
    staff_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff.id"), index=True)
    summary: Mapped[str] = mapped_column(sa.Text)
    state: Mapped[str] = mapped_column(sa.String(12), default=ReferralState.PENDING)
    decline_reason: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    acc_case_id: Mapped[int | None] = mapped_column(sa.ForeignKey("acc_cases.id"), index=True)

    organ: Mapped[Unit] = relationship(foreign_keys=[organ_id])
    unit: Mapped[Unit] = relationship(foreign_keys=[unit_id])
    staff: Mapped[Staff | None] = relationship()
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    sources: Mapped[list["ReferralSource"]] = relationship(
        back_populates="referral", order_by="ReferralSource.kind, ReferralSource.source_id"
    )


class ReferralSource(db.Model):
    """What a referral comes from. One source gives at most one referral (the unique key)."""

    __tablename__ = "referral_sources"
    __table_args__ = (sa.UniqueConstraint("kind", "source_id"), enum_check("kind", SourceKind))

    id: Mapped[int] = mapped_column(primary_key=True)
    referral_id: Mapped[int] = mapped_column(sa.ForeignKey("referrals.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(20))
    source_id: Mapped[int] = mapped_column(sa.Integer)
    # The complaint case behind it, for reading (a card's case, the case itself).
    case_id: Mapped[int | None] = mapped_column(sa.ForeignKey("cases.id"), index=True)

    referral: Mapped[Referral] = relationship(back_populates="sources")
    case = relationship("Case")


# ---------------------------------------------------------------- inspections


class InspectionFindingKind(enum.StrEnum):
    UNIT_SERVICE = "unit_service"  # becomes a complaint case on the inspection channel
    PERSON = "person"  # becomes a referral


INSPECTION_FINDING_LABELS = register_labels(
    "inspection_finding",
    {
        InspectionFindingKind.UNIT_SERVICE: _l("About a unit's service"),
        InspectionFindingKind.PERSON: _l("About a person"),
    },
)


class Inspection(db.Model):
    """An open or unannounced inspection (明查暗访) by a discipline office."""

    __tablename__ = "inspections"

    id: Mapped[int] = mapped_column(primary_key=True)
    organ_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id"), index=True)
    held_on: Mapped[date] = mapped_column(sa.Date)
    place: Mapped[str] = mapped_column(sa.String(200))
    team: Mapped[str] = mapped_column(sa.String(200))
    notes: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    organ: Mapped[Unit] = relationship()
    findings: Mapped[list["InspectionFinding"]] = relationship(
        back_populates="inspection", order_by="InspectionFinding.id"
    )
    photos = relationship("Attachment", order_by="Attachment.id", viewonly=True)


class InspectionFinding(db.Model):
    """One thing an inspection found, and what it became (a case or a referral)."""

    __tablename__ = "inspection_findings"
    __table_args__ = (
        enum_check("kind", InspectionFindingKind),
        sa.CheckConstraint("kind <> 'person' OR staff_id IS NOT NULL", name="person_named"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    inspection_id: Mapped[int] = mapped_column(sa.ForeignKey("inspections.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(16))
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id"))
    staff_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff.id"))
    text: Mapped[str] = mapped_column(sa.Text)
    case_id: Mapped[int | None] = mapped_column(sa.ForeignKey("cases.id"), unique=True)

    inspection: Mapped[Inspection] = relationship(back_populates="findings")
    unit: Mapped[Unit] = relationship()
    staff: Mapped[Staff | None] = relationship()
    case = relationship("Case")


# ---------------------------------------------------------------- the case


class NoActionKind(enum.StrEnum):
    NOT_ACCOUNTABLE = "not_accountable"  # 不予问责
    EXEMPT = "exempt"  # 免予问责


NO_ACTION_LABELS = register_labels(
    "no_action",
    {
        NoActionKind.NOT_ACCOUNTABLE: _l("No accountability"),
        NoActionKind.EXEMPT: _l("Exempted from accountability"),
    },
)


class AccountabilityCase(db.Model):
    """An accountability case (问责案件) of one discipline office."""

    __tablename__ = "acc_cases"
    __table_args__ = (
        enum_check("state", AccState),
        enum_check("no_action_kind", NoActionKind),
        sa.Index("ix_acc_cases_queue", "organ_id", "state"),
        sa.CheckConstraint(
            f"({one_of('state', FINAL_ACC_STATES)}) = (closed_at IS NOT NULL)", name="closed"
        ),
        sa.CheckConstraint(
            "(state = 'closed_no_action') = (no_action_kind IS NOT NULL)", name="no_action"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(sa.String(32), unique=True)
    organ_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id"))
    title: Mapped[str] = mapped_column(sa.String(200))
    state: Mapped[str] = mapped_column(sa.String(20), default=AccState.REGISTERED)
    inspector_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    # The facts as verified: the inspector's text, kept as they edit it.
    findings: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    # The person's statement (陈述申辩): asked with a deadline in working days.
    statement_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    statement_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    statement: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    proposed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    approved_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    no_action_kind: Mapped[str | None] = mapped_column(sa.String(20))
    no_action_reason: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=1)

    __mapper_args__ = {"version_id_col": version}

    organ: Mapped[Unit] = relationship(foreign_keys=[organ_id])
    inspector: Mapped[User | None] = relationship(foreign_keys=[inspector_id])
    referrals: Mapped[list[Referral]] = relationship(order_by=Referral.id, viewonly=True)
    decisions: Mapped[list["Decision"]] = relationship(
        back_populates="acc_case", order_by="Decision.id"
    )
    clocks: Mapped[list["AccClock"]] = relationship(order_by="AccClock.id", viewonly=True)
    events: Mapped[list[Event]] = relationship(
        primaryjoin=lambda: sa.and_(
            Event.subject_type == "acc_case",
            sa.orm.foreign(Event.subject_id) == AccountabilityCase.id,
        ),
        order_by=lambda: Event.id,
        viewonly=True,
    )

    @property
    def live_decisions(self) -> list["Decision"]:
        return [d for d in self.decisions if not d.revoked]


# ---------------------------------------------------------------- decisions


class SubjectType(enum.StrEnum):
    STAFF = "staff"
    UNIT = "unit"


class AppealOutcome(enum.StrEnum):
    UPHELD = "upheld"  # 维持
    CHANGED = "changed"  # 变更
    REVOKED = "revoked"  # 撤销


APPEAL_OUTCOME_LABELS = register_labels(
    "appeal_outcome",
    {
        AppealOutcome.UPHELD: _l("Upheld"),
        AppealOutcome.CHANGED: _l("Changed"),
        AppealOutcome.REVOKED: _l("Decision revoked"),
    },
)


class ServiceMethod(enum.StrEnum):
    IN_PERSON = "in_person"  # 直接送达
    POST = "post"  # 邮寄送达
    LEFT = "left"  # 留置送达
    ELECTRONIC = "electronic"  # 电子送达


SERVICE_METHOD_LABELS = register_labels(
    "service_method",
    {
        ServiceMethod.IN_PERSON: _l("Served in person"),
        ServiceMethod.POST: _l("By post"),
        ServiceMethod.LEFT: _l("Left at the address"),
        ServiceMethod.ELECTRONIC: _l("Electronically"),
    },
)


class DecisionBasis(db.Model):
    """A legal basis cited by a decision."""

    __tablename__ = "decision_bases"

    decision_id: Mapped[int] = mapped_column(sa.ForeignKey("decisions.id"), primary_key=True)
    basis_id: Mapped[int] = mapped_column(sa.ForeignKey("legal_bases.id"), primary_key=True)


class Decision(db.Model):
    """The decision about one subject of a case: a person or a unit.

    The number is issued at approval, never at drafting, so a draft that is dropped
    leaves no gap; a revoked decision keeps its number.
    """

    __tablename__ = "decisions"
    __table_args__ = (
        enum_check("subject_type", SubjectType),
        enum_check("appeal_outcome", AppealOutcome),
        enum_check("served_how", ServiceMethod),
        sa.CheckConstraint(
            "(subject_type = 'staff') = (staff_id IS NOT NULL)", name="subject_person"
        ),
        sa.CheckConstraint("execution_days IS NULL OR execution_days >= 1", name="execution_days"),
        sa.UniqueConstraint("acc_case_id", "subject_type", "unit_id", "staff_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    acc_case_id: Mapped[int] = mapped_column(sa.ForeignKey("acc_cases.id"), index=True)
    subject_type: Mapped[str] = mapped_column(sa.String(8))
    # The unit is set for both kinds: a person's unit, or the unit decided about.
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id"), index=True)
    staff_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff.id"), index=True)
    form_code: Mapped[str | None] = mapped_column(sa.ForeignKey("accountability_forms.code"))
    facts: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    requirements: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    consequences: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    # A written self-examination or the like, due this many working days after service.
    execution_days: Mapped[int | None] = mapped_column(sa.SmallInteger)
    number: Mapped[str | None] = mapped_column(sa.String(60), unique=True)
    decided_on: Mapped[date | None] = mapped_column(sa.Date)
    effective_until: Mapped[date | None] = mapped_column(sa.Date)
    # The notice, rendered by app/documents once the decision is approved.
    document_id: Mapped[int | None] = mapped_column(sa.ForeignKey("documents.id"))
    served_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    served_to: Mapped[str] = mapped_column(sa.String(80), default="", server_default="")
    served_how: Mapped[str | None] = mapped_column(sa.String(16))
    receipt_attachment_id: Mapped[int | None] = mapped_column(sa.ForeignKey("attachments.id"))
    appeal_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    appeal_filed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    appeal_text: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    appeal_outcome: Mapped[str | None] = mapped_column(sa.String(12))
    appeal_decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    appeal_note: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    # The form before an appeal changed it.
    changed_from_code: Mapped[str | None] = mapped_column(sa.String(32))
    execution_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    executed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    execution_note: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    revoked: Mapped[bool] = mapped_column(sa.Boolean, default=False, server_default=sa.false())

    acc_case: Mapped[AccountabilityCase] = relationship(back_populates="decisions")
    unit: Mapped[Unit] = relationship()
    staff: Mapped[Staff | None] = relationship()
    form: Mapped[AccountabilityForm | None] = relationship()
    bases: Mapped[list[LegalBasis]] = relationship(
        secondary="decision_bases", order_by="LegalBasis.position, LegalBasis.id"
    )
    document: Mapped[Document | None] = relationship()
    receipt = relationship("Attachment", foreign_keys=[receipt_attachment_id])

    @property
    def subject_label(self) -> str:
        if self.staff is not None:
            return f"{self.staff.name}（{self.unit.name}{self.staff.post}）"
        return self.unit.name

    @property
    def document_ready(self) -> bool:
        """Whether the notice has been rendered (PDF and DOCX stored)."""
        return self.document is not None and self.document.status == DocumentStatus.DONE

    @property
    def complete(self) -> bool:
        """Whether the draft can be proposed: a form, facts and at least one basis."""
        return self.form_code is not None and bool(self.facts.strip()) and bool(self.bases)

    @property
    def appeal_window_open(self) -> bool:
        """Within the appeal period, or an appeal filed and not decided."""
        if self.revoked or self.served_at is None:
            return False
        if self.appeal_filed_at is not None:
            return self.appeal_outcome is None
        return self.appeal_until is not None and utcnow() <= self.appeal_until

    @property
    def appeal_open(self) -> bool:
        """Whether an appeal may still be recorded: served, in time, none filed yet."""
        return (
            not self.revoked
            and self.appeal_filed_at is None
            and self.appeal_until is not None
            and utcnow() <= self.appeal_until
        )

    @property
    def awaits_execution(self) -> bool:
        return not self.revoked and self.execution_due_at is not None and self.executed_at is None


# ---------------------------------------------------------------- clocks


class AccClockKind(enum.StrEnum):
    STATEMENT = "statement"  # the person's statement (陈述申辩)
    APPEAL = "appeal"  # the appeal period after service
    EXECUTION = "execution"  # e.g. a written self-examination


ACC_CLOCK_LABELS = register_labels(
    "acc_clock",
    {
        AccClockKind.STATEMENT: _l("Statement"),
        AccClockKind.APPEAL: _l("Appeal period"),
        AccClockKind.EXECUTION: _l("Execution"),
    },
)


class AccClock(db.Model):
    """A time limit of an accountability case, in working days, swept like the others."""

    __tablename__ = "acc_clocks"
    __table_args__ = (
        enum_check("kind", AccClockKind),
        sa.Index("ix_acc_clocks_open_due", "stopped_at", "due_at"),
        sa.CheckConstraint("days >= 1", name="days"),
        sa.CheckConstraint("(stopped_at IS NULL) = (late IS NULL)", name="verdict"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    acc_case_id: Mapped[int] = mapped_column(sa.ForeignKey("acc_cases.id"), index=True)
    decision_id: Mapped[int | None] = mapped_column(sa.ForeignKey("decisions.id"))
    kind: Mapped[str] = mapped_column(sa.String(12))
    days: Mapped[int] = mapped_column(sa.SmallInteger)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    provisional: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    # Set once by the sweep when the deadline passes with the clock running.
    overdue_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    stopped_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    late: Mapped[bool | None] = mapped_column(sa.Boolean)


# ---------------------------------------------------------------- records


class RuleCount(enum.StrEnum):
    """What an accumulation rule counts."""

    DECISION = "decision"  # decisions of a form (``form_code``)
    RED_CARD = "red_card"  # red cards on the unit's cases


class RulePeriod(enum.StrEnum):
    YEAR = "year"
    QUARTER = "quarter"


class AccumulationRule(db.Model):
    """When a record reaches a count, suggest a heavier step: data, never a decision."""

    __tablename__ = "accumulation_rules"
    __table_args__ = (
        enum_check("subject_type", SubjectType),
        enum_check("counts", RuleCount),
        enum_check("period", RulePeriod),
        sa.CheckConstraint("threshold >= 1", name="threshold"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    subject_type: Mapped[str] = mapped_column(sa.String(8))
    counts: Mapped[str] = mapped_column(sa.String(12))
    form_code: Mapped[str | None] = mapped_column(sa.ForeignKey("accountability_forms.code"))
    threshold: Mapped[int] = mapped_column(sa.SmallInteger)
    period: Mapped[str] = mapped_column(sa.String(8))
    # The suggested form, or None to refer the subject to the inspectors.
    suggests_code: Mapped[str | None] = mapped_column(sa.ForeignKey("accountability_forms.code"))
    active: Mapped[bool] = mapped_column(sa.Boolean, default=True, server_default=sa.true())

    form: Mapped[AccountabilityForm | None] = relationship(foreign_keys=[form_code])
    suggests: Mapped[AccountabilityForm | None] = relationship(foreign_keys=[suggests_code])


class Suggestion(db.Model):
    """A rule reached on a record in a period: raised once, shown on the record and queue."""

    __tablename__ = "suggestions"
    __table_args__ = (sa.UniqueConstraint("rule_id", "unit_id", "staff_id", "period_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    rule_id: Mapped[int] = mapped_column(sa.ForeignKey("accumulation_rules.id"))
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id"), index=True)
    # 0 for a unit's record, so that the unique key also holds for units (NULLs differ).
    staff_id: Mapped[int] = mapped_column(sa.Integer, default=0, index=True)
    period_key: Mapped[str] = mapped_column(sa.String(8))
    count: Mapped[int] = mapped_column(sa.SmallInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    rule: Mapped[AccumulationRule] = relationship()
    unit: Mapped[Unit] = relationship()
