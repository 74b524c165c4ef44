"""Build units, users, categories, cases and cards directly, in any state.

``make_case`` (tests/conftest.py) drives a case through the real services: the right
tool for the workflow rules. These factories are for tests that need only the result,
say "a case closed in March with two red cards": they write the rows that the state
implies (assignments, reply, visit, clocks with their verdicts, cards and notices)
without replaying the path and without the demo county.

They need the ``app`` fixture (an app context on a migrated, calendar-seeded database).
Convention: every factory adds and flushes its rows and returns the object; none
commits. The test commits before it makes requests with the test client, whose requests
run in a session of their own. Anything left out is made up (a new unit, category or
staff member); counters keep codes and names unique. Case numbers come from the app's
own gap-free counter, so factory cases and registered ones never collide.
"""

import itertools
from collections.abc import Iterable
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask import current_app

from app.auth.models import Role, User, UserRole
from app.auth.services import set_password
from app.cases.models import (
    Assignment,
    AssignmentRole,
    Case,
    Category,
    Channel,
    Complainant,
    Finding,
    Reply,
    Resolved,
    ReturnRequest,
    Satisfaction,
    Severity,
    Visit,
)
from app.cases.workflow import FINAL_STATES, State
from app.core.numbering import next_value
from app.core.types import utcnow
from app.deadlines.models import Clock
from app.deadlines.services import load_calendar, start_clock
from app.deadlines.workdays import add_workdays, to_local
from app.extensions import db
from app.intake.services import new_case_number
from app.supervision.models import UNIT_CLOCKS, NoticeKind, SupervisionWarning, WarningLevel
from app.units.models import Tier, Unit, UnitKind

PASSWORD = "demo1234"  # what tests.conftest.login sends by default
_sequence = itertools.count(1)
# The tracking codes' own alphabet, so that a code built here reads like a real one.
_TRACKING_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"

# The main line of the workflow: a state there implies every step before it.
_LINE = (
    State.REGISTERED,
    State.SCREENING,
    State.DISPATCHED,
    State.HANDLING,
    State.REPLIED,
    State.VISITING,
    State.CLOSED,
)
# The states off that line, by the state they leave it from.
_BRANCHES = {
    State.NOT_ACCEPTED: State.SCREENING,
    State.INVALID: State.SCREENING,
    State.MERGED: State.SCREENING,
    State.RETURN_REQUESTED: State.DISPATCHED,  # asked before signing
}
RECTIFY_DAYS = 10  # the limit of a rectify clock asked for through ``clocks``


def _next() -> int:
    return next(_sequence)


def create_unit(
    name: str | None = None,
    code: str | None = None,
    tier: Tier | int = Tier.COUNTY,
    kind: UnitKind | str = UnitKind.DEPARTMENT,
    parent: Unit | None = None,
    supervisor: Unit | None = None,
) -> Unit:
    """Create an active unit; name and code are made up when not given."""
    n = _next()
    unit = Unit(
        name=name or f"测试单位{n}",
        code=code or f"T-{n}",
        tier=int(tier),
        kind=str(kind),
        parent=parent,
        supervisor=supervisor,
        active=True,
    )
    db.session.add(unit)
    db.session.flush()
    return unit


def create_user(
    username: str | None = None,
    roles: Iterable[Role | str] = (Role.HANDLER,),
    unit: Unit | None = None,
    name: str | None = None,
    password: str = PASSWORD,
    **fields: Any,
) -> User:
    """Create an active user holding ``roles`` in ``unit`` (a new department if not given)."""
    n = _next()
    user = User(
        username=username or f"user{n}",
        name=name or f"测试用户{n}",
        unit=unit or create_unit(),
        **fields,
    )
    set_password(user, password)
    user.role_rows = [UserRole(role=str(Role(r))) for r in roles]
    db.session.add(user)
    db.session.flush()
    return user


def create_category(
    code: str | None = None,
    name: str | None = None,
    severity: Severity | str = Severity.ORDINARY,
    handle_days: int | None = None,
    **fields: Any,
) -> Category:
    """Create an active category; ``handle_days`` None keeps the configured handle limit."""
    n = _next()
    category = Category(
        code=code or f"cat{n}",
        name=name or f"测试类别{n}",
        severity=str(severity),
        handle_days=handle_days,
        active=True,
        position=n,
        **fields,
    )
    db.session.add(category)
    db.session.flush()
    return category


def _tracking_code() -> str:
    """Return a unique 12-character tracking code: TEST and a counter in the code alphabet."""
    n, digits = _next(), []
    for _ in range(8):
        n, digit = divmod(n, len(_TRACKING_ALPHABET))
        digits.append(_TRACKING_ALPHABET[digit])
    return "TEST" + "".join(reversed(digits))


def _staff(unit: Unit | None, *roles: Role) -> User:
    """Return a user of ``unit`` (any unit if None) holding one of ``roles``, created if none.

    A reply or a visit needs its author. Taking someone who is already there keeps the
    factories from adding recipients to a unit whose messages a test counts.
    """
    stmt = (
        sa.select(User)
        .where(
            User.active.is_(True),
            sa.exists().where(UserRole.user_id == User.id, UserRole.role.in_(roles)),
        )
        .order_by(User.id)
        .limit(1)
    )
    if unit is not None:
        stmt = stmt.where(User.unit_id == unit.id)
    user = db.session.scalar(stmt)
    if user is None:
        home = unit or create_unit(kind=UnitKind.COMPLAINT_CENTER)
        user = create_user(roles=roles[:1], unit=home)
    return user


def _reached(state: State, step: State) -> bool:
    """Return True if a case in ``state`` has been through ``step`` of the main line."""
    return _LINE.index(_BRANCHES.get(state, state)) >= _LINE.index(step)


def _default_clocks(state: State) -> list[str]:
    """The clocks the workflow would have started on the way to ``state``."""
    kinds = ["screen"]
    if _reached(state, State.DISPATCHED):
        kinds += ["sign", "handle"]
    if _reached(state, State.VISITING):
        kinds.append("visit")
    return kinds


def _in_order(*moments: tuple[str, datetime]) -> None:
    """Refuse moments given out of order: no case is replied to before it was signed."""
    for (earlier, a), (later, b) in itertools.pairwise(moments):
        if b < a:
            raise ValueError(f"{later} ({b}) is before {earlier} ({a})")


def create_case(
    state: State | str = State.SCREENING,
    *,
    unit: Unit | None = None,
    assist_units: Iterable[Unit] = (),
    category: Category | None = None,
    channel: Channel | str = Channel.HOTLINE,
    created_at: datetime | None = None,
    signed_at: datetime | None = None,
    replied_at: datetime | None = None,
    closed_at: datetime | None = None,
    finding: Finding | str = Finding.SUBSTANTIATED,
    complainant: dict[str, Any] | None = None,
    clocks: Iterable[str] | None = None,
    **fields: Any,
) -> Case:
    """Create a case in ``state`` with the rows and clocks the workflow leaves there.

    ``unit`` is the unit complained about and, from dispatch on, the lead unit (a new
    department if not given). The case is registered and dispatched at ``created_at``
    (default now), signed at ``signed_at``, replied to, reviewed and (when visiting)
    visited at ``replied_at``, and closed (final states) at ``closed_at``; each defaults
    to the step before, except that a closed case is replied to on its closing day. A
    return request is made before signing. ``clocks`` names the clock kinds to build
    (default: those the path starts; ``rectify`` runs from the review); each stops
    where the path stops it, with its on-time verdict. ``fields`` set any other column
    of the case (``urgency``, ``title``, ``redo_count``, ``entered_by``, ...).
    """
    state = State(state)
    created = created_at or utcnow()
    signed = signed_at or created
    replied = replied_at or (closed_at if state is State.CLOSED else None) or signed
    closed = closed_at or replied
    _in_order(
        ("created_at", created),
        ("signed_at", signed),
        ("replied_at", replied),
        ("closed_at", closed),
    )
    final = state in FINAL_STATES
    steps = [
        (created, True),
        (signed, _reached(state, State.HANDLING)),
        (replied, _reached(state, State.REPLIED)),
        (closed, final),
    ]
    unit = unit or create_unit()
    category = category or create_category()
    person = Complainant(
        **{"name": "张三", "phone": "13812345678", **(complainant or {})}, created_at=created
    )
    if state is State.MERGED and not {"duplicate_of", "duplicate_of_id"} & fields.keys():
        fields["duplicate_of"] = create_case(
            State.SCREENING, unit=unit, category=category, created_at=created
        )
    values: dict[str, Any] = {
        "number": new_case_number(created),
        "tracking_code": _tracking_code(),
        "channel": str(channel),
        "complainant": person,
        "respondent_unit": unit,
        "category": category,
        "title": "失业保险金申领超期",
        "content": "提交申请一个月没有结果。",
        "state": str(state),
        "finding": str(finding) if _reached(state, State.VISITING) else None,
        "created_at": created,
        "updated_at": max(moment for moment, done in steps if done),
        "closed_at": closed if final else None,
    }
    # A column given by its id replaces the object set above.
    for key in fields:
        values.pop(key.removesuffix("_id"), None)
    case = Case(**{**values, **fields})
    db.session.add(case)
    db.session.flush()
    _add_assignments(case, state, unit, assist_units, created, signed)
    _add_reply_and_visit(case, state, unit, finding, replied, closed)
    kinds = _default_clocks(state) if clocks is None else list(clocks)
    _add_clocks(case, state, kinds, created, signed, replied, closed)
    db.session.flush()
    return case


def _add_assignments(
    case: Case,
    state: State,
    unit: Unit,
    assist_units: Iterable[Unit],
    dispatched: datetime,
    signed: datetime,
) -> None:
    if not _reached(state, State.DISPATCHED):
        return
    lead = Assignment(
        unit_id=unit.id,
        role=AssignmentRole.LEAD,
        dispatched_at=dispatched,
        signed_at=signed if _reached(state, State.HANDLING) else None,
    )
    case.assignments.append(lead)
    for assist in assist_units:
        case.assignments.append(
            Assignment(unit_id=assist.id, role=AssignmentRole.ASSIST, dispatched_at=dispatched)
        )
    if state is State.RETURN_REQUESTED:
        db.session.flush()
        case.return_requests.append(
            ReturnRequest(
                assignment_id=lead.id,
                unit_id=unit.id,
                requested_by_id=_staff(unit, Role.HANDLER, Role.UNIT_LEAD).id,
                requested_at=dispatched,
                reason="不属于本单位职责",
                previous_state=State.DISPATCHED,
            )
        )


def _add_reply_and_visit(
    case: Case, state: State, unit: Unit, finding: str, replied: datetime, closed: datetime
) -> None:
    if not _reached(state, State.REPLIED):
        return
    # A unit lead's reply goes to the center at once: signed off by its author.
    lead = _staff(unit, Role.UNIT_LEAD)
    reply = Reply(
        unit_id=unit.id,
        author_id=lead.id,
        text="已核查并整改。",
        finding=str(finding),
        created_at=replied,
        signed_off=True,
        signed_off_by_id=lead.id,
        signed_off_at=replied,
    )
    if _reached(state, State.VISITING):
        reviewer = _staff(None, Role.OPERATOR, Role.CENTER_LEAD)
        reply.review_passed, reply.reviewed_by_id, reply.reviewed_at = True, reviewer.id, replied
    case.replies.append(reply)
    if state is State.CLOSED:
        case.visits.append(
            Visit(
                visited_by_id=_staff(None, Role.OPERATOR, Role.CENTER_LEAD).id,
                visited_at=closed,
                satisfaction=Satisfaction.SATISFIED,
                resolved=Resolved.YES,
            )
        )


def _add_clocks(
    case: Case,
    state: State,
    kinds: list[str],
    created: datetime,
    signed: datetime,
    replied: datetime,
    closed: datetime,
) -> None:
    """Start each clock of ``kinds`` where the path starts it and stop it where it stops."""
    # start_clock adds each clock to the session before appending it to case.clocks; a
    # first, lazy load of that collection would flush the clock, find it and list it twice.
    db.session.refresh(case, ["clocks"])
    ended = closed if state in FINAL_STATES else None
    reviewed = replied if _reached(state, State.VISITING) else created
    plan = {
        "screen": (created, created if _reached(state, State.DISPATCHED) else None),
        "sign": (created, signed if _reached(state, State.HANDLING) else None),
        "handle": (created, replied if _reached(state, State.REPLIED) else None),
        "visit": (reviewed, None),
        "rectify": (reviewed, None),
    }
    for kind in kinds:
        start, stop = plan[kind]
        # A rectification still due keeps running after the case is closed.
        if stop is None and kind != "rectify":
            stop = ended
        limit = ("workdays", RECTIFY_DAYS) if kind == "rectify" else None
        clock = start_clock(case, kind, start, limit=limit)
        if stop is not None:
            clock.stopped_at = stop
            clock.late = stop > clock.due_at


def _clock_of(case: Case, kind: str | None) -> Clock:
    """Return the latest clock of ``kind``; by default the handle clock, else the latest."""
    found = [c for c in case.clocks if c.kind == (kind or "handle")]
    if not found and kind is None:
        found = case.clocks
    if not found:
        raise ValueError(f"{case!r} has no {kind} clock")
    return found[-1]


def create_card(
    case_or_clock: Case | Clock,
    level: WarningLevel | str = WarningLevel.YELLOW,
    *,
    issued_at: datetime | None = None,
    number: str | None = None,
    cleared_at: datetime | None = None,
    kind: str | None = None,
) -> SupervisionWarning:
    """Put a card on a clock (of a case: the clock of ``kind``, by default the handle clock).

    Filled as the sweep fills it: issued when the clock crossed the level's threshold
    unless ``issued_at`` says otherwise, cleared when the clock stopped unless
    ``cleared_at`` says otherwise. A yellow or red card on a unit's clock (sign, handle,
    rectify) of a case with a lead unit carries its notice to that unit, numbered from
    the sweep's own counter unless ``number`` is given: a reminder, or a supervision
    order with its answer deadline and a referral suggestion.
    """
    if isinstance(case_or_clock, Case):
        case, clock = case_or_clock, _clock_of(case_or_clock, kind)
    else:
        clock, case = case_or_clock, db.session.get(Case, case_or_clock.case_id)
    level = WarningLevel(level)
    thresholds = {
        WarningLevel.PREWARN: clock.prewarn_at,
        WarningLevel.YELLOW: clock.due_at,
        WarningLevel.RED: clock.red_at,
    }
    issued = issued_at or thresholds[level]
    if clock.stopped_at is not None and issued > clock.stopped_at:
        raise ValueError("the sweep issues cards only while their clock runs")
    card = SupervisionWarning(
        clock_id=clock.id,
        level=str(level),
        issued_at=issued,
        cleared_at=cleared_at or clock.stopped_at,
    )
    lead = case.lead_assignment
    noticed = level is not WarningLevel.PREWARN and clock.kind in UNIT_CLOCKS and lead is not None
    if noticed or number is not None:
        notice = NoticeKind.REMINDER if level is WarningLevel.YELLOW else NoticeKind.ORDER
        card.number = number or _notice_number(notice, issued)
        card.unit_id = lead.unit_id if lead is not None else None
        if notice is NoticeKind.ORDER:
            days = current_app.config["ORDER_RESPONSE_WORKDAYS"]
            calendar = load_calendar(to_local(issued).date())
            card.respond_by = add_workdays(issued, days, calendar).due_at
            card.refer_to_inspectors = True
    db.session.add(card)
    db.session.flush()
    # The case reaches its cards through its clocks (view-only): read them again.
    db.session.expire(case, ["warnings", "notices"])
    return card


def _notice_number(kind: NoticeKind, issued: datetime) -> str:
    """Return the next notice number of the year, from the counter the sweep numbers with."""
    year = to_local(issued).year
    prefix = current_app.config["NOTICE_PREFIXES"][kind]
    return f"{prefix}〔{year}〕{next_value(f'notice:{kind}:{year}')}号"
