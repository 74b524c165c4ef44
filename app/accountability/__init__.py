"""Accountability (问责): referrals, accountability cases, decisions and efficiency records."""

from flask import Blueprint

# Imported for its effect: a calendar change recomputes the accountability clocks too.
from app.accountability import clocks  # noqa: F401

bp = Blueprint("accountability", __name__)
