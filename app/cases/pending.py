"""Requests that wait for someone's decision: an extension, a return, a handler's draft
reply. Whoever asked may withdraw one (``handling``); one the case moves on without lapses.

A request makes sense only in the state it was made in (an extension or a draft while
the unit handles the case, a return while it waits for the center). When a case leaves
that state, whatever the action, each such request still waiting lapses in the same
transaction, with its entry on the trail, and whoever asked is told.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l

from app.auth.models import User
from app.cases.models import Case
from app.cases.notify import notify_user
from app.cases.workflow import (
    EVENT_LABELS,
    State,
)
from app.core.trail import record_event


@dataclass(frozen=True)
class PendingKind:
    """One kind of request: where it waits, while which state, and how it reads."""

    collection: str  # the case's relationship holding the requests
    decision: str  # the column that stays None until it is decided
    state: State  # the state in which it can still be decided
    event: str  # the trail action recording that it lapsed
    asker: str  # the relationship naming who asked
    message: Any  # what the asker is told


KINDS = (
    PendingKind(
        "extensions",
        "approved",
        State.HANDLING,
        "extension_lapsed",
        "requested_by",
        _l("Your extension request for %(number)s lapsed: %(cause)s"),
    ),
    PendingKind(
        "replies",
        "signed_off",
        State.HANDLING,
        "reply_lapsed",
        "author",
        _l("Your draft reply to %(number)s lapsed: %(cause)s"),
    ),
    PendingKind(
        "return_requests",
        "approved",
        State.RETURN_REQUESTED,
        "return_request_lapsed",
        "requested_by",
        _l("Your return request for %(number)s lapsed: %(cause)s"),
    ),
)


def _lapse_data(kind: PendingKind, request, cause: str) -> dict[str, Any]:
    data = {"cause": cause, "by": getattr(request, kind.asker).username}
    for name in ("days", "reason", "finding"):
        if hasattr(request, name):
            data[name] = getattr(request, name)
    return data


def lapse_pending(case: Case, cause: str, actor, at: datetime) -> None:
    """Let each request that waits in a state ``case`` has left lapse, because of ``cause``."""
    for kind in KINDS:
        if case.state == kind.state:
            continue
        for request in getattr(case, kind.collection):
            if getattr(request, kind.decision) is not None or request.ended_at is not None:
                continue
            request.ended_at, request.end_reason = at, cause
            data = _lapse_data(kind, request, cause)
            record_event("case", case.id, None, kind.event, data=data, at=at)
            asker: User = getattr(request, kind.asker)
            if asker.id != getattr(actor, "id", None):
                notify_user(
                    asker,
                    case,
                    _l(kind.message, number=case.number, cause=EVENT_LABELS[cause]),
                )
