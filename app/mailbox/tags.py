"""Subject tags that let a complainant's reply find its case, and only its case."""

import hashlib
import hmac

from flask import current_app


def verification_code(case_number: str) -> str:
    """Return the code that proves a reply's subject came from our own message."""
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, case_number.encode(), hashlib.sha256).hexdigest()[:8].upper()


def subject_tag(case_number: str) -> str:
    """Return the tag put in subjects of mail to complainants: [CC2026-000123 #1A2B3C4D]."""
    return f"[{case_number} #{verification_code(case_number)}]"
