"""The supervision sweep: a handful of set-based statements, whatever the number of cases.

Each insert selects the clocks that have crossed a threshold and relies on the
unique key (clock, level) to skip warnings already issued, so running the sweep
twice, or on two workers at once, issues nothing twice.
"""

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import aliased

from app.auth.models import Role, User, UserRole
from app.cases.models import Assignment, Case
from app.core.numbering import Counter, next_value
from app.core.types import utcnow
from app.deadlines.models import Clock
from app.deadlines.services import load_calendar
from app.deadlines.workdays import add_workdays, to_local
from app.extensions import db
from app.notifications.models import Notification
from app.supervision.models import (
    NoticeKind,
    SupervisionNotice,
    SupervisionWarning,
    WarningLevel,
)

# A case sent back after a second unsatisfied visit is red-carded at once.
REDO_RED_CARD = 2


@dataclass
class SweepResult:
    prewarn: int = 0
    yellow: int = 0
    red: int = 0
    cleared: int = 0
    reminders: int = 0
    orders: int = 0
    statements: int = 0


def _dialect() -> str:
    return db.session.get_bind().dialect.name


def _insert(model):
    return (postgresql.insert if _dialect() == "postgresql" else sqlite.insert)(model)


def _insert_ignoring_duplicates(select: sa.Select):
    return (
        _insert(SupervisionWarning)
        .from_select(["case_id", "clock_id", "level", "issued_at"], select)
        .on_conflict_do_nothing(index_elements=["clock_id", "level"])
    )


def _take_sweep_lock() -> None:
    """Serialize sweeps: a second one waits and then finds the work done (no gaps in numbers)."""
    if _dialect() == "postgresql":
        db.session.execute(sa.text("SELECT pg_advisory_xact_lock(727001)"))
    else:
        # Any write takes SQLite's single write lock until the commit.
        next_value("lock:supervision-sweep")


def _issue(level: WarningLevel, now: datetime, *conditions) -> int:
    select = sa.select(
        Clock.case_id,
        Clock.id,
        sa.literal(str(level)),
        sa.literal(now, SupervisionWarning.issued_at.type),
    ).where(Clock.stopped_at.is_(None), *conditions)
    # RETURNING yields only the rows really inserted (duplicates are skipped).
    inserted = _insert_ignoring_duplicates(select).returning(SupervisionWarning.id)
    return len(db.session.execute(inserted).all())


def run_sweep(now: datetime | None = None) -> SweepResult:
    """Issue due warnings and clear those whose clock has stopped; flush, not commit."""
    now = now or utcnow()
    result = SweepResult()
    # Count what really reaches the database: the point is a fixed handful of statements.
    connection = db.session.connection()
    executed = []

    def count(*_args, **_kwargs):
        executed.append(1)

    sa.event.listen(connection, "before_cursor_execute", count)
    try:
        _sweep(now, result)
    finally:
        sa.event.remove(connection, "before_cursor_execute", count)
    result.statements = len(executed)
    return result


def _sweep(now: datetime, result: SweepResult) -> None:
    _take_sweep_lock()
    result.prewarn = _issue(WarningLevel.PREWARN, now, Clock.prewarn_at <= now, Clock.due_at > now)
    result.yellow = _issue(WarningLevel.YELLOW, now, Clock.due_at <= now)
    result.red = _issue(WarningLevel.RED, now, Clock.red_at <= now)
    redone = sa.select(Case.id).where(Case.reopen_count >= REDO_RED_CARD)
    result.red += _issue(WarningLevel.RED, now, Clock.kind == "handle", Clock.case_id.in_(redone))
    # Start from the few open warnings and look their clocks up, not the other way round.
    stopped = sa.exists().where(
        Clock.id == SupervisionWarning.clock_id, Clock.stopped_at.is_not(None)
    )
    result.cleared = db.session.execute(
        sa.update(SupervisionWarning)
        .where(SupervisionWarning.cleared_at.is_(None), stopped)
        .values(cleared_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    result.reminders = _issue_notices(NoticeKind.REMINDER, WarningLevel.YELLOW, now)
    result.orders = _issue_notices(NoticeKind.ORDER, WarningLevel.RED, now)


def _issue_notices(kind: NoticeKind, level: WarningLevel, now: datetime) -> int:
    """Number and issue one notice per open card of ``level`` that has none yet, set-based."""
    lead = aliased(Assignment)
    pending = (
        sa.select(
            SupervisionWarning.id.label("warning_id"),
            SupervisionWarning.case_id,
            lead.unit_id,
            sa.func.row_number().over(order_by=SupervisionWarning.id).label("seq"),
        )
        .join(
            lead,
            sa.and_(
                lead.case_id == SupervisionWarning.case_id,
                lead.role == "lead",
                lead.ended_at.is_(None),
            ),
        )
        .where(
            SupervisionWarning.level == level,
            SupervisionWarning.cleared_at.is_(None),
            ~sa.exists().where(SupervisionNotice.warning_id == SupervisionWarning.id),
        )
        .subquery()
    )
    count = db.session.scalar(sa.select(sa.func.count()).select_from(pending))
    if not count:
        return 0
    config = current_app.config
    year = to_local(now).year
    key = f"notice:{kind}:{year}"
    next_value(key)  # make sure the counter row exists, then reserve count numbers at once
    last = db.session.execute(
        sa.update(Counter)
        .where(Counter.key == key)
        .values(value=Counter.value + count - 1)
        .returning(Counter.value)
    ).scalar_one()
    base = last - count
    prefix = f"{config['NOTICE_PREFIXES'][kind]}〔{year}〕"
    number = sa.literal(prefix) + sa.cast(base + pending.c.seq, sa.String) + sa.literal("号")
    respond_by = None
    if kind is NoticeKind.ORDER:
        calendar = load_calendar(to_local(now).date())
        respond_by = add_workdays(now, config["ORDER_RESPONSE_WORKDAYS"], calendar).due_at
    rows = sa.select(
        number,
        sa.literal(str(kind)),
        pending.c.case_id,
        pending.c.unit_id,
        pending.c.warning_id,
        sa.literal(now, SupervisionNotice.issued_at.type),
        sa.literal(respond_by, SupervisionNotice.respond_by.type),
        sa.literal(kind is NoticeKind.ORDER),
        sa.literal(""),
    ).where(sa.true())  # SQLite needs a WHERE before ON CONFLICT in INSERT ... SELECT
    created = db.session.execute(
        _insert(SupervisionNotice)
        .from_select(
            [
                "number",
                "kind",
                "case_id",
                "unit_id",
                "warning_id",
                "issued_at",
                "respond_by",
                "refer_to_inspectors",
                "response",
            ],
            rows,
        )
        .on_conflict_do_nothing(index_elements=["warning_id"])
        .returning(SupervisionNotice.id)
    ).all()
    _notify_units(kind, now)
    return len(created)


def _notify_units(kind: NoticeKind, now: datetime) -> None:
    """Put one in-app message per handler and lead of each unit that got a notice now."""
    title = _l("Reminder notice") if kind is NoticeKind.REMINDER else _l("Supervision order")
    staff = sa.exists().where(
        UserRole.user_id == User.id, UserRole.role.in_([Role.HANDLER, Role.UNIT_LEAD])
    )
    rows = (
        sa.select(
            User.id,
            SupervisionNotice.case_id,
            sa.literal("inapp"),
            sa.literal(f"{title} ") + SupervisionNotice.number,
            sa.literal(""),
            sa.literal("sent"),
            sa.literal(0),
            sa.literal(now, Notification.created_at.type),
            sa.literal(now, Notification.sent_at.type),
            sa.literal(""),
            sa.literal(""),
        )
        .join(User, User.unit_id == SupervisionNotice.unit_id)
        .where(
            SupervisionNotice.kind == kind,
            SupervisionNotice.issued_at == now,
            User.active.is_(True),
            staff,
        )
    )
    db.session.execute(
        sa.insert(Notification).from_select(
            [
                "user_id",
                "case_id",
                "channel",
                "subject",
                "body",
                "status",
                "attempts",
                "created_at",
                "sent_at",
                "last_error",
                "to_address",
            ],
            rows,
        )
    )
