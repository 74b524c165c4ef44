"""Jinja filters and globals: local times, labels, allowed actions."""

from datetime import datetime

from flask import Flask, request
from flask_babel import format_datetime, get_locale
from flask_babel import lazy_gettext as _l

from app.cases.workflow import ACTION_LABELS, STATE_LABELS, State, allowed_actions
from app.core.access_log import ACCESS_CHANNEL_LABELS
from app.core.types import utcnow

CHOICE_LABELS = {
    "channel": {
        "hotline": _l("Hotline"),
        "web": _l("Website"),
        "letter": _l("Letter"),
        "email": _l("E-mail"),
        "api": _l("API"),
        "inspection": _l("Inspection"),
    },
    "subject_kind": {
        "unit": _l("The unit"),
        "staff": _l("A staff member"),
        "unit_leader": _l("The unit's leadership"),
    },
    "urgency": {"normal": _l("Normal"), "urgent": _l("Urgent")},
    "severity": {"ordinary": _l("ordinary"), "serious": _l("serious")},
    "notice": {"reminder": _l("Reminder notice"), "order": _l("Supervision order")},
    "warning": {"prewarn": _l("Pre-warning"), "yellow": _l("Yellow card"), "red": _l("Red card")},
    "unit_kind": {
        "government": _l("government"),
        "department": _l("department"),
        "station": _l("station"),
        "discipline_office": _l("discipline office"),
        "complaint_center": _l("complaint center"),
    },
    "finding": {
        "substantiated": _l("Substantiated"),
        "partly_substantiated": _l("Partly substantiated"),
        "unsubstantiated": _l("Unsubstantiated"),
    },
    "satisfaction": {
        "satisfied": _l("Satisfied"),
        "basically_satisfied": _l("Basically satisfied"),
        "unsatisfied": _l("Unsatisfied"),
    },
    "resolved": {"yes": _l("Resolved"), "partly": _l("Partly resolved"), "no": _l("Not resolved")},
    "clock": {
        "screen": _l("Screening stage"),
        "sign": _l("Signing stage"),
        "handle": _l("Handling stage"),
        "visit": _l("Return visit stage"),
        "rectify": _l("Rectification stage"),
    },
    "role": {
        "operator": _l("Operator"),
        "center_lead": _l("Center lead"),
        "handler": _l("Handler"),
        "unit_lead": _l("Unit lead"),
        "inspector": _l("Inspector"),
        "leader": _l("Leader"),
        "admin": _l("Administrator"),
    },
    "assignment_role": {
        "lead": _l("Lead unit"),
        "assist": _l("Assisting unit"),
        "sub": _l("Unit below (passed down)"),
    },
    "access_channel": ACCESS_CHANNEL_LABELS,
    "event": {
        "register": _l("Registered"),
        "screen": _l("Screening started"),
        "classify": _l("Classified"),
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
        "decide_return": _l("Return request decided"),
        "reply": _l("Replied"),
        "review": _l("Reply reviewed"),
        "visit": _l("Return visit"),
        "reopen": _l("Reopened"),
        "deadline_recomputed": _l("Deadline recomputed after a calendar change"),
        "report_rectification": _l("Rectification reported"),
        "answer_order": _l("Supervision order answered"),
    },
}


def label(value, kind: str) -> str:
    """Return the display label of a stored choice value."""
    if value is None:
        return ""
    if kind == "state":
        return str(STATE_LABELS.get(State(value), value))
    if kind == "action":
        return str(ACTION_LABELS.get(value, value))
    return str(CHOICE_LABELS.get(kind, {}).get(value, value))


def localdt(value, fmt: str = "yyyy-MM-dd HH:mm") -> str:
    """Format an aware UTC datetime in Asia/Shanghai."""
    if value is None:
        return ""
    return format_datetime(value, fmt)


def isodt(value, fmt: str = "yyyy-MM-dd HH:mm") -> str:
    """Format an ISO 8601 string (as stored in event data) in Asia/Shanghai."""
    if not value:
        return ""
    try:
        return localdt(datetime.fromisoformat(value), fmt)
    except (TypeError, ValueError):
        return str(value)


def init_app(app: Flask) -> None:
    app.jinja_env.filters["localdt"] = localdt
    app.jinja_env.filters["isodt"] = isodt
    app.jinja_env.filters["label"] = label
    app.jinja_env.globals["allowed_actions"] = allowed_actions
    app.jinja_env.globals["CHOICE_LABELS"] = CHOICE_LABELS
    app.jinja_env.globals["utcnow"] = utcnow

    @app.context_processor
    def _globals():
        from flask_login import current_user

        from app.notifications.views import unread_count

        unread = unread_count(current_user) if current_user.is_authenticated else 0
        calendar_alert = None
        if current_user.is_authenticated and current_user.has_role("admin"):
            from app.deadlines.calendar_admin import calendar_status

            status = calendar_status()
            calendar_alert = status if status.alert else None
        return {
            "current_locale": str(get_locale()),
            "request_path": request.path,
            "unread_count": unread,
            "calendar_alert": calendar_alert,
        }
