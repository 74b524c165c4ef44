"""Attachments: scanned letters, photos and PDFs, stored outside the web root."""

from flask import Blueprint

bp = Blueprint("attachments", __name__)
