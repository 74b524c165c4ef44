"""The center's operations on a case: screen, classify, dispatch, decide, review, visit.

Each checks the transition table, writes its event and flushes; the caller commits.
"""

from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from app.auth.models import Role, User, UserRole
from app.cases.engine import apply_transition, note_on_case, record_case_event
from app.cases.inputs import decision_outcome
from app.cases.models import (
    Assignment,
    AssignmentRole,
    Case,
    ReturnRequest,
    Satisfaction,
    Visit,
)
from app.cases.notify import notify_center, notify_unit, set_public_reply
from app.cases.specs import SPECS
from app.cases.workflow import State, check_transition, pending_extension, transitions_for
from app.core.errors import Forbidden
from app.core.types import utcnow
from app.core.workflow import SYSTEM
from app.deadlines.services import extend_clock, start_clock, stop_all_clocks, stop_clock
from app.extensions import db
from app.notifications.services import message_locale
from app.units.models import Unit, UnitKind
from app.units.naming import PICK_LABELS, link_staff, read_staff_picks


def start_screening(case: Case, actor: User | None, data: dict[str, Any]) -> None:
    """Take a registered case into screening (甄别); ``actor`` None is the system itself."""
    actor = actor or SYSTEM
    t = check_transition(case, "screen", actor)
    apply_transition(case, t, actor, {}, utcnow())


def classify_case(case: Case, actor: User, data: dict[str, Any]) -> None:
    """Set or correct what the complaint is about while it is being screened."""
    t = check_transition(case, "classify", actor)
    values, errors = SPECS["classify"].collect(data)
    errors.labels.update(PICK_LABELS)
    unit, category = values["respondent_unit_code"], values["category_code"]
    # Left out, the staff records named stay (those of the unit, if it changes).
    staff_given = "respondent_staff_ids" in data or "respondent_staff_new" in data
    typed = values["respondent_staff_new"]
    if staff_given:
        picked = read_staff_picks(
            errors, unit, values["respondent_staff_ids"], typed, keep=case.staff
        )
    errors.raise_if_any()
    if not staff_given:
        picked = [s for s in case.staff if s.unit_id == unit.id]
    subject_kind = values["subject_kind"] or case.subject_kind
    urgency = values["urgency"] or case.urgency
    # Left out, the staff named stay; given empty, they are cleared.
    staff = values["respondent_staff"] if "respondent_staff" in data else case.respondent_staff
    changes = {}
    for attr, new, shown in (
        ("respondent_unit_id", unit.id, unit.code),
        ("category_id", category.id, category.code),
        ("subject_kind", subject_kind, subject_kind),
        ("urgency", urgency, urgency),
        ("respondent_staff", staff, staff),
    ):
        if getattr(case, attr) != new:
            changes[attr.removesuffix("_id")] = shown
            setattr(case, attr, new)
    db.session.flush()
    link_staff(case, picked, typed, actor)
    apply_transition(case, t, actor, {"changes": changes}, utcnow())


def dispatch_case(case: Case, actor: User, data: dict[str, Any]) -> None:
    """Send a screened case to its lead unit and start the sign and handle clocks."""
    t = check_transition(case, "dispatch", actor)
    values, errors = SPECS["dispatch"].collect(data)
    unit, assists = values["unit_code"], values["assist_unit_codes"]
    note, override = values["note"], values["override_reason"]
    if case.respondent_unit_id is None or case.category_id is None:
        errors.add("unit_code", _l("Classify the case (unit and category) before dispatching."))
    if unit is not None and unit.kind == UnitKind.COMPLAINT_CENTER:
        errors.add("unit_code", _l("Cases are dispatched to handling units, not to the center."))
    if unit is not None and unit in assists:
        errors.add("assist_unit_codes", _l("The lead unit cannot also assist."))
    # An urgent case has two hours to be signed for: say so before it waits for nobody.
    nobody_signs = unit is not None and not who_can_sign(unit)
    if nobody_signs and not values["confirm_no_signer"]:
        errors.add(
            "confirm_no_signer",
            _l("Nobody in this unit can sign for the case. Dispatch anyway?"),
        )
    suggestion = suggest_for(case) if case.respondent_unit_id and case.category_id else None
    overridden = suggestion is not None and unit is not None and suggestion.unit != unit
    if overridden and not override:
        errors.add(
            "override_reason",
            _l(
                "The router suggests %(unit)s; give a reason to send it elsewhere.",
                unit=suggestion.unit.name if suggestion.unit else "—",
            ),
        )
    errors.raise_if_any()
    now = utcnow()
    for old in case.active_assignments:
        old.ended_at = now
        old.end_reason = "re-dispatched"
    stop_clock(case, "screen", now)
    case.assignments.append(
        Assignment(
            unit_id=unit.id, role=AssignmentRole.LEAD, dispatched_at=now, dispatched_by_id=actor.id
        )
    )
    for assist in assists:
        case.assignments.append(
            Assignment(
                unit_id=assist.id,
                role=AssignmentRole.ASSIST,
                dispatched_at=now,
                dispatched_by_id=actor.id,
            )
        )
    db.session.flush()
    sign = start_clock(case, "sign", now)
    handle = start_clock(case, "handle", now)
    apply_transition(
        case,
        t,
        actor,
        {
            "unit_code": unit.code,
            "unit_name": unit.name,
            "note": note,
            "sign_due": sign.due_at.isoformat(),
            "handle_due": handle.due_at.isoformat(),
            "provisional": sign.provisional or handle.provisional,
            "assist_unit_codes": [a.code for a in assists],
            "suggested_unit_code": suggestion.unit.code if suggestion and suggestion.unit else "",
            "rule": suggestion.rule.name if suggestion and suggestion.rule else "",
            "explanation": suggestion.explanation if suggestion else "",
            "override_reason": override if overridden else "",
            "no_signer": nobody_signs,
        },
        now,
    )
    notify_unit(case, unit.id, _l("New case %(number)s to sign for", number=case.number))
    for assist in assists:
        notify_unit(case, assist.id, _l("New case %(number)s to assist with", number=case.number))


def _signers(unit_ids) -> sa.Select:
    """Return a SELECT of (unit id, user id): who can sign for a case dispatched there now.

    Whoever holds a role that the table lets sign, in the unit, active and not away;
    for one who is away, their active backup who is not away either (AB岗), as the
    engine lets a backup act for an away colleague.
    """
    roles = sorted({role for t in transitions_for("sign") for role in t.roles})
    now = utcnow()
    holder, backup = sa.orm.aliased(User), sa.orm.aliased(User)
    signs = sa.and_(
        holder.unit_id.in_(unit_ids),
        holder.active.is_(True),
        sa.exists().where(UserRole.user_id == holder.id, UserRole.role.in_(roles)),
    )
    here = sa.or_(holder.away_until.is_(None), holder.away_until <= now)
    present = sa.select(holder.unit_id, holder.id).where(signs, here)
    backups = (
        sa.select(holder.unit_id, backup.id)
        .join(backup, backup.id == holder.backup_user_id)
        .where(
            signs,
            holder.away_until > now,
            backup.active.is_(True),
            sa.or_(backup.away_until.is_(None), backup.away_until <= now),
        )
    )
    return sa.union(present, backups)


def who_can_sign(unit: Unit) -> set[int]:
    """Return the ids of the users who can sign for a case dispatched to ``unit`` now."""
    return {user_id for _unit_id, user_id in db.session.execute(_signers([unit.id]))}


def units_nobody_can_sign(units) -> set[int]:
    """Return the ids of those of ``units`` where nobody can sign now (one query)."""
    ids = {u.id for u in units}
    return ids - {unit_id for unit_id, _user_id in db.session.execute(_signers(ids))}


def return_counts() -> dict[int, tuple[int, int]]:
    """Return, per unit id, how many returns (退单) it asked for and how many were approved."""
    rows = db.session.execute(
        sa.select(
            ReturnRequest.unit_id,
            sa.func.count(ReturnRequest.id),
            sa.func.count(ReturnRequest.id).filter(ReturnRequest.approved.is_(True)),
        ).group_by(ReturnRequest.unit_id)
    )
    return {unit_id: (asked, approved) for unit_id, asked, approved in rows}


def suggest_for(case: Case):
    """Return the router's suggestion for a classified case.

    After an approved return (退单) the unit that returned the case knows better than the
    rules, which would send it straight back: the unit it named comes first.
    """
    from app.routing.router import Suggestion, suggest_route

    suggestion = suggest_route(case.respondent_unit, case.category, case.subject_kind)
    returned = approved_return(case)
    named = returned.suggested_unit if returned is not None else None
    if (
        named is None
        or not named.active
        or named.kind == UnitKind.COMPLAINT_CENTER
        or named.id == returned.unit_id
    ):
        return suggestion
    explanation = _l(
        "%(returned)s returned the case, naming %(named)s as responsible, and the return "
        "was approved (the rules would send it to %(rule_unit)s).",
        returned=returned.unit.name,
        named=named.name,
        rule_unit=suggestion.unit.name if suggestion.unit else "—",
    )
    return Suggestion(named, None, suggestion.relation, str(explanation), suggestion.trace)


def approved_return(case: Case):
    """Return the approved return request that sent ``case`` back to screening, until the
    case is dispatched again."""
    if case.state != State.SCREENING or not case.return_requests:
        return None
    last = case.return_requests[-1]
    if not last.approved or any(a.dispatched_at > last.decided_at for a in case.assignments):
        return None
    return last


def reject_case(case: Case, actor: User, data: dict[str, Any]) -> None:
    """Decline a case (不予受理) with the reason and where to go instead, told once."""
    t = check_transition(case, "reject", actor)
    values = SPECS["reject"].read(data)
    reason, advice = values["reason"], values["advice"]
    now = utcnow()
    stop_all_clocks(case, now)
    # 一次性告知: one complete notice with the reason and the proper channel.
    with message_locale():  # the stored notice is in the system's language
        notice = str(
            _l(
                "Your complaint %(number)s is not accepted. Reason: %(reason)s",
                number=case.number,
                reason=reason,
            )
        )
        if advice:
            notice += " " + str(_l("Where to go instead: %(advice)s", advice=advice))
    set_public_reply(case, notice, now)
    apply_transition(case, t, actor, {"reason": reason, "advice": advice, "notice": notice}, now)


def invalidate_case(case: Case, actor: User, data: dict[str, Any]) -> None:
    """Close an invalid submission (无效件): no complaint in it, spam, or unintelligible."""
    t = check_transition(case, "invalidate", actor)
    reason = SPECS["invalidate"].read(data)["reason"]
    now = utcnow()
    stop_all_clocks(case, now)
    apply_transition(case, t, actor, {"reason": reason}, now)


def resolve_directly(case: Case, actor: User, data: dict[str, Any]) -> None:
    """Answer the complainant at once and close (直办), without dispatching."""
    t = check_transition(case, "resolve_directly", actor)
    text = SPECS["resolve_directly"].read(data)["text"]
    now = utcnow()
    stop_all_clocks(case, now)
    set_public_reply(case, text, now)
    apply_transition(case, t, actor, {"text": text}, now)


def merge_case(case: Case, actor: User, data: dict[str, Any]) -> None:
    """Close a duplicate (并单) with a pointer to the case it repeats."""
    t = check_transition(case, "merge", actor)
    values, errors = SPECS["merge"].collect(data)
    # The number is what people see; the id is still accepted from older API clients.
    given = "case_number" if data.get("case_number") not in (None, "") else "case_id"
    target = values[given]
    if given == "case_id" and data.get("case_id") is None:
        errors.add("case_number", _l("This field is required."))
    elif target is not None and target.id == case.id:
        errors.add(given, _l("A case cannot be merged into itself."))
    elif target is not None and target.state == State.MERGED:
        errors.add(given, _l("That case is itself merged; merge into its original."))
    errors.raise_if_any()
    now = utcnow()
    stop_all_clocks(case, now)
    apply_transition(
        case,
        t,
        actor,
        {"into": target.number, "into_id": target.id},
        now,
        duplicate_of_id=target.id,
    )
    record_case_event(
        target, actor, "merged_in", data={"from": case.number, "from_id": case.id}, at=now
    )


def decide_return(case: Case, actor: User, data: dict[str, Any]) -> None:
    """Approve a return (back to screening for re-routing) or deny it (back to the unit)."""
    values, errors = SPECS["decide_return"].collect(data)
    approve, note = values["approve"], values["note"]
    outcome = decision_outcome(values, "approve", ("approve", "deny"), errors)
    t = check_transition(case, "decide_return", actor, outcome)
    errors.raise_if_any()
    now = utcnow()
    request = case.return_requests[-1]
    request.approved = approve
    request.decided_by_id = actor.id
    request.decided_at = now
    request.decision_note = note
    if approve:
        lead = case.lead_assignment
        lead.ended_at = now
        lead.end_reason = "returned"
        # The unit is released: its clocks stop here and a new screen clock starts.
        stop_clock(case, "sign", now)
        stop_clock(case, "handle", now)
        start_clock(case, "screen", now)
        notify_unit(case, request.unit_id, _l("Return of %(number)s approved", number=case.number))
    else:
        notify_unit(case, request.unit_id, _l("Return of %(number)s denied", number=case.number))
    apply_transition(
        case, t, actor, {"approve": approve, "note": note}, now, target=request.previous_state
    )


def review_reply(case: Case, actor: User, data: dict[str, Any]) -> None:
    """Pass the unit's reply to the return visit, or send it back to be redone."""
    values, errors = SPECS["review"].collect(data)
    passed, note = values["pass"], values["note"]
    public_reply, rectify_days = values["public_reply"], values["rectify_days"]
    outcome = decision_outcome(values, "pass", ("pass", "send_back"), errors)
    t = check_transition(case, "review", actor, outcome)
    errors.raise_if_any()
    now = utcnow()
    reply = case.replies[-1]
    reply.review_passed = passed
    reply.review_note = note
    reply.reviewed_by_id = actor.id
    reply.reviewed_at = now
    event = {"pass": passed, "note": note}
    if passed:
        case.finding = reply.finding
        start_clock(case, "visit", now)
        if public_reply:
            set_public_reply(case, public_reply, now)
        if rectify_days:
            # The reply is accepted but the unit must still put things right (整改).
            clock = start_clock(case, "rectify", now, limit=("workdays", rectify_days))
            event.update(rectify_days=rectify_days, new_due=clock.due_at.isoformat())
            notify_unit(
                case,
                reply.unit_id,
                _l(
                    "Rectification of %(number)s due within %(n)d working days",
                    number=case.number,
                    n=rectify_days,
                ),
            )
    else:
        start_clock(case, "handle", now)
        notify_unit(case, reply.unit_id, _l("Reply to %(number)s sent back", number=case.number))
    apply_transition(case, t, actor, event, now)


def record_visit(case: Case, actor: User, data: dict[str, Any]) -> None:
    """Record the return visit: satisfied closes, unsatisfied sends the case back (重新交办)."""
    values, errors = SPECS["visit"].collect(data)
    satisfaction, resolved = values["satisfaction"], values["resolved"]
    method, note = values["method"], values["note"]
    unsatisfied = satisfaction == Satisfaction.UNSATISFIED
    t = check_transition(
        case, "visit", actor, ("redo" if unsatisfied else "close") if satisfaction else None
    )
    errors.raise_if_any()
    now = utcnow()
    case.visits.append(
        Visit(
            visited_by_id=actor.id,
            visited_at=now,
            method=method,
            satisfaction=satisfaction,
            resolved=resolved,
            note=note,
        )
    )
    stop_clock(case, "visit", now)
    if unsatisfied:
        case.redo_count += 1
        start_clock(case, "handle", now)
        lead = case.lead_assignment
        if lead is not None:
            notify_unit(
                case, lead.unit_id, _l("Case %(number)s must be redone", number=case.number)
            )
    else:
        # A rectification still due keeps running after the case is closed.
        stop_all_clocks(case, now, keep=("rectify",))
    apply_transition(
        case, t, actor, {"satisfaction": satisfaction, "resolved": resolved, "note": note}, now
    )


def decide_extension(case: Case, actor: User, data: dict[str, Any]) -> None:
    """Approve an extension (the handle deadline moves) or deny it; the second needs the lead."""
    values, errors = SPECS["decide_extension"].collect(data)
    approve, note = values["approve"], values["note"]
    outcome = decision_outcome(values, "approve", ("approve", "deny"), errors)
    t = check_transition(case, "decide_extension", actor, outcome)
    request = pending_extension(case)
    already = sum(1 for e in case.extensions if e.approved)
    if approve and already >= 1 and not actor.has_role(Role.CENTER_LEAD):
        raise Forbidden(_l("A second extension must be approved by the center lead."))
    errors.raise_if_any()
    now = utcnow()
    request.approved, request.decided_by_id, request.decided_at = approve, actor.id, now
    request.decision_note = note
    event = {"approve": approve, "note": note, "days": request.days}
    if approve:
        clock = case.open_clock("handle")
        request.old_due_at = clock.due_at
        moved = extend_clock(clock, request.days)
        request.new_due_at = moved.due_at
        event.update(old_due=request.old_due_at.isoformat(), new_due=moved.due_at.isoformat())
    notify_unit(
        case,
        request.unit_id,
        _l("Extension for %(number)s approved", number=case.number)
        if approve
        else _l("Extension for %(number)s denied", number=case.number),
        note,
    )
    apply_transition(case, t, actor, event, now)


def comment_case(case: Case, actor: User, data: dict[str, Any]) -> None:
    """Leave a comment on an open case; the other side is told."""
    t = check_transition(case, "comment", actor)
    text = SPECS["comment"].read(data)["text"]
    # A comment changes nothing on the case: it neither checks nor bumps its version.
    note_on_case(case, t, actor, {"text": text}, utcnow())
    subject = _l("Comment on %(number)s", number=case.number)
    if actor.has_role(Role.OPERATOR, Role.CENTER_LEAD):
        for assignment in case.active_assignments:
            notify_unit(case, assignment.unit_id, subject, text)
    else:
        notify_center(case, subject, text)


def reopen_case(case: Case, actor: User, data: dict[str, Any]) -> None:
    """Reopen a closed case for screening again (center lead only, reason required)."""
    t = check_transition(case, "reopen", actor)
    reason = SPECS["reopen"].read(data)["reason"]
    now = utcnow()
    case.reopen_count += 1
    start_clock(case, "screen", now)
    apply_transition(case, t, actor, {"reason": reason}, now)
