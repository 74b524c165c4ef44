"""What handling units do on a case: sign, reply, sign off, ask for time or a return,
pass work down, and give assisting input. Each writes its Event; the caller commits."""

from typing import Any

from flask_babel import lazy_gettext as _l

from app.auth.models import Role, User
from app.cases.engine import apply_transition
from app.cases.inputs import decision_outcome
from app.cases.models import (
    WITHDRAWN,
    Assignment,
    AssignmentRole,
    Case,
    Contribution,
    Extension,
    Reply,
    ReturnRequest,
)
from app.cases.notify import notify_center, notify_unit, notify_user
from app.cases.specs import SPECS
from app.cases.workflow import (
    check_transition,
    pending_extension,
    pending_reply,
    pending_return,
    unanswered_order,
)
from app.core.types import utcnow
from app.deadlines.services import stop_clock
from app.units.services import units_below


def sign_case(case: Case, actor: User, data: dict[str, Any]) -> None:
    """Sign for a dispatched case on behalf of the lead unit (签收)."""
    t = check_transition(case, "sign", actor)
    now = utcnow()
    lead = case.lead_assignment
    lead.signed_at = now
    lead.signed_by_id = actor.id
    clock = stop_clock(case, "sign", now)
    apply_transition(case, t, actor, {"late": bool(clock and clock.late)}, now)


def request_return(case: Case, actor: User, data: dict[str, Any]) -> None:
    """The lead unit says the case is not theirs (退单); its clocks keep running meanwhile."""
    t = check_transition(case, "request_return", actor)
    values = SPECS["request_return"].read(data)
    reason, suggested = values["reason"], values["suggested_unit_code"]
    now = utcnow()
    lead = case.lead_assignment
    case.return_requests.append(
        ReturnRequest(
            assignment_id=lead.id,
            unit_id=lead.unit_id,
            requested_by_id=actor.id,
            requested_at=now,
            reason=reason,
            suggested_unit_id=suggested.id if suggested else None,
            previous_state=case.state,
        )
    )
    apply_transition(
        case,
        t,
        actor,
        {"reason": reason, "suggested_unit_code": suggested.code if suggested else ""},
        now,
    )
    notify_center(case, _l("Return of %(number)s requested", number=case.number), reason)


def reply_case(case: Case, actor: User, data: dict[str, Any]) -> None:
    """Write the lead unit's reply: a unit lead's goes to the center, a handler's waits.

    Departments never write to the complainant: the reply goes to the center only.
    """
    t = check_transition(case, "reply", actor)
    values = SPECS["reply"].read(data)
    text, finding = values["text"], values["finding"]
    now = utcnow()
    lead = case.lead_assignment
    reply = Reply(
        unit_id=lead.unit_id, author_id=actor.id, text=text, finding=finding, created_at=now
    )
    case.replies.append(reply)
    if t.outcome == "draft":
        apply_transition(case, t, actor, {"finding": finding, "awaiting_sign_off": True}, now)
        # The unit lead signs off; the author is not told of their own draft.
        notify_unit(
            case,
            lead.unit_id,
            _l("Reply to %(number)s waits for sign-off", number=case.number),
            roles=(Role.UNIT_LEAD,),
            except_user=actor,
        )
        return
    reply.signed_off, reply.signed_off_by_id, reply.signed_off_at = True, actor.id, now
    clock = stop_clock(case, "handle", now)
    apply_transition(case, t, actor, {"finding": finding, "late": bool(clock and clock.late)}, now)
    notify_center(case, _l("Reply to %(number)s awaits review", number=case.number))


def sign_off_reply(case: Case, actor: User, data: dict[str, Any]) -> None:
    """The unit lead approves a handler's reply (it goes to the center) or returns it."""
    values, errors = SPECS["sign_off"].collect(data)
    approve, note = values["approve"], values["note"]
    outcome = decision_outcome(values, "approve", ("approve", "reject"), errors)
    t = check_transition(case, "sign_off", actor, outcome)
    reply = pending_reply(case)
    errors.raise_if_any()
    now = utcnow()
    reply.signed_off, reply.signed_off_by_id, reply.signed_off_at = approve, actor.id, now
    reply.sign_off_note = note
    data = {"approve": approve, "note": note, "author": reply.author.username}
    if approve:
        clock = stop_clock(case, "handle", now)
        data["late"] = bool(clock and clock.late)
        notify_center(case, _l("Reply to %(number)s awaits review", number=case.number))
    else:
        notify_user(
            reply.author,
            case,
            _l("Your reply to %(number)s was returned", number=case.number),
            note,
        )
    apply_transition(case, t, actor, data, now)


def request_extension(case: Case, actor: User, data: dict[str, Any]) -> None:
    """Ask the center for more working days (延期), with a reason."""
    t = check_transition(case, "request_extension", actor)
    values = SPECS["request_extension"].read(data)
    days, reason = values["days"], values["reason"]
    now = utcnow()
    lead = case.lead_assignment
    case.extensions.append(
        Extension(
            unit_id=lead.unit_id,
            requested_by_id=actor.id,
            requested_at=now,
            days=days,
            reason=reason,
        )
    )
    apply_transition(case, t, actor, {"days": days, "reason": reason}, now)
    notify_center(
        case,
        _l("Extension of %(number)s requested: %(n)d working days", number=case.number, n=days),
        reason,
    )


def sub_dispatch(case: Case, actor: User, data: dict[str, Any]) -> None:
    """Pass the case down to a unit below (下派); the lead unit stays responsible."""
    t = check_transition(case, "sub_dispatch", actor)
    values, errors = SPECS["sub_dispatch"].collect(data)
    unit, note = values["unit_code"], values["note"]
    lead = case.lead_assignment
    if unit is not None and unit not in units_below(lead.unit):
        errors.add("unit_code", _l("Work can only be passed to a unit below yours."))
    elif unit is not None and any(a.unit_id == unit.id for a in case.active_assignments):
        errors.add("unit_code", _l("That unit already works on this case."))
    errors.raise_if_any()
    now = utcnow()
    case.assignments.append(
        Assignment(
            unit_id=unit.id,
            role=AssignmentRole.SUB,
            parent_id=lead.id,
            dispatched_at=now,
            dispatched_by_id=actor.id,
        )
    )
    apply_transition(
        case, t, actor, {"unit_code": unit.code, "unit_name": unit.name, "note": note}, now
    )
    notify_unit(
        case,
        unit.id,
        _l("Case %(number)s passed to you by %(unit)s", number=case.number, unit=lead.unit.name),
    )


def _contribute(case: Case, actor: User, data: dict[str, Any], action: str, kind: str) -> None:
    t = check_transition(case, action, actor)
    text = SPECS[action].read(data)["text"]
    now = utcnow()
    mine = {a.unit_id for a in case.active_assignments if a.role == kind}
    unit_id = actor.unit_id if actor.unit_id in mine else next(iter(mine))
    case.contributions.append(
        Contribution(unit_id=unit_id, author_id=actor.id, kind=kind, text=text, created_at=now)
    )
    apply_transition(case, t, actor, {"text": text}, now)
    lead = case.lead_assignment
    notify_unit(case, lead.unit_id, _l("New input on %(number)s", number=case.number))


def contribute(case: Case, actor: User, data: dict[str, Any]) -> None:
    """An assisting unit gives its input to the lead unit (协办意见)."""
    _contribute(case, actor, data, "contribute", AssignmentRole.ASSIST)


def sub_reply(case: Case, actor: User, data: dict[str, Any]) -> None:
    """A unit below replies up to the lead unit, not to the center."""
    _contribute(case, actor, data, "sub_reply", AssignmentRole.SUB)


def report_rectification(case: Case, actor: User, data: dict[str, Any]) -> None:
    """The lead unit reports what it put right (整改报告); the rectify clock stops."""
    t = check_transition(case, "report_rectification", actor)
    text = SPECS["report_rectification"].read(data)["text"]
    now = utcnow()
    clock = stop_clock(case, "rectify", now)
    apply_transition(case, t, actor, {"text": text, "late": bool(clock and clock.late)}, now)
    notify_center(case, _l("Rectification of %(number)s reported", number=case.number), text)


def answer_order(case: Case, actor: User, data: dict[str, Any]) -> None:
    """The lead unit answers the earliest open supervision order (督办回复)."""
    t = check_transition(case, "answer_order", actor)
    text = SPECS["answer_order"].read(data)["text"]
    now = utcnow()
    order = unanswered_order(case)
    order.response, order.responded_at = text, now
    late = order.respond_by is not None and now > order.respond_by
    apply_transition(case, t, actor, {"text": text, "number": order.number, "late": late}, now)
    notify_center(case, _l("Supervision order %(number)s answered", number=order.number), text)


def withdraw_extension(case: Case, actor: User, data: dict[str, Any]) -> None:
    """Take back one's own extension request before the center decides on it."""
    t = check_transition(case, "withdraw_extension", actor)
    request = pending_extension(case)
    now = utcnow()
    request.ended_at, request.end_reason = now, WITHDRAWN
    apply_transition(case, t, actor, {"days": request.days, "reason": request.reason}, now)
    notify_center(case, _l("Extension request for %(number)s withdrawn", number=case.number))


def withdraw_return(case: Case, actor: User, data: dict[str, Any]) -> None:
    """Take back one's own return request: the case goes back to where it was."""
    t = check_transition(case, "withdraw_return", actor)
    request = pending_return(case)
    now = utcnow()
    request.ended_at, request.end_reason = now, WITHDRAWN
    apply_transition(case, t, actor, {"reason": request.reason}, now, target=request.previous_state)
    notify_center(case, _l("Return request for %(number)s withdrawn", number=case.number))
