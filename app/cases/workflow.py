"""The case workflow as one transition table (DESIGN §4).

The UI reads it to decide which buttons to show, the services to refuse an
illegal action, and the API to answer 409. Every state change goes through it.
"""

import enum
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l

from app.auth.models import CENTER_ROLES, UNIT_ROLES, Role
from app.core.errors import Forbidden, InvalidTransition, NotFound


class State(enum.StrEnum):
    REGISTERED = "registered"
    SCREENING = "screening"
    NOT_ACCEPTED = "not_accepted"
    INVALID = "invalid"
    MERGED = "merged"
    DISPATCHED = "dispatched"
    HANDLING = "handling"
    RETURN_REQUESTED = "return_requested"
    REPLIED = "replied"
    VISITING = "visiting"
    CLOSED = "closed"


STATE_LABELS = {
    State.REGISTERED: _l("Registered"),
    State.SCREENING: _l("Screening"),
    State.NOT_ACCEPTED: _l("Not accepted"),
    State.INVALID: _l("Invalid"),
    State.MERGED: _l("Merged"),
    State.DISPATCHED: _l("Awaiting signature"),
    State.HANDLING: _l("Handling"),
    State.RETURN_REQUESTED: _l("Return requested"),
    State.REPLIED: _l("Awaiting review"),
    State.VISITING: _l("Awaiting return visit"),
    State.CLOSED: _l("Closed"),
}

# States in which nothing more happens unless the case is reopened.
FINAL_STATES = frozenset({State.NOT_ACCEPTED, State.INVALID, State.MERGED, State.CLOSED})


class Actor(enum.StrEnum):
    """Whose turn it is, beyond holding the right role."""

    CENTER = "center"
    LEAD_UNIT = "lead_unit"  # the unit that leads the case (主办)
    ASSIST_UNIT = "assist_unit"  # an assisting unit (协办)
    SUB_UNIT = "sub_unit"  # a unit the lead passed the case down to (下派)
    INVOLVED = "involved"  # the center, or any unit working on the case


@dataclass(frozen=True)
class Transition:
    """One row: ``action`` moves a case from any of ``sources`` to ``target``.

    A ``target`` of None means "back to the state the case had before", which
    the service reads from the record of the step being undone.
    """

    action: str
    sources: frozenset[State]
    target: State | None
    roles: frozenset[Role]
    actor: Actor = Actor.CENTER
    outcome: str | None = None
    required: tuple[str, ...] = field(default=())
    # The name of a condition on the case (GUARDS) that must hold besides the state.
    guard: str | None = None


def _t(action, sources, target, roles, **kw) -> Transition:
    return Transition(action, frozenset(sources), target, frozenset(roles), **kw)


def _stay(action, states, roles, **kw) -> tuple[Transition, ...]:
    """Rows for an action that leaves the state as it is, one per state."""
    return tuple(_t(action, {state}, state, roles, **kw) for state in states)


def _decide(action, source, yes, no, roles, outcomes, flag, **kw) -> tuple[Transition, ...]:
    """The two rows of a yes/no decision read from the boolean field ``flag``."""
    return (
        _t(action, {source}, yes, roles, outcome=outcomes[0], required=(flag,), **kw),
        _t(action, {source}, no, roles, outcome=outcomes[1], required=(flag,), **kw),
    )


S = State
LEAD, ASSIST, SUB, INVOLVED = Actor.LEAD_UNIT, Actor.ASSIST_UNIT, Actor.SUB_UNIT, Actor.INVOLVED
UNIT_LEAD_ONLY = {Role.UNIT_LEAD}
OPEN_STATES = [s for s in State if s not in {S.NOT_ACCEPTED, S.INVALID, S.MERGED, S.CLOSED}]
TRANSITIONS: tuple[Transition, ...] = (
    # Screening (甄别)
    _t("screen", {S.REGISTERED}, S.SCREENING, CENTER_ROLES),
    _t("dispatch", {S.SCREENING}, S.DISPATCHED, CENTER_ROLES, required=("unit_code",)),
    _t("reject", {S.SCREENING}, S.NOT_ACCEPTED, CENTER_ROLES, required=("reason",)),
    _t("merge", {S.SCREENING}, S.MERGED, CENTER_ROLES, required=("case_id",)),
    _t("invalidate", {S.SCREENING}, S.INVALID, CENTER_ROLES, required=("reason",)),
    _t("resolve_directly", {S.SCREENING}, S.CLOSED, CENTER_ROLES, required=("text",)),
    *_stay("classify", [S.REGISTERED, S.SCREENING], CENTER_ROLES),
    # The lead unit's work
    _t("sign", {S.DISPATCHED}, S.HANDLING, UNIT_ROLES, actor=LEAD),
    _t(
        "reply",
        {S.HANDLING},
        S.REPLIED,
        UNIT_LEAD_ONLY,
        actor=LEAD,
        outcome="direct",
        required=("text", "finding"),
    ),
    # A handler's reply waits for the unit lead's sign-off (the state does not move yet).
    _t(
        "reply",
        {S.HANDLING},
        S.HANDLING,
        {Role.HANDLER},
        actor=LEAD,
        outcome="draft",
        required=("text", "finding"),
    ),
    *_decide(
        "sign_off",
        S.HANDLING,
        S.REPLIED,
        S.HANDLING,
        UNIT_LEAD_ONLY,
        ("approve", "reject"),
        "approve",
        actor=LEAD,
    ),
    _t(
        "request_extension",
        {S.HANDLING},
        S.HANDLING,
        UNIT_ROLES,
        actor=LEAD,
        required=("days", "reason"),
    ),
    _t("sub_dispatch", {S.HANDLING}, S.HANDLING, UNIT_ROLES, actor=LEAD, required=("unit_code",)),
    _t(
        "request_return",
        {S.DISPATCHED, S.HANDLING},
        S.RETURN_REQUESTED,
        UNIT_ROLES,
        actor=LEAD,
        required=("reason",),
    ),
    # Other units' part
    *_stay("contribute", [S.DISPATCHED, S.HANDLING], UNIT_ROLES, actor=ASSIST, required=("text",)),
    _t("sub_reply", {S.HANDLING}, S.HANDLING, UNIT_ROLES, actor=SUB, required=("text",)),
    # The center's decisions
    *_decide(
        "decide_extension",
        S.HANDLING,
        S.HANDLING,
        S.HANDLING,
        CENTER_ROLES,
        ("approve", "deny"),
        "approve",
    ),
    # A denied return goes back to the state the case had before the request (None).
    *_decide(
        "decide_return",
        S.RETURN_REQUESTED,
        S.SCREENING,
        None,
        CENTER_ROLES,
        ("approve", "deny"),
        "approve",
    ),
    *_decide(
        "review", S.REPLIED, S.VISITING, S.HANDLING, CENTER_ROLES, ("pass", "send_back"), "pass"
    ),
    _t(
        "visit",
        {S.VISITING},
        S.CLOSED,
        CENTER_ROLES,
        outcome="close",
        required=("satisfaction", "resolved"),
    ),
    _t(
        "visit",
        {S.VISITING},
        S.HANDLING,
        CENTER_ROLES,
        outcome="redo",
        required=("satisfaction", "resolved"),
    ),
    _t("reopen", {S.CLOSED}, S.SCREENING, {Role.CENTER_LEAD}, required=("reason",)),
    # Rectification (整改) is reported whatever the state, while its clock runs.
    *_stay(
        "report_rectification",
        list(State),
        UNIT_ROLES,
        actor=LEAD,
        required=("text",),
        guard="rectification_due",
    ),
    # A supervision order (督办单) is answered by the lead unit, by its own deadline.
    *_stay(
        "answer_order",
        list(State),
        UNIT_ROLES,
        actor=LEAD,
        required=("text",),
        guard="order_unanswered",
    ),
    # Anyone working on an open case may comment; the other side is told.
    *_stay("comment", OPEN_STATES, CENTER_ROLES | UNIT_ROLES, actor=INVOLVED, required=("text",)),
)

ACTIONS = tuple(dict.fromkeys(t.action for t in TRANSITIONS))

ACTION_LABELS = {
    "screen": _l("Start screening"),
    "classify": _l("Classify"),
    "dispatch": _l("Dispatch"),
    "reject": _l("Not accepted"),
    "merge": _l("Merge into another case"),
    "invalidate": _l("Mark invalid"),
    "resolve_directly": _l("Answer directly"),
    "sign": _l("Sign for"),
    "sign_off": _l("Sign off the reply"),
    "request_extension": _l("Request extension"),
    "decide_extension": _l("Decide extension"),
    "sub_dispatch": _l("Pass down to a unit below"),
    "sub_reply": _l("Reply to the lead unit"),
    "contribute": _l("Give assisting input"),
    "comment": _l("Comment"),
    "request_return": _l("Request return"),
    "decide_return": _l("Decide return request"),
    "reply": _l("Reply"),
    "review": _l("Review reply"),
    "visit": _l("Record return visit"),
    "reopen": _l("Reopen"),
    "report_rectification": _l("Report rectification"),
    "answer_order": _l("Answer the supervision order"),
}

# Conditions a row may need besides the state, with the refusal shown when they fail.
GUARDS = {
    "rectification_due": (
        lambda case: case.open_clock("rectify") is not None,
        _l("No rectification is due on this case."),
    ),
    "order_unanswered": (
        lambda case: unanswered_order(case) is not None,
        _l("No supervision order on this case waits for an answer."),
    ),
}


def unanswered_order(case):
    """Return the earliest supervision order of ``case`` not answered yet, if any."""
    return next(
        (n for n in case.notices if n.notice_kind == "order" and n.responded_at is None), None
    )


def _guard_holds(case, transition: "Transition") -> bool:
    return transition.guard is None or GUARDS[transition.guard][0](case)


def transitions_for(action: str) -> list[Transition]:
    """Return every row of the table for ``action``."""
    return [t for t in TRANSITIONS if t.action == action]


def _unit_roles_on(case, unit_ids: set[int]) -> set[str]:
    return {a.role for a in case.active_assignments if a.unit_id in unit_ids}


def _fits(case, person, transition: Transition) -> bool:
    """Return True if ``person`` by themselves holds the role and the unit the row needs."""
    if not person.has_role(*transition.roles):
        return False
    if transition.actor is Actor.CENTER:
        return True
    roles = _unit_roles_on(case, {person.unit_id} if person.unit_id else set())
    if transition.actor is Actor.LEAD_UNIT:
        return "lead" in roles
    if transition.actor is Actor.ASSIST_UNIT:
        return "assist" in roles
    if transition.actor is Actor.SUB_UNIT:
        return "sub" in roles
    return person.has_role(*CENTER_ROLES) or bool(roles)


def acting_as(case, user, transition: Transition):
    """Return who ``user`` acts as for this row: themselves, an away colleague, or None.

    Under the AB post rule (AB岗) the backup of a colleague who is away does that
    colleague's work, with that colleague's role and unit.
    """
    if _fits(case, user, transition):
        return user
    for colleague in backed_up_users(user):
        if _fits(case, colleague, transition):
            return colleague
    return None


def backed_up_users(user) -> list:
    """Return the users who are away now and have ``user`` as their backup (AB岗)."""
    from app.auth.services import users_backed_up_by

    return users_backed_up_by(user)


def _may_hold(user, roles) -> bool:
    return user.has_role(*roles) or any(c.has_role(*roles) for c in backed_up_users(user))


def check_transition(case, action: str, user, outcome: str | None = None) -> Transition:
    """Return the table row that lets ``user`` do ``action`` now, or raise.

    The order of checks decides the answer: an unknown action is 404, a role
    that never does this action is 403, the wrong state is 409, and acting for
    a unit that has no such part in the case is 403.
    """
    rows = transitions_for(action)
    if not rows:
        raise NotFound(_l("Unknown action: %(action)s", action=action))
    if not any(_may_hold(user, t.roles) for t in rows):
        raise Forbidden(_l("Your role may not do this."))
    state = State(case.state)
    in_state = [t for t in rows if state in t.sources and (outcome is None or t.outcome == outcome)]
    if not in_state:
        raise InvalidTransition(
            _l(
                "This action is not allowed while the case is “%(state)s”.",
                state=STATE_LABELS[state],
            )
        )
    guarded = [t for t in in_state if _guard_holds(case, t)]
    if not guarded:
        raise InvalidTransition(GUARDS[in_state[0].guard][1])
    in_state = guarded
    # Acting in one's own capacity comes first; standing in for an away colleague second.
    for t in in_state:
        if _fits(case, user, t):
            return t
    for t in in_state:
        if acting_as(case, user, t) is not None:
            return t
    raise Forbidden(_l("Your unit has no such part in this case."))


def allowed_actions(case, user) -> list[str]:
    """Return the actions ``user`` may take on ``case`` now, in table order."""
    state = State(case.state)
    allowed = []
    for t in TRANSITIONS:
        if (
            state in t.sources
            and t.action not in allowed
            and _guard_holds(case, t)
            and acting_as(case, user, t)
        ):
            allowed.append(t.action)
    return allowed
