"""Intake: registering complaints from every channel."""

from flask import Blueprint

bp = Blueprint("intake", __name__)
