"""The fields each API request accepts: used to refuse unknown fields and to build OpenAPI.

The case actions' fields come from their specs (``app/cases/specs.py``).
"""

from app.cases.models import Channel, SubjectKind, Urgency
from app.cases.specs import SPECS

STRING = {"type": "string"}


def enum(values) -> dict:
    return {"type": "string", "enum": [str(v) for v in values]}


COMPLAINANT_FIELDS = {
    "name": {**STRING, "maxLength": 80},
    "phone": {**STRING, "maxLength": 32},
    "email": {**STRING, "maxLength": 120},
    "address": {**STRING, "maxLength": 200},
    "anonymous": {"type": "boolean", "default": False},
}

CASE_FIELDS = {
    "channel": enum(Channel),
    "complainant": {
        "type": "object",
        "properties": COMPLAINANT_FIELDS,
        "additionalProperties": False,
    },
    "respondent_unit_code": STRING,
    "category_code": STRING,
    "subject_kind": {**enum(SubjectKind), "default": "unit"},
    "urgency": {**enum(Urgency), "default": "normal"},
    "respondent_staff": {**STRING, "maxLength": 120},
    "call_reference": {**STRING, "maxLength": 64},
    "letter_box": {**STRING, "maxLength": 80, "description": "Required for channel letter."},
    "letter_collected_on": {
        "type": "string",
        "format": "date",
        "description": "Required for channel letter.",
    },
    "title": {**STRING, "maxLength": 200},
    "content": {**STRING, "maxLength": 20000},
}
CASE_REQUIRED = [
    "channel",
    "complainant",
    "respondent_unit_code",
    "category_code",
    "title",
    "content",
]

VERSION = {"type": "integer", "description": "The case version you acted on; 409 if stale."}


def action_fields(action: str) -> dict[str, dict]:
    """Return the JSON schema of each field ``action`` accepts, built from its spec now.

    Built per call: limits such as the extension days follow the app's config.
    """
    return SPECS[action].json_schema()["properties"]


def action_required(action: str) -> list[str]:
    """Return the fields ``action`` requires."""
    return SPECS[action].required


def action_schema(action: str) -> dict:
    """Return the JSON schema of the request body of ``action``."""
    return SPECS[action].json_schema(extra={"version": VERSION})
