"""The supervision sweep: a handful of set-based statements, whatever the number of cases.

Each insert selects the clocks that have crossed a threshold and leaves out those that
already have the card; the unique key (clock, level) backs that up, so running the
sweep twice, or on two workers at once, issues nothing twice. Sweeps are also
serialized by a lock, which keeps the numbers of the notices gap-free and consecutive
per year. A yellow or red card and its numbered notice are one row, written by one
INSERT ... SELECT.

Counts come from the cursor's row count: no list of ids is brought back into Python.
On a mass sweep nearly all the time goes into writing the rows themselves: their
index entries and the foreign-key checks PostgreSQL runs for each row (see
tests/benchmarks/sweep_benchmark.py).
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
    REDO_RED_CARD,
    UNIT_CLOCKS,
    NoticeKind,
    SupervisionWarning,
    WarningLevel,
)

# A mass sweep hashes and sorts some hundred thousand cards (EXCEPT, notice numbers);
# PostgreSQL's default 4 MB of work_mem would spill them to disk. For the sweep's
# transaction only.
SWEEP_WORK_MEM = "64MB"


@dataclass
class SweepResult:
    prewarn: int = 0
    yellow: int = 0
    red: int = 0
    cleared: int = 0
    reminders: int = 0
    orders: int = 0
    messages: int = 0
    statements: int = 0


def _dialect() -> str:
    return db.session.get_bind().dialect.name


def _insert(model):
    return (postgresql.insert if _dialect() == "postgresql" else sqlite.insert)(model)


def _insert_ignoring_duplicates(select: sa.Select):
    return (
        _insert(SupervisionWarning)
        .from_select(["clock_id", "level", "issued_at"], select)
        .on_conflict_do_nothing(index_elements=["clock_id", "level"])
    )


def _rowcount(statement) -> int:
    """Execute ``statement`` and return the number of rows it wrote (INSERTs included)."""
    return db.session.execute(statement.execution_options(preserve_rowcount=True)).rowcount


def _take_sweep_lock() -> None:
    """Serialize sweeps: a second one waits and then finds the work done (no gaps in numbers)."""
    if _dialect() == "postgresql":
        # No JIT: the statements are short, and compiling them cost more than it saved.
        # The commit need not wait for the disk: the sweep writes only what it derives
        # from the clocks and sends nothing outside, so if a crash lost its last moments
        # the next sweep would issue the same cards under the same numbers again.
        db.session.execute(
            sa.text(
                "SELECT pg_advisory_xact_lock(727001), set_config('work_mem', :mem, true), "
                "set_config('synchronous_commit', 'off', true), set_config('jit', 'off', true)"
            ),
            {"mem": SWEEP_WORK_MEM},
        )
    else:
        # Any write takes SQLite's single write lock until the commit.
        next_value("lock:supervision-sweep")


def _issue(level: WarningLevel, now: datetime, *conditions) -> int:
    """Issue ``level`` to the running clocks meeting ``conditions`` that do not have it yet.

    Most such clocks got the card in an earlier sweep. Taking away the clocks with the
    card open (EXCEPT) costs one hash over both sets instead of one probe of the unique
    index per clock; EXCEPT also reads the existing cards in full before the first
    insert, so the plan can never keep re-reading the table it is filling. The unique
    key still decides: a card cleared on a clock that runs again, or issued by a
    concurrent transaction, is skipped by ON CONFLICT.
    """
    due = sa.select(Clock.id.label("clock_id")).where(Clock.stopped_at.is_(None), *conditions)
    issued = sa.select(SupervisionWarning.clock_id).where(
        SupervisionWarning.level == level, SupervisionWarning.cleared_at.is_(None)
    )
    missing = sa.except_(due, issued).subquery()
    select = sa.select(
        missing.c.clock_id,
        sa.literal(str(level)),
        sa.literal(now, SupervisionWarning.issued_at.type),
    )
    # SQLite needs a WHERE before ON CONFLICT in INSERT ... SELECT. In clock order the
    # new rows go to the ends of the indexes instead of to random pages.
    select = select.where(sa.true()).order_by(missing.c.clock_id)
    # The row count is the number really inserted: duplicates are skipped.
    return _rowcount(_insert_ignoring_duplicates(select))


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
    # Clear first: every card issued below is on a running clock, so clearing after
    # them would only read them again. Start from the open warnings and look their
    # clocks up, not the other way round.
    stopped = sa.exists().where(
        Clock.id == SupervisionWarning.clock_id, Clock.stopped_at.is_not(None)
    )
    result.cleared = _rowcount(
        sa.update(SupervisionWarning)
        .where(SupervisionWarning.cleared_at.is_(None), stopped)
        .values(cleared_at=now)
        .execution_options(synchronize_session=False)
    )
    result.prewarn = _issue(WarningLevel.PREWARN, now, Clock.prewarn_at <= now, Clock.due_at > now)
    first_new = (db.session.scalar(sa.select(sa.func.max(SupervisionWarning.id))) or 0) + 1
    result.yellow, result.reminders = _issue_with_notices(
        WarningLevel.YELLOW, now, Clock.due_at <= now
    )
    result.red, result.orders = _issue_with_notices(WarningLevel.RED, now, Clock.red_at <= now)
    # The literal matches the predicate of ix_cases_redone (a bound value would not).
    redone = sa.select(Case.id).where(Case.redo_count >= sa.literal_column(str(REDO_RED_CARD)))
    cards, orders = _issue_with_notices(
        WarningLevel.RED, now, Clock.kind == "handle", Clock.case_id.in_(redone)
    )
    result.red, result.orders = result.red + cards, result.orders + orders
    if result.reminders or result.orders:
        result.messages = _notify_units(now, first_new)


def _locked_counter(key: str) -> int:
    """Return the value of the counter ``key`` (created at 0), its row locked until the commit."""
    select = sa.select(Counter.value).where(Counter.key == key).with_for_update()
    value = db.session.scalar(select)
    if value is None:
        db.session.execute(
            _insert(Counter).values(key=key, value=0).on_conflict_do_nothing(index_elements=["key"])
        )
        value = db.session.scalar(select)
    return value


def _issue_with_notices(level: WarningLevel, now: datetime, *conditions) -> tuple[int, int]:
    """Issue yellow or red cards, each with its numbered notice where one is due, in one
    INSERT; return (cards, notices).

    A card on a unit's clock (sign, handle, rectify) of a case with a lead unit brings
    that unit a notice: a yellow card a reminder (催办通知书), a red card a supervision
    order (督办单) with an answer deadline and a referral suggestion. A yellow card whose
    red card is due too, or already open (a case redone twice), brings none: the order
    covers it. The notices are numbered ``last + 1``, ``last + 2``, ... in clock order
    and the counter then moves by their count. The sweep lock means no other sweep adds
    cards meanwhile, and clocks that ever had the card (cleared ones too) are left out,
    so nothing can collide: if something ever did, the unique keys fail the sweep, which
    leaves no gap in the numbers and is simply run again.
    """
    kind = NoticeKind.REMINDER if level is WarningLevel.YELLOW else NoticeKind.ORDER
    config = current_app.config
    lead = aliased(Assignment)
    # NOT IN over cards read once into a hash: a correlated NOT EXISTS against cards
    # inserted moments ago (no statistics yet) can be planned as a scan per clock.
    had = sa.select(SupervisionWarning.clock_id).where(SupervisionWarning.level == str(level))
    due = (
        # One row per clock even if a case ever had two open lead assignments.
        sa.select(
            Clock.id.label("clock_id"),
            Clock.kind,
            Clock.red_at,
            sa.func.min(lead.unit_id).label("unit_id"),
        )
        .outerjoin(
            lead,
            sa.and_(lead.case_id == Clock.case_id, lead.role == "lead", lead.ended_at.is_(None)),
        )
        .where(Clock.stopped_at.is_(None), *conditions, Clock.id.not_in(had))
        .group_by(Clock.id, Clock.kind, Clock.red_at)
        .subquery()
    )
    with_notice = [due.c.kind.in_(UNIT_CLOCKS), due.c.unit_id.is_not(None)]
    if kind is NoticeKind.REMINDER:
        red = aliased(SupervisionWarning)
        open_red = sa.select(red.clock_id).where(
            red.level == str(WarningLevel.RED), red.cleared_at.is_(None)
        )
        with_notice += [due.c.red_at > now, due.c.clock_id.not_in(open_red)]
    flagged = sa.select(
        due.c.clock_id,
        due.c.unit_id,
        sa.case((sa.and_(*with_notice), 1), else_=0).label("noticed"),
    ).subquery()
    ranked = sa.select(
        flagged,
        sa.func.row_number()
        .over(partition_by=flagged.c.noticed, order_by=flagged.c.clock_id)
        .label("seq"),
    ).subquery()

    year = to_local(now).year
    key = f"notice:{kind}:{year}"
    last = _locked_counter(key)
    noticed = ranked.c.noticed == 1
    prefix = f"{config['NOTICE_PREFIXES'][kind]}〔{year}〕"
    number = sa.literal(prefix) + sa.cast(sa.literal(last) + ranked.c.seq, sa.String) + "号"
    respond_by = None
    if kind is NoticeKind.ORDER:
        calendar = load_calendar(to_local(now).date())
        respond_by = add_workdays(now, config["ORDER_RESPONSE_WORKDAYS"], calendar).due_at
    rows = sa.select(
        ranked.c.clock_id,
        sa.literal(str(level)),
        sa.literal(now, SupervisionWarning.issued_at.type),
        sa.case((noticed, number)),
        sa.case((noticed, ranked.c.unit_id)),
        sa.case((noticed, sa.literal(respond_by, SupervisionWarning.respond_by.type))),
        sa.case((noticed, sa.literal(kind is NoticeKind.ORDER)), else_=sa.false()),
        sa.literal(""),
    ).order_by(ranked.c.clock_id)  # new rows go to the ends of the indexes
    first_new = (db.session.scalar(sa.select(sa.func.max(SupervisionWarning.id))) or 0) + 1
    cards = _rowcount(
        sa.insert(SupervisionWarning).from_select(
            [
                "clock_id",
                "level",
                "issued_at",
                "number",
                "unit_id",
                "respond_by",
                "refer_to_inspectors",
                "response",
            ],
            rows,
        )
    )
    notices = 0
    if cards:
        notices = db.session.scalar(
            sa.select(sa.func.count(SupervisionWarning.number)).where(
                SupervisionWarning.id >= first_new
            )
        )
    if notices:
        db.session.execute(
            sa.update(Counter).where(Counter.key == key).values(value=last + notices)
        )
    return cards, notices


def _recipients(now: datetime) -> sa.Subquery:
    """Who gets a unit's messages: each active handler and lead, or their backup (AB岗).

    A staff member away (``away_until`` later than now) with an active backup is
    replaced by that backup; a backup who is also staff of the unit, or stands in for
    two of them, is listed once. ``standing_in_for`` names the away colleagues when the
    recipient gets the message only as their backup.
    """
    staff, backup = aliased(User), aliased(User)
    unit_role = sa.exists().where(
        UserRole.user_id == staff.id, UserRole.role.in_([Role.HANDLER, Role.UNIT_LEAD])
    )
    stand_in = (
        sa.select(
            staff.unit_id,
            sa.func.coalesce(backup.id, staff.id).label("user_id"),
            sa.case((backup.id.is_not(None), staff.name)).label("away_name"),
        )
        .outerjoin(
            backup,
            sa.and_(
                backup.id == staff.backup_user_id,
                backup.active.is_(True),
                staff.away_until > now,
            ),
        )
        .where(staff.active.is_(True), staff.unit_id.is_not(None), unit_role)
        .subquery()
    )
    only_as_backup = sa.func.count(stand_in.c.away_name) == sa.func.count()
    return (
        sa.select(
            stand_in.c.unit_id,
            stand_in.c.user_id,
            sa.case((only_as_backup, sa.func.aggregate_strings(stand_in.c.away_name, "、"))).label(
                "standing_in_for"
            ),
        )
        .group_by(stand_in.c.unit_id, stand_in.c.user_id)
        .subquery()
    )


def _notify_units(now: datetime, first_new: int) -> int:
    """Tell each recipient of a unit that got notices now (cards from ``first_new`` on) in one
    message per kind.

    One notice gives a message naming it and linking its case; several (after an outage,
    or on a bad day) give one message with their count, not a flood of messages.
    """
    marker = "\x00"
    before_name, _, after_name = str(_l(" (as backup for %(name)s)", name=marker)).partition(marker)
    before_count, _, after_count = str(_l("%(n)s notices in all", n=marker)).partition(marker)
    recipients = _recipients(now)
    grouped = (
        sa.select(
            SupervisionWarning.unit_id,
            SupervisionWarning.level,
            sa.func.count().label("count"),
            sa.func.min(SupervisionWarning.number).label("number"),
            sa.func.min(SupervisionWarning.id).label("warning_id"),
        )
        .where(SupervisionWarning.id >= first_new, SupervisionWarning.number.is_not(None))
        .group_by(SupervisionWarning.unit_id, SupervisionWarning.level)
        .subquery()
    )
    # The case is looked up for the few groups only (it links a single notice's message).
    notices = (
        sa.select(grouped, Clock.case_id)
        .join(SupervisionWarning, SupervisionWarning.id == grouped.c.warning_id)
        .join(Clock, Clock.id == SupervisionWarning.clock_id)
        .subquery()
    )
    title = sa.case(
        (notices.c.level == str(WarningLevel.YELLOW), str(_l("Reminder notice"))),
        else_=str(_l("Supervision order")),
    )
    single = notices.c.count == 1
    what = sa.case(
        (single, notices.c.number),
        else_=sa.literal(before_count)
        + sa.cast(notices.c.count, sa.String)
        + sa.literal(after_count),
    )
    # NULL (no stand-in) makes the whole suffix NULL, hence empty.
    as_backup = sa.func.coalesce(
        sa.literal(before_name) + recipients.c.standing_in_for + sa.literal(after_name), ""
    )
    subject = sa.func.substr(
        title + sa.literal(" ") + what + as_backup, 1, Notification.subject.type.length
    )
    body = sa.case(
        (single, ""), else_=str(_l("Tick “With open cards only” on the worklist to see them."))
    )
    rows = sa.select(
        recipients.c.user_id,
        sa.case((single, notices.c.case_id)),
        sa.literal("inapp"),
        subject,
        body,
        sa.literal("sent"),
        sa.literal(0),
        sa.literal(now, Notification.created_at.type),
        sa.literal(now, Notification.sent_at.type),
        sa.literal(""),
        sa.literal(""),
    ).join(recipients, recipients.c.unit_id == notices.c.unit_id)
    return _rowcount(
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
