"""The case workflow as one transition table (DESIGN §4).

The UI reads it to decide which buttons to show, the services to refuse an
illegal action, and the API to answer 409. Every state change goes through it.
"""

import enum

from flask import current_app
from flask_babel import lazy_gettext as _l

from app.auth.models import CENTER_ROLES, UNIT_ROLES, Role
from app.core.labels import register_labels
from app.core.workflow import SYSTEM, Guard, Transition, Workflow, decide, row, stay
from app.units.services import units_below


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


STATE_LABELS = register_labels(
    "state",
    {
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
    },
)

# States in which nothing more happens unless the case is reopened.
FINAL_STATES = frozenset({State.NOT_ACCEPTED, State.INVALID, State.MERGED, State.CLOSED})

# What a case in handling shows while a handler's draft waits for the unit lead: the
# state does not move until the sign-off, but the next step is the lead's, not the unit's.
AWAITING_SIGN_OFF = "awaiting_sign_off"
STATUS_LABELS = register_labels(
    "status", {**STATE_LABELS, AWAITING_SIGN_OFF: _l("Awaiting the unit lead's sign-off")}
)

# The clock that matters in each state: whoever must act next is timed by it. Where
# two may run (a return asked before signing), the first running one counts. A case
# awaiting the center's review runs no clock; a rectification outlives the case.
STATE_CLOCKS: dict[str, tuple[str, ...]] = {
    State.REGISTERED: ("screen",),
    State.SCREENING: ("screen",),
    State.DISPATCHED: ("sign", "handle"),
    State.HANDLING: ("handle",),
    State.RETURN_REQUESTED: ("sign", "handle"),
    State.REPLIED: (),
    State.VISITING: ("visit", "rectify"),
    **{state: ("rectify",) for state in FINAL_STATES},
}

# Actions that answer something waiting for this very person (a draft, a request, a
# reply): offered first and open on the case page, before anything they could start.
ANSWERING_ACTIONS = ("sign_off", "decide_extension", "decide_return", "review", "answer_order")
# The steps a case waits for someone to take (the others, a comment or a request, may be
# taken at any time and wait for nobody): the case page names them as the reader's next step.
NEXT_STEPS = frozenset(
    {*ANSWERING_ACTIONS, "screen", "classify", "dispatch", "sign", "reply", "contribute"}
    | {"sub_reply", "visit"}
)


class Turn(enum.StrEnum):
    """Whose turn a row is, beyond holding the right role."""

    CENTER = "center"
    LEAD_UNIT = "lead_unit"  # the unit that leads the case (主办)
    ASSIST_UNIT = "assist_unit"  # an assisting unit (协办)
    SUB_UNIT = "sub_unit"  # a unit the lead passed the case down to (下派)
    INVOLVED = "involved"  # the center, or any unit working on the case


# Actions that add to a case without changing it: they neither check nor bump its
# version, so they never conflict with one another or with a change of the case.
ADDITIVE_ACTIONS = frozenset({"comment"})

_t, _stay, _decide = row, stay, decide
S = State
LEAD, ASSIST, SUB, INVOLVED = Turn.LEAD_UNIT, Turn.ASSIST_UNIT, Turn.SUB_UNIT, Turn.INVOLVED
UNIT_LEAD_ONLY = {Role.UNIT_LEAD}
OPEN_STATES = [s for s in State if s not in {S.NOT_ACCEPTED, S.INVALID, S.MERGED, S.CLOSED}]
TRANSITIONS: tuple[Transition, ...] = (
    # Screening (甄别)
    # Intake moves a new case into screening by itself: the system's one row.
    _t("screen", {S.REGISTERED}, S.SCREENING, CENTER_ROLES | {SYSTEM.role}),
    _t("dispatch", {S.SCREENING}, S.DISPATCHED, CENTER_ROLES),
    _t("reject", {S.SCREENING}, S.NOT_ACCEPTED, CENTER_ROLES),
    _t("merge", {S.SCREENING}, S.MERGED, CENTER_ROLES),
    _t("invalidate", {S.SCREENING}, S.INVALID, CENTER_ROLES),
    _t("resolve_directly", {S.SCREENING}, S.CLOSED, CENTER_ROLES),
    *_stay("classify", [S.REGISTERED, S.SCREENING], CENTER_ROLES),
    # The lead unit's work
    _t("sign", {S.DISPATCHED}, S.HANDLING, UNIT_ROLES, turn=LEAD),
    _t(
        "reply",
        {S.HANDLING},
        S.REPLIED,
        UNIT_LEAD_ONLY,
        turn=LEAD,
        outcome="direct",
    ),
    # A handler's reply waits for the unit lead's sign-off (the state does not move yet).
    _t(
        "reply",
        {S.HANDLING},
        S.HANDLING,
        {Role.HANDLER},
        turn=LEAD,
        outcome="draft",
        guard="no_reply_pending",
    ),
    *_decide(
        "sign_off",
        S.HANDLING,
        S.REPLIED,
        S.HANDLING,
        UNIT_LEAD_ONLY,
        ("approve", "reject"),
        turn=LEAD,
        guard=("reply_pending", "not_own_reply"),
    ),
    _t(
        "request_extension",
        {S.HANDLING},
        S.HANDLING,
        UNIT_ROLES,
        turn=LEAD,
        guard=("no_extension_pending", "extension_left"),
    ),
    _t("sub_dispatch", {S.HANDLING}, S.HANDLING, UNIT_ROLES, turn=LEAD, guard="unit_below"),
    _t(
        "request_return",
        {S.DISPATCHED, S.HANDLING},
        S.RETURN_REQUESTED,
        UNIT_ROLES,
        turn=LEAD,
    ),
    # Whoever asked (or stands in for them) may take a request back before it is decided.
    _t(
        "withdraw_extension",
        {S.HANDLING},
        S.HANDLING,
        UNIT_ROLES,
        turn=LEAD,
        guard=("extension_pending", "own_extension"),
    ),
    # A withdrawn return goes back to the state the case had before the request (None).
    _t(
        "withdraw_return",
        {S.RETURN_REQUESTED},
        None,
        UNIT_ROLES,
        turn=LEAD,
        guard=("return_pending", "own_return"),
    ),
    # Other units' part
    *_stay("contribute", [S.DISPATCHED, S.HANDLING], UNIT_ROLES, turn=ASSIST),
    _t("sub_reply", {S.HANDLING}, S.HANDLING, UNIT_ROLES, turn=SUB),
    # The center's decisions
    *_decide(
        "decide_extension",
        S.HANDLING,
        S.HANDLING,
        S.HANDLING,
        CENTER_ROLES,
        ("approve", "deny"),
        guard="extension_pending",
    ),
    # A denied return goes back to the state the case had before the request (None).
    *_decide(
        "decide_return",
        S.RETURN_REQUESTED,
        S.SCREENING,
        None,
        CENTER_ROLES,
        ("approve", "deny"),
    ),
    *_decide("review", S.REPLIED, S.VISITING, S.HANDLING, CENTER_ROLES, ("pass", "send_back")),
    _t(
        "visit",
        {S.VISITING},
        S.CLOSED,
        CENTER_ROLES,
        outcome="close",
    ),
    _t(
        "visit",
        {S.VISITING},
        S.HANDLING,
        CENTER_ROLES,
        outcome="redo",
    ),
    _t("reopen", {S.CLOSED}, S.SCREENING, {Role.CENTER_LEAD}),
    # Rectification (整改) is reported whatever the state, while its clock runs.
    *_stay(
        "report_rectification",
        list(State),
        UNIT_ROLES,
        turn=LEAD,
        guard="rectification_due",
    ),
    # A supervision order (督办单) is answered by the lead unit, by its own deadline.
    *_stay(
        "answer_order",
        list(State),
        UNIT_ROLES,
        turn=LEAD,
        guard="order_unanswered",
    ),
    # Anyone working on an open case may comment; the other side is told.
    *_stay("comment", OPEN_STATES, CENTER_ROLES | UNIT_ROLES, turn=INVOLVED),
)

ACTION_LABELS = register_labels(
    "action",
    {
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
        "withdraw_extension": _l("Withdraw the extension request"),
        "withdraw_return": _l("Withdraw the return request"),
        "decide_return": _l("Decide return request"),
        "reply": _l("Reply"),
        "review": _l("Review reply"),
        "visit": _l("Record return visit"),
        "reopen": _l("Reopen"),
        "report_rectification": _l("Report rectification"),
        "answer_order": _l("Answer the supervision order"),
    },
)


# How each action reads on the timeline (the trail records more than table actions).
EVENT_LABELS = register_labels(
    "event",
    {
        "register": _l("Registered"),
        "screen": _l("Screening started"),
        "classify": _l("Classified"),
        "name_staff": _l("Staff records named"),
        "staff_merged": _l("Staff entry merged on the list"),
        "correspondence": _l("E-mail received"),
        "dispatch": _l("Dispatched"),
        "reject": _l("Not accepted"),
        "merge": _l("Merged"),
        "invalidate": _l("Marked invalid"),
        "resolve_directly": _l("Answered directly"),
        "merged_in": _l("A duplicate was merged in"),
        "sign": _l("Signed for"),
        "sign_off": _l("Reply signed off"),
        "request_extension": _l("Extension requested"),
        "decide_extension": _l("Extension decided"),
        "sub_dispatch": _l("Passed down"),
        "sub_reply": _l("Reply from the unit below"),
        "contribute": _l("Assisting input"),
        "comment": _l("Comment"),
        "request_return": _l("Return requested"),
        "withdraw_extension": _l("Extension request withdrawn"),
        "withdraw_return": _l("Return request withdrawn"),
        "extension_lapsed": _l("Extension request lapsed"),
        "return_request_lapsed": _l("Return request lapsed"),
        "reply_lapsed": _l("Draft reply lapsed"),
        "decide_return": _l("Return request decided"),
        "reply": _l("Replied"),
        "review": _l("Reply reviewed"),
        "visit": _l("Return visit"),
        "reopen": _l("Reopened"),
        "deadline_recomputed": _l("Deadline recomputed after a calendar change"),
        "report_rectification": _l("Rectification reported"),
        "answer_order": _l("Supervision order answered"),
    },
)


def pending_reply(case):
    """Return a handler's reply still waiting for the unit lead's sign-off, if any."""
    return next(
        (r for r in reversed(case.replies) if r.signed_off is None and r.ended_at is None), None
    )


def case_status(case) -> str:
    """Return the case's state as its next actor sees it (``STATUS_LABELS`` names it).

    Reads ``case.replies``: load them with the case when listing many.
    """
    if case.state == State.HANDLING and pending_reply(case) is not None:
        return AWAITING_SIGN_OFF
    return case.state


def clock_that_matters(case):
    """Return the running clock that times the next step of ``case`` now, if any."""
    for kind in STATE_CLOCKS.get(case.state, ()):
        clock = case.open_clock(kind)
        if clock is not None:
            return clock
    return None


def _max_extensions() -> int:
    return current_app.config["MAX_EXTENSIONS"]


def pending_extension(case):
    """Return the extension request still waiting for the center's decision, if any."""
    return next((e for e in case.extensions if e.approved is None and e.ended_at is None), None)


def pending_return(case):
    """Return the return request still waiting for the center's decision, if any."""
    return next(
        (r for r in case.return_requests if r.approved is None and r.ended_at is None), None
    )


def _asked_by(request, actor) -> bool:
    """Return True if ``actor`` made ``request`` or stands in for whoever did (AB岗)."""
    if request is None or getattr(actor, "id", None) is None:
        return False
    return request.requested_by_id == actor.id or any(
        colleague.id == request.requested_by_id for colleague in _stand_ins(actor)
    )


def pass_down_units(case) -> list:
    """Return the units the lead unit may pass ``case`` down to now: below it, not on it yet."""
    lead = case.lead_assignment
    if lead is None:
        return []
    busy = {a.unit_id for a in case.active_assignments}
    return [u for u in units_below(lead.unit) if u.id not in busy]


def unanswered_order(case):
    """Return the earliest supervision order of ``case`` not answered yet, if any."""
    return next(
        (n for n in case.notices if n.notice_kind == "order" and n.responded_at is None), None
    )


# Conditions a row may need besides the state, with the refusal shown when they fail.
GUARDS = {
    "reply_pending": Guard(
        lambda case: pending_reply(case) is not None, _l("No reply is waiting for sign-off.")
    ),
    # Nobody approves their own work: a handler standing in for the lead included (AB岗).
    "not_own_reply": Guard(
        lambda case, actor: getattr(pending_reply(case), "author_id", None) != actor.id,
        _l("Nobody signs off a reply they wrote; another unit lead or stand-in must."),
        about_actor=True,
    ),
    "no_reply_pending": Guard(
        lambda case: pending_reply(case) is None,
        _l("A reply already waits for the unit lead's sign-off."),
    ),
    "extension_pending": Guard(
        lambda case: pending_extension(case) is not None,
        _l("No extension request is waiting for a decision."),
    ),
    "no_extension_pending": Guard(
        lambda case: pending_extension(case) is None,
        _l("An extension request is already waiting for a decision."),
    ),
    "own_extension": Guard(
        lambda case, actor: _asked_by(pending_extension(case), actor),
        _l("Only whoever asked for the extension may withdraw it."),
        about_actor=True,
    ),
    "return_pending": Guard(
        lambda case: pending_return(case) is not None,
        _l("No return request is waiting for a decision."),
    ),
    "own_return": Guard(
        lambda case, actor: _asked_by(pending_return(case), actor),
        _l("Only whoever asked for the return may withdraw it."),
        about_actor=True,
    ),
    "extension_left": Guard(
        lambda case: sum(1 for e in case.extensions if e.approved) < _max_extensions(),
        _l("No more extensions are allowed on this case."),
    ),
    "unit_below": Guard(
        lambda case: bool(pass_down_units(case)),
        _l("No unit below the lead unit can take this case."),
    ),
    "rectification_due": Guard(
        lambda case: case.open_clock("rectify") is not None,
        _l("No rectification is due on this case."),
    ),
    "order_unanswered": Guard(
        lambda case: unanswered_order(case) is not None,
        _l("No supervision order on this case waits for an answer."),
    ),
}


def fits(case, person, transition: Transition) -> bool:
    """Return True if ``person``'s unit has the part in ``case`` that the row's turn needs."""
    if transition.turn in (Turn.CENTER, "any"):
        return True
    roles = {a.role for a in case.active_assignments if a.unit_id == person.unit_id}
    if transition.turn == Turn.LEAD_UNIT:
        return "lead" in roles
    if transition.turn == Turn.ASSIST_UNIT:
        return "assist" in roles
    if transition.turn == Turn.SUB_UNIT:
        return "sub" in roles
    return person.has_role(*CENTER_ROLES) or bool(roles)


def _stand_ins(actor) -> list:
    """Return the away colleagues ``actor`` backs up (AB岗): their work is theirs too."""
    from app.auth.services import users_backed_up_by

    return users_backed_up_by(actor) if getattr(actor, "id", None) is not None else []


CASE_WORKFLOW = Workflow(
    subject_type="case",
    states=State,
    state_labels=STATE_LABELS,
    transitions=TRANSITIONS,
    action_labels=ACTION_LABELS,
    fits=fits,
    guards=GUARDS,
    stand_ins=_stand_ins,
)
ACTIONS = CASE_WORKFLOW.actions


def transitions_for(action: str) -> list[Transition]:
    """Return every row of the table for ``action``."""
    return CASE_WORKFLOW.rows(action)


def check_transition(case, action: str, user, outcome: str | None = None) -> Transition:
    """Return the table row that lets ``user`` do ``action`` on ``case`` now, or raise."""
    return CASE_WORKFLOW.check(case, action, user, outcome)


def allowed_actions(case, user) -> list[str]:
    """Return the actions ``user`` may take on ``case`` now, in table order."""
    return CASE_WORKFLOW.allowed(case, user)


def acting_as(case, user, transition: Transition):
    """Return whom ``user`` acts as for this row: themselves, an away colleague, or None."""
    return CASE_WORKFLOW.acting_as(case, user, transition)
