"""Jinja filters and globals: local times and labels; domains add their own globals."""

from datetime import datetime

from babel.lists import format_list
from flask import Flask, request
from flask_babel import format_datetime, get_locale

from app.core.labels import CHOICE_LABELS, label
from app.core.types import utcnow
from app.core.validation import colon


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


def names_list(values) -> str:
    """Join names the way the current language lists them (甲、乙和丙, or A, B, and C)."""
    values = [str(v) for v in values or () if v]
    return format_list(values, locale=get_locale()) if values else ""


def filesize(size: int) -> str:
    """Say a file's size as a file manager does: whole KB (at least 1), or MB past 1,000 KB."""
    kilobytes = -(-size // 1024)
    if kilobytes < 1000:
        return f"{max(kilobytes, 1)} KB"
    return f"{size / (1024 * 1024):.1f} MB"


def init_app(app: Flask) -> None:
    app.jinja_env.filters["localdt"] = localdt
    app.jinja_env.filters["isodt"] = isodt
    app.jinja_env.filters["label"] = label
    app.jinja_env.filters["names_list"] = names_list
    app.jinja_env.filters["filesize"] = filesize
    app.jinja_env.globals["CHOICE_LABELS"] = CHOICE_LABELS
    app.jinja_env.globals["utcnow"] = utcnow
    app.jinja_env.globals["colon"] = colon

    @app.context_processor
    def _globals():
        return {"current_locale": str(get_locale()), "request_path": request.path}
