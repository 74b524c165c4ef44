"""Administration: the unit tree, categories and routing rules (no complaint content)."""

from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")
