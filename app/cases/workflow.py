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
    """Whose turn it is: the center, or the unit that leads the case."""

    CENTER = "center"
    LEAD_UNIT = "lead_unit"


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


def _t(action, sources, target, roles, **kw) -> Transition:
    return Transition(action, frozenset(sources), target, frozenset(roles), **kw)


S = State
TRANSITIONS: tuple[Transition, ...] = (
    _t("screen", {S.REGISTERED}, S.SCREENING, CENTER_ROLES),
    _t("dispatch", {S.SCREENING}, S.DISPATCHED, CENTER_ROLES, required=("unit_code",)),
    _t("reject", {S.SCREENING}, S.NOT_ACCEPTED, CENTER_ROLES, required=("reason",)),
    _t("merge", {S.SCREENING}, S.MERGED, CENTER_ROLES, required=("case_id",)),
    _t("invalidate", {S.SCREENING}, S.INVALID, CENTER_ROLES, required=("reason",)),
    _t("resolve_directly", {S.SCREENING}, S.CLOSED, CENTER_ROLES, required=("text",)),
    # Classifying keeps the state: the operator sets or corrects unit and category.
    _t("classify", {S.REGISTERED}, S.REGISTERED, CENTER_ROLES),
    _t("classify", {S.SCREENING}, S.SCREENING, CENTER_ROLES),
    _t("sign", {S.DISPATCHED}, S.HANDLING, UNIT_ROLES, actor=Actor.LEAD_UNIT),
    _t(
        "reply",
        {S.HANDLING},
        S.REPLIED,
        UNIT_ROLES,
        actor=Actor.LEAD_UNIT,
        required=("text", "finding"),
    ),
    _t(
        "request_return",
        {S.DISPATCHED, S.HANDLING},
        S.RETURN_REQUESTED,
        UNIT_ROLES,
        actor=Actor.LEAD_UNIT,
        required=("reason",),
    ),
    _t(
        "decide_return",
        {S.RETURN_REQUESTED},
        S.SCREENING,
        CENTER_ROLES,
        outcome="approve",
        required=("approve",),
    ),
    _t(
        "decide_return",
        {S.RETURN_REQUESTED},
        None,
        CENTER_ROLES,
        outcome="deny",
        required=("approve",),
    ),
    _t("review", {S.REPLIED}, S.VISITING, CENTER_ROLES, outcome="pass", required=("pass",)),
    _t("review", {S.REPLIED}, S.HANDLING, CENTER_ROLES, outcome="send_back", required=("pass",)),
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
    "request_return": _l("Request return"),
    "decide_return": _l("Decide return request"),
    "reply": _l("Reply"),
    "review": _l("Review reply"),
    "visit": _l("Record return visit"),
    "reopen": _l("Reopen"),
}


def transitions_for(action: str) -> list[Transition]:
    """Return every row of the table for ``action``."""
    return [t for t in TRANSITIONS if t.action == action]


def is_actor(case, user, transition: Transition) -> bool:
    """Return True if ``user`` acts for the side whose turn the transition is."""
    if transition.actor is Actor.LEAD_UNIT:
        lead = case.lead_assignment
        return lead is not None and user.unit_id == lead.unit_id
    return True


def check_transition(case, action: str, user, outcome: str | None = None) -> Transition:
    """Return the table row that lets ``user`` do ``action`` now, or raise.

    The order of checks decides the answer: an unknown action is 404, a role
    that never does this action is 403, the wrong state is 409, and acting for
    a unit that does not lead the case is 403.
    """
    rows = transitions_for(action)
    if not rows:
        raise NotFound(_l("Unknown action: %(action)s", action=action))
    if not any(user.has_role(*t.roles) for t in rows):
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
    for t in in_state:
        if user.has_role(*t.roles) and is_actor(case, user, t):
            return t
    raise Forbidden(_l("Your unit does not lead this case."))


def allowed_actions(case, user) -> list[str]:
    """Return the actions ``user`` may take on ``case`` now, in table order."""
    state = State(case.state)
    allowed = []
    for t in TRANSITIONS:
        if (
            state in t.sources
            and t.action not in allowed
            and user.has_role(*t.roles)
            and is_actor(case, user, t)
        ):
            allowed.append(t.action)
    return allowed
