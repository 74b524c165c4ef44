"""The receipt (受理回执) every complainant gets: the case number and the tracking code."""

from flask import current_app, has_request_context, url_for
from flask_babel import lazy_gettext as _l

from app.cases.models import Case
from app.notifications.services import notify_complainant


def tracking_link() -> str:
    """Return the public progress page's address, or "" where none can be known."""
    if has_request_context():
        return url_for("public.track", _external=True)
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    if not base:
        return ""  # a job outside any request, and no configured address to point to
    return base + current_app.url_map.bind("localhost").build("public.track")


def send_receipt(case: Case) -> None:
    """Put the receipt in the outbox (e-mail, else SMS; never to an anonymous complainant).

    It is committed with the case and sent after the commit, or by the outbox relay if
    the queue is down: a complainant learns the tracking code whatever Redis does.
    """
    if case.channel not in current_app.config["INTAKE_RECEIPT_CHANNELS"]:
        return
    link = tracking_link()
    if link:
        body = _l(
            "Your complaint %(number)s was received. Follow it at %(link)s "
            "with the tracking code %(code)s.",
            number=case.number,
            link=link,
            code=case.tracking_code,
        )
    else:
        body = _l(
            "Your complaint %(number)s was received. Its tracking code is %(code)s.",
            number=case.number,
            code=case.tracking_code,
        )
    notify_complainant(case, _l("Complaint %(number)s received", number=case.number), body)
