"""HTTP error answers: JSON under /api, pages elsewhere."""

import logging

from flask import Flask, flash, jsonify, make_response, redirect, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from app.core.errors import DomainError, NotFound, ValidationFailed
from app.core.validation import labelled
from app.extensions import db

log = logging.getLogger(__name__)


def wants_json() -> bool:
    return request.path.startswith("/api/")


def json_error(status: int, code: str, message: str, fields: dict | None = None):
    body = {"error": code, "message": message}
    if fields:
        body["fields"] = fields
    return jsonify(body), status


def _back_target() -> str:
    """Return the same-site page the form was posted from, or the current path."""
    referrer = request.referrer or ""
    if referrer.startswith(request.host_url):
        return "/" + referrer[len(request.host_url) :]
    return request.path


SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    # No inline scripts anywhere: a stored complaint can never run as code.
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; object-src 'none'; "
    "frame-ancestors 'none'; base-uri 'self'; form-action 'self'",
}


def init_app(app: Flask) -> None:
    @app.after_request
    def _security_headers(response):
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        return response

    @app.errorhandler(DomainError)
    def _domain_error(error: DomainError):
        db.session.rollback()
        if wants_json():
            return json_error(error.status, error.code, error.message, error.fields)
        if isinstance(error, NotFound):
            return render_template("errors/error.html", status=404, message=_("Not found.")), 404
        if not isinstance(error, ValidationFailed):
            # Refused (403) or out of turn (409): say why, with the way back.
            return render_template(
                "errors/error.html",
                status=error.status,
                message=error.message,
                back_url=_back_target(),
            ), error.status
        # Each bad field once, by its label; the message names only the first.
        for name, message in error.fields.items():
            flash(labelled(error.labels.get(name, name), message), "error")
        if not error.fields:
            flash(error.message, "error")
        return redirect(_back_target()), 303

    @app.errorhandler(CSRFError)
    def _csrf_error(error: CSRFError):
        if wants_json():
            return json_error(400, "csrf", error.description)
        return render_template(
            "errors/error.html",
            status=400,
            message=_("The form expired or was not sent from this site. Reload and try again."),
        ), 400

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException):
        response, status = _http_error_body(error)
        # What the exception says in its headers still holds: Allow on a 405, Retry-After
        # on a 429, WWW-Authenticate on a 401.
        for name, value in error.get_headers():
            if name.lower() != "content-type":
                response.headers[name] = value
        return response, status

    def _http_error_body(error: HTTPException):
        if wants_json():
            code = (error.name or "error").lower().replace(" ", "_")
            message = error.description or error.name
            if error.code == 404 and request.url_rule is None:
                message = f"No such endpoint: {request.path}"
            return json_error(error.code or 500, code, message)
        messages = {
            403: _("You may not do this."),
            404: _("Not found."),
            405: _("This method is not allowed here."),
            413: _("The upload is too large."),
            429: _("Too many requests. Please wait a moment and try again."),
        }
        message = messages.get(error.code, error.description or error.name)
        page = render_template("errors/error.html", status=error.code, message=message)
        return make_response(page), error.code or 500

    @app.errorhandler(Exception)
    def _unexpected(error: Exception):
        if app.testing:
            raise error  # let the test show the traceback instead of a 500 page
        log.exception("unhandled error on %s %s", request.method, request.path)
        db.session.rollback()
        if wants_json():
            return json_error(500, "internal_error", "An internal error occurred.")
        return render_template(
            "errors/error.html", status=500, message=_("Something went wrong on our side.")
        ), 500
