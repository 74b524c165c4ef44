"""The steps of an accountability case: one function per action of the table.

Each takes the case, the actor and the posted data, reads the data through its spec,
changes what it must and records the step on the case's trail; the caller commits.
``perform_acc_action`` is the one entry point (web, API, jobs, demo).
"""

import calendar
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm.exc import StaleDataError

from app.accountability.clocks import appeal_days, start_acc_clock, stop_acc_clock
from app.accountability.models import (
    AccClock,
    AccClockKind,
    AccountabilityCase,
    AppealOutcome,
    Decision,
)
from app.accountability.notices import request_decision_documents
from app.accountability.records import apply_decision_rules
from app.accountability.specs import ACC_SPECS, collect_subject, refuse
from app.accountability.subjects import new_decision
from app.accountability.workflow import ACC_ACTIONS, ACC_WORKFLOW, FINAL_ACC_STATES, AccState
from app.core.errors import Conflict, NotFound, StaleVersion
from app.core.numbering import next_value
from app.core.trail import hold_chain
from app.core.types import utcnow
from app.core.validation import FieldErrors
from app.core.workflow import SYSTEM
from app.deadlines.workdays import SHANGHAI, to_local
from app.documents.models import DocumentKind
from app.documents.tasks import register_on_rendered
from app.extensions import db


def perform_acc_action(
    acc_case: AccountabilityCase, action: str, actor, data: dict[str, Any], expected_version=None
) -> AccountabilityCase:
    """Run ``action`` on ``acc_case`` for ``actor`` with the given fields."""
    if action not in ACC_ACTIONS:
        raise NotFound(_l("Unknown action: %(action)s", action=action))
    if expected_version not in (None, "") and str(expected_version) != str(acc_case.version):
        raise StaleVersion(_l("Somebody else changed this case at the same time. Reload it."))
    outcome = None
    transition = ACC_WORKFLOW.check(acc_case, action, actor, outcome)
    hold_chain("acc_case", acc_case.id)
    try:
        HANDLERS[action](acc_case, actor, transition, data)
        db.session.flush()
    except StaleDataError:
        db.session.rollback()
        raise StaleVersion(
            _l("Somebody else changed this case at the same time. Reload it.")
        ) from None
    return acc_case


def _apply(acc_case, transition, actor, data: dict, target: str | None = None):
    """Move the case along ``transition`` and record it; mark it closed where it ends."""
    now = utcnow()
    # The final state and closed_at are one fact (a CHECK): recording the event reads the
    # trail, and an autoflush between the two would write the state alone.
    with db.session.no_autoflush:
        event = ACC_WORKFLOW.apply(acc_case, transition, actor, data, now, target=target)
        if acc_case.state in FINAL_ACC_STATES:
            acc_case.closed_at = now
    # A step that leaves the state as it is still changes the case: bump its version, so
    # that two people editing one draft at once are told, not overwritten.
    acc_case.updated_at = now
    return event


def _decision_of(acc_case, decision: Decision, errors: FieldErrors | None = None) -> Decision:
    """Return ``decision`` if it is one of this case's; a decision of another is not found."""
    if decision is None or decision.acc_case_id != acc_case.id:
        errors = errors or FieldErrors(ACC_SPECS["serve"].labels)
        errors.add("decision", _l("No such decision in this case."))
        errors.raise_if_any()
    return decision


# ---------------------------------------------------------------- verifying


def start_verifying(acc_case, actor, transition, data) -> None:
    ACC_SPECS["verify"].read(data)
    if acc_case.inspector_id is None and actor.id is not None:
        acc_case.inspector_id = actor.id
    _apply(acc_case, transition, actor, {})


def request_statement(acc_case, actor, transition, data) -> None:
    values = ACC_SPECS["request_statement"].read(data)
    now = utcnow()
    clock = start_acc_clock(acc_case, AccClockKind.STATEMENT, values["days"], now)
    acc_case.statement_due_at = clock.due_at
    _apply(
        acc_case,
        transition,
        actor,
        {"days": values["days"], "due_at": clock.due_at.isoformat(), "note": values["note"]},
    )


def record_statement(acc_case, actor, transition, data) -> None:
    values = ACC_SPECS["record_statement"].read(data)
    now = utcnow()
    stop_acc_clock(acc_case, AccClockKind.STATEMENT, now)
    acc_case.statement = values["statement"]
    acc_case.statement_at = now
    _apply(acc_case, transition, actor, {"statement": values["statement"]})


def draft_decision(acc_case, actor, transition, data) -> None:
    values = ACC_SPECS["draft_decision"].read(data)
    decision = _decision_of(acc_case, values["decision"])
    form = values["form_code"]
    decision.form_code = form.code
    decision.facts = values["facts"]
    decision.requirements = values["requirements"]
    decision.execution_days = values["execution_days"]
    # The form's usual consequences unless the inspector wrote their own.
    decision.consequences = values["consequences"] or form.consequences
    decision.bases = values["basis_ids"]
    _apply(
        acc_case,
        transition,
        actor,
        {
            "decision_id": decision.id,
            "form": form.code,
            "bases": [b.id for b in decision.bases],
            "execution_days": decision.execution_days,
        },
    )


def add_subject(acc_case, actor, transition, data) -> None:
    staff, unit, _values, errors = collect_subject(ACC_SPECS["add_subject"], data)
    errors.raise_if_any()
    decision = new_decision(acc_case, staff=staff, unit=unit)
    if decision is None:
        errors.add("staff" if staff else "unit_code", _l("This subject is already in the case."))
        errors.raise_if_any()
    _apply(acc_case, transition, actor, {"decision_id": decision.id, **_subject_data(decision)})


def remove_subject(acc_case, actor, transition, data) -> None:
    """Drop a subject found not to answer for the matter (before anything is decided)."""
    values = ACC_SPECS["remove_subject"].read(data)
    decision = _decision_of(acc_case, values["decision"])
    subject = {"decision_id": decision.id, **_subject_data(decision)}
    acc_case.decisions.remove(decision)
    db.session.delete(decision)
    _apply(acc_case, transition, actor, subject)


def _subject_data(decision: Decision) -> dict:
    return {
        "subject_type": decision.subject_type,
        "unit_id": decision.unit_id,
        "staff_id": decision.staff_id,
    }


def propose(acc_case, actor, transition, data) -> None:
    values = ACC_SPECS["propose"].read(data)
    if values["findings"]:
        acc_case.findings = values["findings"]
    acc_case.proposed_by_id = actor.id
    _apply(
        acc_case,
        transition,
        actor,
        {"decisions": [{"id": d.id, "form": d.form_code} for d in acc_case.decisions]},
    )


def send_back(acc_case, actor, transition, data) -> None:
    values = ACC_SPECS["send_back"].read(data)
    acc_case.proposed_by_id = None
    _apply(acc_case, transition, actor, {"reason": values["reason"]})


def close_without_action(acc_case, actor, transition, data) -> None:
    values = ACC_SPECS["no_action"].read(data)
    _stop_running_clocks(acc_case, utcnow())
    # The kind and the final state are one fact (a CHECK): never flushed apart.
    with db.session.no_autoflush:
        acc_case.no_action_kind = values["kind"]
        acc_case.no_action_reason = values["reason"]
        _apply(acc_case, transition, actor, {"kind": values["kind"], "reason": values["reason"]})


# ---------------------------------------------------------------- deciding


def decision_number(organ, form, year: int) -> str:
    """Take the next number of ``form``'s document kind for ``organ`` in ``year``.

    Per (organ, kind, year) without gaps: the counter's row lock is held to the commit,
    so the caller takes it as late as it can (NOTES: the last statement before commit).
    """
    value = next_value(f"doc:{organ.id}:{form.doc_code}:{year}")
    return f"{organ.doc_prefix}{form.doc_code}〔{year}〕{value}号"


def approve(acc_case, actor, transition, data) -> None:
    values = ACC_SPECS["approve"].read(data)
    now = utcnow()
    today = to_local(now).date()
    acc_case.approved_by_id = actor.id
    acc_case.approved_at = now
    _apply(acc_case, transition, actor, {"note": values["note"]})
    numbered = []
    for decision in acc_case.live_decisions:
        decision.decided_on = today
        months = decision.form.effect_months
        decision.effective_until = add_months(today, months) if months else None
        numbered.append(decision)
    db.session.flush()
    # The records' rules see the decision before the numbers lock their counters.
    for decision in numbered:
        apply_decision_rules(decision)
    # The numbers last: each counter's lock is held from here to the commit.
    for decision in numbered:
        decision.number = decision_number(acc_case.organ, decision.form, today.year)
    db.session.flush()
    request_decision_documents(acc_case, actor)


def issue(acc_case, actor, transition, data) -> None:
    ACC_SPECS["issue"].read(data)
    _apply(
        acc_case,
        transition,
        actor,
        {"documents": [d.document_id for d in acc_case.live_decisions]},
    )


def serve(acc_case, actor, transition, data) -> None:
    spec = ACC_SPECS["serve"]
    values = spec.read(data)
    decision = _decision_of(acc_case, values["decision"])
    if decision.served_at is not None or decision.revoked:
        raise Conflict(_l("This decision has already been served."))
    now = utcnow()
    if (
        decision.decided_on is not None
        and values["served_on"] is not None
        and (values["served_on"] < decision.decided_on)
    ):
        errors = FieldErrors(spec.labels)
        errors.add("served_on", _l("A decision is served after it is made."))
        errors.raise_if_any()
    # Served today: now. Served on an earlier day (recorded late): noon of that day, so
    # that the appeal period counts from the day after it (次日起算) as the law does.
    served = values["served_on"]
    if served is None or served == to_local(now).date():
        decision.served_at = now
    else:
        decision.served_at = datetime(served.year, served.month, served.day, 12, tzinfo=SHANGHAI)
    decision.served_to = values["served_to"]
    decision.served_how = values["served_how"]
    clock = start_acc_clock(
        acc_case, AccClockKind.APPEAL, appeal_days(), decision.served_at, decision
    )
    decision.appeal_until = clock.due_at
    left = [d for d in acc_case.live_decisions if d.served_at is None]
    target = AccState.ISSUED if left else AccState.SERVED
    _apply(
        acc_case,
        transition,
        actor,
        {
            "decision_id": decision.id,
            "served_to": decision.served_to,
            "served_how": decision.served_how,
            "served_at": decision.served_at.isoformat(),
            "appeal_until": decision.appeal_until.isoformat(),
            "note": values["note"],
        },
        target=target,
    )


def file_appeal(acc_case, actor, transition, data) -> None:
    values = ACC_SPECS["file_appeal"].read(data)
    decision = _decision_of(acc_case, values["decision"])
    if not decision.appeal_open:
        refuse(
            ACC_SPECS["file_appeal"],
            "decision",
            _l("This decision is not within its appeal period."),
        )
    now = utcnow()
    decision.appeal_filed_at = now
    decision.appeal_text = values["text"]
    stop_acc_clock(acc_case, AccClockKind.APPEAL, now, decision)
    _apply(acc_case, transition, actor, {"decision_id": decision.id, "text": values["text"]})


def decide_appeal(acc_case, actor, transition, data) -> None:
    spec = ACC_SPECS["decide_appeal"]
    values, errors = spec.collect(data)
    decision = values["decision"]
    if decision is not None and (
        decision.acc_case_id != acc_case.id
        or decision.appeal_filed_at is None
        or decision.appeal_outcome is not None
    ):
        errors.add("decision", _l("This decision has no appeal waiting."))
    outcome = values["outcome"]
    if outcome == AppealOutcome.CHANGED and values["form_code"] is None:
        errors.add("form_code", _l("Name the form the decision is changed to."))
    if (
        outcome == AppealOutcome.CHANGED
        and values["form_code"] is not None
        and decision is not None
        and values["form_code"].code == decision.form_code
    ):
        errors.add("form_code", _l("A change needs another form."))
    errors.raise_if_any()
    now = utcnow()
    decision.appeal_outcome = outcome
    decision.appeal_decided_at = now
    decision.appeal_note = values["note"]
    if outcome == AppealOutcome.CHANGED:
        decision.changed_from_code = decision.form_code
        decision.form_code = values["form_code"].code
        # The new form's effect period, from the day the decision was made.
        months = values["form_code"].effect_months
        decision.effective_until = add_months(decision.decided_on, months) if months else None
    if outcome == AppealOutcome.REVOKED:
        # It keeps its number: a revoked decision is a fact of the record, not a gap.
        decision.revoked = True
        decision.effective_until = None  # a revoked decision affects nobody
        stop_acc_clock(acc_case, AccClockKind.EXECUTION, now, decision)
    waiting = [
        d for d in acc_case.decisions if d.appeal_filed_at is not None and d.appeal_outcome is None
    ]
    executing = any(d.execution_due_at is not None for d in acc_case.live_decisions)
    if waiting:
        target = AccState.APPEALED
    elif executing:
        target = AccState.EXECUTING  # started while the appeal waited
    else:
        target = _state_before_appeal(acc_case)
    _apply(
        acc_case,
        transition,
        actor,
        {
            "decision_id": decision.id,
            "outcome": outcome,
            "form": decision.form_code,
            "note": values["note"],
        },
        target=target,
    )


def _state_before_appeal(acc_case) -> str:
    """Return where the case was when its appeals began (served or executing)."""
    for event in reversed(acc_case.events):
        if event.action == "file_appeal" and event.from_state != AccState.APPEALED:
            return event.from_state
    return AccState.SERVED


def start_execution(acc_case, actor, transition, data) -> None:
    ACC_SPECS["start_execution"].read(data)
    now = utcnow()
    started = []
    for decision in acc_case.live_decisions:
        if decision.execution_days and decision.execution_due_at is None:
            clock = start_acc_clock(
                acc_case, AccClockKind.EXECUTION, decision.execution_days, now, decision
            )
            decision.execution_due_at = clock.due_at
            started.append({"decision_id": decision.id, "due_at": clock.due_at.isoformat()})
    _apply(acc_case, transition, actor, {"clocks": started})


def record_execution(acc_case, actor, transition, data) -> None:
    values = ACC_SPECS["record_execution"].read(data)
    decision = _decision_of(acc_case, values["decision"])
    if not decision.awaits_execution:
        refuse(
            ACC_SPECS["record_execution"],
            "decision",
            _l("This decision does not wait for its execution."),
        )
    now = utcnow()
    decision.executed_at = now
    decision.execution_note = values["note"]
    clock = stop_acc_clock(acc_case, AccClockKind.EXECUTION, now, decision)
    _apply(
        acc_case,
        transition,
        actor,
        {"decision_id": decision.id, "note": values["note"], "late": bool(clock and clock.late)},
    )


def close(acc_case, actor, transition, data) -> None:
    values = ACC_SPECS["close"].read(data)
    _stop_running_clocks(acc_case, utcnow())
    _apply(acc_case, transition, actor, {"note": values["note"]})


def _stop_running_clocks(acc_case, now) -> None:
    """Stop what still runs on a case that ends; an appeal period running out is no lateness."""
    db.session.execute(
        sa.update(AccClock)
        .where(AccClock.acc_case_id == acc_case.id, AccClock.stopped_at.is_(None))
        .values(
            stopped_at=now,
            late=sa.case(
                (AccClock.kind == AccClockKind.APPEAL, sa.false()),
                else_=AccClock.due_at < now,
            ),
        )
        .execution_options(synchronize_session=False)
    )


HANDLERS = {
    "verify": start_verifying,
    "request_statement": request_statement,
    "record_statement": record_statement,
    "draft_decision": draft_decision,
    "add_subject": add_subject,
    "remove_subject": remove_subject,
    "propose": propose,
    "send_back": send_back,
    "approve": approve,
    "no_action": close_without_action,
    "issue": issue,
    "serve": serve,
    "file_appeal": file_appeal,
    "decide_appeal": decide_appeal,
    "start_execution": start_execution,
    "record_execution": record_execution,
    "close": close,
}


def add_months(day: date, months: int) -> date:
    """Return the same day ``months`` later, or the month's last day if it has none."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def acc_case_today() -> date:
    return to_local(utcnow()).date()


def open_acc_cases_of(organ_id: int) -> list[AccountabilityCase]:
    """Return the open cases of a discipline office, newest first."""
    return list(
        db.session.scalars(
            sa.select(AccountabilityCase)
            .where(
                AccountabilityCase.organ_id == organ_id,
                AccountabilityCase.state.not_in(list(FINAL_ACC_STATES)),
            )
            .order_by(AccountabilityCase.id.desc())
        )
    )


def issue_when_rendered(document_id: int) -> None:
    """Issue an approved case once the last of its notices is rendered (the system's step).

    Run by the document job after it commits; if it fails, the inspectors' 印发 remains.
    """
    decision = db.session.scalar(sa.select(Decision).where(Decision.document_id == document_id))
    if decision is None:
        return
    acc_case = decision.acc_case
    if "issue" in ACC_WORKFLOW.allowed(acc_case, SYSTEM):
        perform_acc_action(acc_case, "issue", SYSTEM, {})


register_on_rendered(DocumentKind.DECISION, issue_when_rendered)
