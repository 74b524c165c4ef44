"""The deadline calculator for staff and admins."""

from datetime import datetime

from flask import render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from app.auth.models import Role
from app.core.permissions import roles_required
from app.deadlines import bp
from app.deadlines.calendar_admin import FIRST_YEAR, LAST_YEAR
from app.deadlines.services import load_calendar
from app.deadlines.workdays import SHANGHAI, add_workdays, to_local

MAX_DAYS = 250


@bp.get("/deadlines/calculator")
@roles_required(*Role)
def calculator():
    """Show the due moment N working days after a start, with the days skipped and why."""
    start_text = request.args.get("start", "").strip()[:32]
    days_text = request.args.get("days", "").strip()[:4]
    result, error = None, None
    if start_text or days_text:
        try:
            start = datetime.fromisoformat(start_text)
            days = int(days_text)
        except ValueError:
            error = _("Give a start such as 2026-02-13T10:00 and a whole number of days.")
        else:
            if not 1 <= days <= MAX_DAYS:
                error = _("Between 1 and %(n)d working days.", n=MAX_DAYS)
            elif not FIRST_YEAR <= start.year <= LAST_YEAR:
                # Past the calendar's years the count has nothing to stand on, and at the
                # edges of Python's (year 1, 9999) the dates themselves overflow.
                error = _(
                    "Give a start between %(low)d and %(high)d.", low=FIRST_YEAR, high=LAST_YEAR
                )
            else:
                start = start if start.tzinfo else start.replace(tzinfo=SHANGHAI)
                result = add_workdays(
                    start,
                    days,
                    load_calendar(
                        to_local(start).date(), to_local(start).date().replace(year=start.year + 2)
                    ),
                )
    status = 422 if error else 200
    return render_template(
        "deadlines/calculator.html", result=result, error=error, start=start_text, days=days_text
    ), status


@bp.app_context_processor
def _calendar_alert():
    """Give admins' pages the alert while deadlines need a calendar year not entered."""
    if not (current_user.is_authenticated and current_user.has_role("admin")):
        return {"calendar_alert": None}
    from app.deadlines.calendar_admin import calendar_status

    status = calendar_status()
    return {"calendar_alert": status if status.alert else None}
