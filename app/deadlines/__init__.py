"""Working-day calendar, deadline arithmetic and case clocks."""

from flask import Blueprint

bp = Blueprint("deadlines", __name__)
