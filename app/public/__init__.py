"""The public side: citizens submit complaints and follow them with a tracking code."""

from flask import Blueprint

bp = Blueprint("public", __name__, url_prefix="/public")
