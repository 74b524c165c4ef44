"""The accountability case as one transition table on the shared engine (DESIGN §7).

The inspectors of the deciding discipline office work a case; the head of that office
approves or sends back what they propose and decides appeals. Decisions are per
subject (a person or a unit), and the steps that concern one decision (service, an
appeal, its execution) move the case on once every decision has taken them.
"""

import enum

from flask_babel import lazy_gettext as _l

from app.auth.models import INSPECTOR_ROLES, Role
from app.core.labels import register_labels
from app.core.workflow import SYSTEM, Guard, Transition, Workflow, row, stay


class AccState(enum.StrEnum):
    REGISTERED = "registered"
    VERIFYING = "verifying"
    PROPOSED = "proposed"
    APPROVED = "approved"
    ISSUED = "issued"
    SERVED = "served"
    APPEALED = "appealed"
    EXECUTING = "executing"
    CLOSED = "closed"
    NO_ACTION = "closed_no_action"


ACC_STATE_LABELS = register_labels(
    "acc_state",
    {
        AccState.REGISTERED: _l("Registered"),
        AccState.VERIFYING: _l("Verifying"),
        AccState.PROPOSED: _l("Proposal awaiting approval"),
        AccState.APPROVED: _l("Approved"),
        AccState.ISSUED: _l("Issued"),
        AccState.SERVED: _l("Served"),
        AccState.APPEALED: _l("Under appeal"),
        AccState.EXECUTING: _l("Executing"),
        AccState.CLOSED: _l("Closed"),
        AccState.NO_ACTION: _l("Closed without accountability"),
    },
)

FINAL_ACC_STATES = frozenset({AccState.CLOSED, AccState.NO_ACTION})
OPEN_ACC_STATES = tuple(s for s in AccState if s not in FINAL_ACC_STATES)


class AccTurn(enum.StrEnum):
    ORGAN = "organ"  # the staff of the deciding discipline office


HEAD = frozenset({Role.DISCIPLINE_HEAD})
S = AccState
_SYSTEM = frozenset({SYSTEM.role})

TRANSITIONS: tuple[Transition, ...] = (
    row("verify", {S.REGISTERED}, S.VERIFYING, INSPECTOR_ROLES, turn=AccTurn.ORGAN),
    # While verifying: facts, the person's statement (陈述申辩), the drafts per subject.
    *stay("request_statement", [S.VERIFYING], INSPECTOR_ROLES, turn=AccTurn.ORGAN, guard="no_ask"),
    *stay("record_statement", [S.VERIFYING], INSPECTOR_ROLES, turn=AccTurn.ORGAN, guard="asked"),
    *stay("draft_decision", [S.VERIFYING], INSPECTOR_ROLES, turn=AccTurn.ORGAN),
    *stay("add_subject", [S.VERIFYING], INSPECTOR_ROLES, turn=AccTurn.ORGAN),
    *stay(
        "remove_subject",
        [S.VERIFYING],
        INSPECTOR_ROLES,
        turn=AccTurn.ORGAN,
        guard="several_subjects",
    ),
    row(
        "propose",
        {S.VERIFYING},
        S.PROPOSED,
        INSPECTOR_ROLES,
        turn=AccTurn.ORGAN,
        guard="drafts_complete",
    ),
    # The head decides what was proposed; nobody approves their own proposal.
    row("send_back", {S.PROPOSED}, S.VERIFYING, HEAD, turn=AccTurn.ORGAN),
    row(
        "approve",
        {S.PROPOSED},
        S.APPROVED,
        HEAD,
        turn=AccTurn.ORGAN,
        guard=("bases_in_force", "not_own_proposal"),
    ),
    row("no_action", {S.VERIFYING}, S.NO_ACTION, INSPECTOR_ROLES, turn=AccTurn.ORGAN),
    row("no_action", {S.PROPOSED}, S.NO_ACTION, HEAD, turn=AccTurn.ORGAN),
    # The job that renders the notices issues the case once every one is ready.
    row(
        "issue",
        {S.APPROVED},
        S.ISSUED,
        INSPECTOR_ROLES | _SYSTEM,
        turn=AccTurn.ORGAN,
        guard="documents_ready",
    ),
    # Service (送达) is per decision: the case is served when the last one is.
    row("serve", {S.ISSUED}, None, INSPECTOR_ROLES, turn=AccTurn.ORGAN),
    # An appeal does not suspend execution: it may come while executing too.
    row(
        "file_appeal",
        {S.SERVED, S.EXECUTING},
        S.APPEALED,
        INSPECTOR_ROLES,
        turn=AccTurn.ORGAN,
        guard="appealable",
    ),
    row("decide_appeal", {S.APPEALED}, None, HEAD, turn=AccTurn.ORGAN),
    row(
        "start_execution",
        {S.SERVED},
        S.EXECUTING,
        INSPECTOR_ROLES,
        turn=AccTurn.ORGAN,
        guard="has_requirements",
    ),
    # An appeal does not suspend execution: it starts while the appeal waits, too.
    *stay(
        "start_execution",
        [S.APPEALED],
        INSPECTOR_ROLES,
        turn=AccTurn.ORGAN,
        guard="has_requirements",
    ),
    *stay(
        "record_execution",
        [S.EXECUTING, S.APPEALED],
        INSPECTOR_ROLES,
        turn=AccTurn.ORGAN,
        guard="unexecuted",
    ),
    row(
        "close",
        {S.SERVED, S.EXECUTING},
        S.CLOSED,
        INSPECTOR_ROLES,
        turn=AccTurn.ORGAN,
        guard="closable",
    ),
)

ACC_ACTION_LABELS = register_labels(
    "acc_action",
    {
        "verify": _l("Start verifying"),
        "request_statement": _l("Ask for a statement"),
        "record_statement": _l("Record the statement"),
        "draft_decision": _l("Draft a decision"),
        "add_subject": _l("Add a subject"),
        "remove_subject": _l("Remove a subject"),
        "propose": _l("Propose for approval"),
        "send_back": _l("Send back"),
        "approve": _l("Approve"),
        "no_action": _l("Close without accountability"),
        "issue": _l("Issue"),
        "serve": _l("Record service"),
        "file_appeal": _l("Record an appeal"),
        "decide_appeal": _l("Decide the appeal"),
        "start_execution": _l("Start execution"),
        "record_execution": _l("Record execution"),
        "close": _l("Close"),
    },
)

# How the trail reads besides the table's actions.
ACC_EVENT_LABELS = register_labels(
    "acc_event",
    {
        **ACC_ACTION_LABELS,
        "register": _l("Registered from a referral"),
        "referral_joined": _l("A referral joined the case"),
        "deadline_recomputed": _l("Deadline recomputed after a calendar change"),
        "overdue": _l("Deadline passed"),
    },
)

# The steps the case waits for; the others add to it.
ACC_NEXT_STEPS = frozenset(
    {"verify", "propose", "approve", "issue", "serve", "decide_appeal", "close"}
    | {"record_statement", "record_execution", "start_execution"}
)
# Which step the case page opens first, when several are possible: what someone waits for,
# then what moves the case on, then what adds to it.
ACC_PRIMARY_ORDER = (
    "approve",
    "decide_appeal",
    "issue",
    "serve",
    "record_execution",
    "start_execution",
    "close",
    "propose",
    "verify",
    "record_statement",
    "draft_decision",
)


def _statement_asked(case) -> bool:
    return case.statement_due_at is not None


def _drafts_complete(case) -> bool:
    return bool(case.decisions) and all(d.complete for d in case.decisions)


def _not_own_proposal(case, actor) -> bool:
    return case.proposed_by_id != actor.id


def _documents_ready(case) -> bool:
    return bool(case.decisions) and all(d.document_ready for d in case.decisions)


def _appealable(case) -> bool:
    return any(d.appeal_open for d in case.decisions)


def _has_requirements(case) -> bool:
    return any(d.execution_due_at is None and d.execution_days for d in case.live_decisions)


def _unexecuted(case) -> bool:
    return any(d.awaits_execution for d in case.decisions)


def _closable(case) -> bool:
    return not any(d.awaits_execution or d.appeal_window_open for d in case.decisions)


def _bases_in_force(case) -> bool:
    return all(b.active for d in case.live_decisions for b in d.bases)


GUARDS = {
    "bases_in_force": Guard(
        _bases_in_force,
        _l("A draft cites a legal basis no longer in force: send it back to be redrafted."),
    ),
    "several_subjects": Guard(
        lambda case: len(case.decisions) > 1, _l("A case keeps at least one subject.")
    ),
    "no_ask": Guard(
        lambda case: not _statement_asked(case), _l("A statement has already been asked for.")
    ),
    "asked": Guard(_statement_asked, _l("No statement has been asked for yet.")),
    "drafts_complete": Guard(
        _drafts_complete,
        _l("Every subject needs a draft decision with a form, facts and a legal basis."),
    ),
    "not_own_proposal": Guard(
        _not_own_proposal, _l("Nobody approves their own proposal."), about_actor=True
    ),
    "documents_ready": Guard(_documents_ready, _l("The notices are not rendered yet.")),
    "appealable": Guard(_appealable, _l("No decision is within its appeal period.")),
    "has_requirements": Guard(_has_requirements, _l("No decision requires execution.")),
    "unexecuted": Guard(_unexecuted, _l("No decision waits for its execution.")),
    "closable": Guard(
        _closable,
        _l("A decision still waits for its execution or is within its appeal period."),
    ),
}


def fits(case, person, transition: Transition) -> bool:
    """Whether ``person`` works for the office that decides ``case``."""
    if person.has_role(SYSTEM.role):
        return True
    return person.unit_id is not None and person.unit_id == case.organ_id


ACC_WORKFLOW = Workflow(
    subject_type="acc_case",
    states=AccState,
    state_labels=ACC_STATE_LABELS,
    transitions=TRANSITIONS,
    action_labels=ACC_ACTION_LABELS,
    fits=fits,
    guards=GUARDS,
    not_now=_l("This action is not allowed while the accountability case is “%(state)s”."),
)
ACC_ACTIONS = ACC_WORKFLOW.actions
