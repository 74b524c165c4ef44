"""The e-mail mailbox: fetching complaints and replies over IMAP, and the triage queue."""

from flask import Blueprint

bp = Blueprint("mailbox", __name__)
