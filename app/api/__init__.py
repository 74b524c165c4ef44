"""The JSON API under /api/v1, authenticated with bearer tokens."""

from flask import Blueprint

from app.extensions import csrf

bp = Blueprint("api", __name__)
# Bearer tokens are not sent by browsers on their own, so CSRF does not apply.
csrf.exempt(bp)
