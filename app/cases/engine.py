"""Glue between the case table and the shared engine and trail: move, record, check version."""

from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l

from app.cases.models import Case
from app.cases.pending import lapse_pending
from app.cases.workflow import CASE_WORKFLOW, FINAL_STATES, Transition
from app.core.errors import Conflict, StaleVersion
from app.core.trail import Event, record_event
from app.extensions import db


def record_case_event(
    case: Case,
    actor,
    action: str,
    *,
    from_state: str | None = None,
    to_state: str | None = None,
    data: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> Event:
    """Append one event to the case's trail."""
    return record_event(
        "case",
        case.id,
        actor,
        action,
        from_state=from_state,
        to_state=to_state,
        data=data,
        at=at,
    )


def apply_transition(
    case: Case,
    transition: Transition,
    actor,
    data: dict[str, Any],
    at: datetime,
    target: str | None = None,
    **fields: Any,
) -> Event:
    """Move ``case`` along ``transition`` (or to ``target`` for a "go back" row) and record it.

    Closing stamps ``closed_at`` and reopening clears it; ``fields`` are other columns
    that change with the state (a merge's ``duplicate_of_id``). The database ties them
    to the state and checks each statement, so they reach it in the same UPDATE: no
    autoflush may send the state without them.
    """
    was_final = case.state in FINAL_STATES
    from_state = case.state
    with db.session.no_autoflush:
        event = CASE_WORKFLOW.apply(case, transition, actor, data, at, target)
        final = case.state in FINAL_STATES
        if final != was_final:
            case.closed_at = at if final else None
        for name, value in fields.items():
            setattr(case, name, value)
    if case.state != from_state:
        # Requests made for the state the case left lapse with it, whatever moved it.
        lapse_pending(case, transition.action, actor, at)
    return event


def note_on_case(
    case: Case, transition: Transition, actor, data: dict[str, Any], at: datetime
) -> Event:
    """Record a row that adds to ``case`` without changing it: its version stays."""
    return CASE_WORKFLOW.note(case, transition, actor, data, at)


def check_version(case: Case, expected_version) -> None:
    """Refuse to act on a case that changed since the actor loaded it."""
    if expected_version is None or expected_version == "":
        return
    try:
        expected = int(expected_version)
    except (TypeError, ValueError):
        raise Conflict(_l("The case version is not a number.")) from None
    if expected != case.version:
        raise StaleVersion(
            _l(
                "Somebody else changed this case (version %(now)d, you had %(had)d). "
                "Reload it and try again.",
                now=case.version,
                had=expected,
            )
        )
