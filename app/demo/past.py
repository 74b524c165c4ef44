"""The demo's past: moments some working days ago, for cases built with a history."""

from datetime import datetime, timedelta

from app.core.types import utcnow
from app.deadlines.services import load_calendar
from app.deadlines.workdays import to_local


def workdays_ago(n: int) -> datetime:
    """Return this time of day ``n`` working days ago on the stored calendar."""
    now = utcnow()
    calendar = load_calendar(to_local(now).date() - timedelta(days=3 * n + 10))
    moment, left = now, n
    while left:
        moment -= timedelta(days=1)
        if calendar.day(to_local(moment).date()).is_workday:
            left -= 1
    return moment
