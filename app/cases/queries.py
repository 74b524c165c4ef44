"""Worklist queries: which cases a user sees, searched, filtered and sorted, in one SELECT.

The web worklist and the API's case list read their parameters with ``read_filter``
and list with ``worklist_select``, so a search finds the same cases on both.
"""

from collections.abc import Mapping
from dataclasses import asdict, dataclass, replace
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload, selectinload

from app.auth.models import Role
from app.auth.services import users_backed_up_by
from app.cases.access import may_see_identity, visibility_clause
from app.cases.models import (
    CHANNEL_LABELS,
    Assignment,
    AssignmentRole,
    Case,
    Category,
    Channel,
    Complainant,
    Reply,
)
from app.cases.workflow import FINAL_STATES, STATE_CLOCKS, STATE_LABELS, State
from app.core.access_log import AccessChannel, IdentityAccess
from app.core.phones import PHONE_MIN_DIGITS, normalize_phone
from app.core.types import utcnow
from app.core.validation import one_of, strip_control
from app.deadlines.models import Clock, ClockKind
from app.deadlines.workdays import SHANGHAI
from app.extensions import db
from app.supervision.models import SupervisionWarning
from app.units.models import Unit

OPEN, ALL = "open", "all"
# The unit lead's tab: drafts waiting for their sign-off (not a state of its own).
SIGN_OFF = "sign_off"
STATE_FILTERS = (OPEN, ALL, SIGN_OFF, *(s.value for s in State))
# As the worklist's tabs call them.
STATE_FILTER_LABELS = {
    OPEN: _l("Open"),
    ALL: _l("All"),
    SIGN_OFF: _l("Awaiting my sign-off"),
    **STATE_LABELS,
}
SORT_KEYS = ("number", "received", "deadline", "state")
SORT_ORDERS = tuple(order for key in SORT_KEYS for order in (key, f"-{key}"))
# As the worklist's column headers call the keys.
_SORT_COLUMNS = {
    "number": _l("Number"),
    "received": _l("Registered at"),
    "deadline": _l("Due"),
    "state": _l("State"),
}
SORT_LABELS = {
    **{key: _l("%(column)s, ascending", column=c) for key, c in _SORT_COLUMNS.items()},
    **{f"-{key}": _l("%(column)s, descending", column=c) for key, c in _SORT_COLUMNS.items()},
}
DEFAULT_SORT = "deadline"  # most urgent first: whoever must act sees it first
# Dates a person could mean; anything else is a typo (and 0001-01-01 minus eight
# hours is no datetime at all).
FIRST_YEAR, LAST_YEAR = 1900, 2999
Q_MAX = 100
CODE_MAX = 40


@dataclass(frozen=True)
class WorklistFilter:
    """What the worklist asks for; values already checked (see ``read_filter``)."""

    state: str = OPEN  # one of STATE_FILTERS
    channel: str = ""
    unit: str = ""  # a unit code: complained about, or working on the case
    category: str = ""  # a category code
    q: str = ""
    received_from: date | None = None  # local (Asia/Shanghai) days, both included
    received_to: date | None = None
    sort: str = DEFAULT_SORT  # a SORT_KEYS key, "-" first for descending
    carded: bool = False  # only cases with a supervision card not yet cleared

    def args(self, **changes) -> dict[str, str]:
        """Return this filter (with ``changes``) as query-string arguments, defaults left out."""
        values = asdict(replace(self, **changes))
        out = {}
        for name, value in values.items():
            if value in (None, "", False) or (name == "sort" and value == DEFAULT_SORT):
                continue
            out[name] = "1" if value is True else str(value)
        return out

    @property
    def sort_key(self) -> str:
        return self.sort.lstrip("-")

    @property
    def descending(self) -> bool:
        return self.sort.startswith("-")


def _read_day(args: Mapping, name: str, errors: dict) -> date | None:
    raw = strip_control(args.get(name), 20)
    if not raw:
        return None
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        errors[name] = _l("Not a date (YYYY-MM-DD).")
        return None
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        errors[name] = _l("Between %(low)d and %(high)d.", low=FIRST_YEAR, high=LAST_YEAR)
        return None
    return day


def _not_one_of(values, labels):
    """Say which values are accepted: by their codes in the API, their labels on a page."""
    return _l("Must be one of: %(choices)s", choices=one_of(values, labels))


def read_filter(args: Mapping, default_state: str = OPEN) -> tuple[WorklistFilter, dict]:
    """Return the filter asked for in ``args`` and a message per value left out as bad.

    The worklist shows the messages and lists without the bad values; the API refuses
    the request with them (422).
    """
    errors: dict = {}
    state = args.get("state") or default_state
    if state not in STATE_FILTERS:
        errors["state"] = _not_one_of(STATE_FILTERS, STATE_FILTER_LABELS)
        state = default_state
    channel = args.get("channel") or ""
    if channel and channel not in {c.value for c in Channel}:
        errors["channel"] = _not_one_of(list(Channel), CHANNEL_LABELS)
        channel = ""
    sort = args.get("sort") or DEFAULT_SORT
    if sort not in SORT_ORDERS:
        errors["sort"] = _not_one_of(SORT_ORDERS, SORT_LABELS)
        sort = DEFAULT_SORT
    received_from = _read_day(args, "received_from", errors)
    received_to = _read_day(args, "received_to", errors)
    if received_from and received_to and received_to < received_from:
        errors["received_to"] = _l("Must not be before the first day (%(day)s).", day=received_from)
        received_to = None
    f = WorklistFilter(
        state=state,
        channel=channel,
        unit=strip_control(args.get("unit"), CODE_MAX),
        category=strip_control(args.get("category"), CODE_MAX),
        q=strip_control(args.get("q"), Q_MAX),
        received_from=received_from,
        received_to=received_to,
        sort=sort,
        carded=args.get("carded") in ("1", "true"),
    )
    return f, errors


def _local_midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=SHANGHAI)


def _identity_match(q: str) -> sa.ColumnElement[bool]:
    """Return the condition that ``q`` names the complainant (their phone or name)."""
    conditions = [Complainant.name.icontains(q, autoescape=True)]
    phone = normalize_phone(q)
    if len(phone.lstrip("+")) >= PHONE_MIN_DIGITS:
        conditions.append(Complainant.phone_normalized.contains(phone, autoescape=True))
    return Case.complainant.has(sa.or_(*conditions))


def may_search_identity(user) -> bool:
    """Return True if ``user`` may find cases by the complainant's phone or name.

    Only those who see the complainant in full: a unit must not be able to find out
    whether a person it knows complained about it (DESIGN §8).
    """
    return may_see_identity(user)


def awaiting_sign_off_clause(user) -> sa.ColumnElement[bool]:
    """Return a WHERE clause selecting cases whose draft reply waits for ``user`` to sign off.

    The lead unit's lead signs off, or whoever stands in for them (AB岗); nobody signs
    off their own draft, so a stand-in's own draft waits for someone else.
    """
    units = {
        person.unit_id
        for person in [user, *users_backed_up_by(user)]
        if person.unit_id is not None and person.has_role(Role.UNIT_LEAD)
    }
    if not units:
        return sa.false()
    return sa.and_(
        Case.state == State.HANDLING,
        sa.exists().where(
            Assignment.case_id == Case.id,
            Assignment.unit_id.in_(units),
            Assignment.role == AssignmentRole.LEAD,
            Assignment.ended_at.is_(None),
        ),
        sa.exists().where(
            Reply.case_id == Case.id, Reply.signed_off.is_(None), Reply.author_id != user.id
        ),
    )


def may_sign_off(user) -> bool:
    """Return True if ``user`` signs off replies, as a unit lead or standing in for one."""
    return any(p.has_role(Role.UNIT_LEAD) for p in [user, *users_backed_up_by(user)])


def deadline_of_next_step() -> sa.ScalarSelect:
    """Return the due time of the clock that matters in the case's state (see STATE_CLOCKS).

    A correlated subquery, so that the deadline sorts in the database with the rest.
    Where a state names two clocks, they come in ClockKind's order, so the first
    running one is the first by kind (SQLite cannot see the case from that ORDER BY).
    """
    matches = sa.or_(
        *(
            sa.and_(Case.state == str(state), Clock.kind.in_(kinds))
            for state, kinds in STATE_CLOCKS.items()
            if kinds
        )
    )
    rank = sa.case({str(kind): i for i, kind in enumerate(ClockKind)}, value=Clock.kind)
    return (
        sa.select(Clock.due_at)
        .where(Clock.case_id == Case.id, Clock.stopped_at.is_(None), matches)
        .order_by(rank)
        .limit(1)
        .correlate(Case)
        .scalar_subquery()
    )


def _order(f: WorklistFilter) -> list:
    key = {
        "number": Case.number,
        "received": Case.created_at,
        "deadline": deadline_of_next_step(),
        # The workflow's order, not the codes' alphabet.
        "state": sa.case({s.value: i for i, s in enumerate(State)}, value=Case.state),
    }[f.sort_key]
    ordered = key.desc() if f.descending else key.asc()
    # Nothing due sorts after everything due, whichever way.
    return [sa.nulls_last(ordered), Case.id.desc()]


def worklist_select(user, f: WorklistFilter) -> sa.Select:
    """Return the SELECT of the cases ``user`` sees under ``f``, sorted, rows preloaded."""
    stmt = sa.select(Case).where(visibility_clause(user))
    if f.state == OPEN:
        stmt = stmt.where(Case.state.not_in([str(s) for s in FINAL_STATES]))
    elif f.state == SIGN_OFF:
        stmt = stmt.where(awaiting_sign_off_clause(user))
    elif f.state != ALL:
        stmt = stmt.where(Case.state == f.state)
    if f.channel:
        stmt = stmt.where(Case.channel == f.channel)
    if f.unit:
        unit_id = sa.select(Unit.id).where(Unit.code == f.unit).scalar_subquery()
        stmt = stmt.where(
            sa.or_(
                Case.respondent_unit_id == unit_id,
                sa.exists().where(
                    Assignment.case_id == Case.id,
                    Assignment.unit_id == unit_id,
                    Assignment.ended_at.is_(None),
                ),
            )
        )
    if f.category:
        category_id = sa.select(Category.id).where(Category.code == f.category).scalar_subquery()
        stmt = stmt.where(Case.category_id == category_id)
    if f.received_from:
        stmt = stmt.where(Case.created_at >= _local_midnight(f.received_from))
    if f.received_to:
        stmt = stmt.where(Case.created_at < _local_midnight(f.received_to + timedelta(days=1)))
    if f.q:
        found = [
            Case.number.icontains(f.q, autoescape=True),
            Case.title.icontains(f.q, autoescape=True),
        ]
        if may_search_identity(user):
            found.append(_identity_match(f.q))
        stmt = stmt.where(sa.or_(*found))
    if f.carded:
        stmt = stmt.where(
            sa.exists().where(
                Clock.case_id == Case.id,
                SupervisionWarning.clock_id == Clock.id,
                SupervisionWarning.cleared_at.is_(None),
            )
        )
    # Each row shows clocks, cards, units and whether a draft waits: a fixed few queries.
    return stmt.options(
        selectinload(Case.clocks),
        selectinload(Case.warnings),
        selectinload(Case.replies),
        selectinload(Case.assignments).joinedload(Assignment.unit),
        joinedload(Case.respondent_unit),
        joinedload(Case.category),
    ).order_by(*_order(f))


def log_identity_search(user, f: WorklistFilter, cases: list[Case], channel: AccessChannel):
    """Log each listed case that ``f`` found by its complainant's phone or name.

    The list shows no identity, but a search by it ties the person to these cases
    (DESIGN §8): one SELECT finds them and one batch INSERT logs them; the caller commits.
    """
    if not f.q or not cases or not may_search_identity(user):
        return
    ids = db.session.scalars(
        sa.select(Case.id).where(Case.id.in_([c.id for c in cases]), _identity_match(f.q))
    ).all()
    if ids:
        at = utcnow()
        db.session.execute(
            sa.insert(IdentityAccess),
            [
                {
                    "at": at,
                    "user_id": user.id,
                    "subject_type": "case",
                    "subject_id": case_id,
                    "channel": str(channel),
                    "what": "",
                }
                for case_id in ids
            ],
        )


def state_counts(user) -> dict[str, int]:
    """Return how many cases ``user`` sees in each state."""
    stmt = (
        sa.select(Case.state, sa.func.count()).where(visibility_clause(user)).group_by(Case.state)
    )
    return dict(db.session.execute(stmt).all())


def sign_off_count(user) -> int:
    """Return how many drafts wait for ``user``'s sign-off."""
    stmt = sa.select(sa.func.count(Case.id)).where(
        visibility_clause(user), awaiting_sign_off_clause(user)
    )
    return db.session.scalar(stmt) or 0
