"""Accountability (问责): referrals, accountability cases, decisions and efficiency records."""

from flask import Blueprint

bp = Blueprint("accountability", __name__)
