"""The JSON API under /api/v1, authenticated with bearer tokens."""

from flask import Blueprint, current_app, request

from app.extensions import csrf

bp = Blueprint("api", __name__)
# Bearer tokens are not sent by browsers on their own, so CSRF does not apply.
csrf.exempt(bp)


@bp.before_request
def _bound_body() -> None:
    """Refuse a body larger than any request of this API needs (413) before reading it."""
    request.max_content_length = current_app.config["API_MAX_BODY_BYTES"]
