"""Every case action by name, and the one entry point that runs them (web, API, jobs)."""

from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm.exc import StaleDataError

from app.cases import handling, services
from app.cases.engine import check_version
from app.cases.models import Case
from app.cases.workflow import ACTIONS, ADDITIVE_ACTIONS, allowed_actions, check_transition
from app.core.errors import NotFound, StaleVersion
from app.core.trail import hold_chain
from app.extensions import db

HANDLERS = {
    "screen": services.start_screening,
    "classify": services.classify_case,
    "dispatch": services.dispatch_case,
    "reject": services.reject_case,
    "merge": services.merge_case,
    "invalidate": services.invalidate_case,
    "resolve_directly": services.resolve_directly,
    "decide_return": services.decide_return,
    "review": services.review_reply,
    "visit": services.record_visit,
    "reopen": services.reopen_case,
    "decide_extension": services.decide_extension,
    "comment": services.comment_case,
    "sign": handling.sign_case,
    "request_return": handling.request_return,
    "reply": handling.reply_case,
    "sign_off": handling.sign_off_reply,
    "request_extension": handling.request_extension,
    "sub_dispatch": handling.sub_dispatch,
    "sub_reply": handling.sub_reply,
    "contribute": handling.contribute,
    "report_rectification": handling.report_rectification,
    "answer_order": handling.answer_order,
    "withdraw_extension": handling.withdraw_extension,
    "withdraw_return": handling.withdraw_return,
}


def perform_action(
    case: Case, action: str, actor, data: dict[str, Any], expected_version=None
) -> Case:
    """Run ``action`` on ``case`` for ``actor`` with the given fields."""
    if action not in ACTIONS:
        raise NotFound(_l("Unknown action: %(action)s", action=action))
    # A refusal is answered before any lock is taken: whoever is refused holds nothing
    # (on SQLite the chain's lock is the database's write lock). A stale page is told
    # first, since what it asks may no longer fit the case as it is now.
    if action not in ADDITIVE_ACTIONS:
        check_version(case, expected_version)
    if action not in allowed_actions(case, actor):
        check_transition(case, action, actor)
    # Appends to the case's trail wait here for one another, before anything is read
    # or written: taken later, after the case row's lock, two actions could deadlock.
    hold_chain("case", case.id)
    handler = HANDLERS[action]
    try:
        handler(case, actor, data)
        db.session.flush()
    except StaleDataError:
        db.session.rollback()
        raise StaleVersion(
            _l("Somebody else changed this case at the same time. Reload it.")
        ) from None
    return case
