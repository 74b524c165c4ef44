"""Cases: the workflow, worklists and the case page."""

from flask import Blueprint

bp = Blueprint("cases", __name__)
