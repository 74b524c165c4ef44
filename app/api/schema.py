"""The fields each API request accepts: used to refuse unknown fields and to build OpenAPI.

The case actions' fields come from their specs (``app/cases/specs.py``).
"""

from app.cases.models import Channel, SubjectKind, Urgency
from app.cases.specs import SPECS
from app.core.validation import DB_INT_MAX, EMAIL_PATTERN, PHONE_PATTERN
from app.units.naming import MAX_NEW, MAX_PICKS, NEW_STAFF_ITEM

STRING = {"type": "string"}
# Not given: the same as leaving the field out.
OPTIONAL = {"type": "string", "nullable": True}


def enum(values, *, nullable: bool = False) -> dict:
    schema = {"type": "string", "enum": [str(v) for v in values]}
    if nullable:
        schema.update(nullable=True, enum=[*schema["enum"], None])
    return schema


COMPLAINANT_FIELDS = {
    "name": {**OPTIONAL, "maxLength": 80, "description": "Required unless anonymous."},
    "phone": {**OPTIONAL, "maxLength": 32, "pattern": PHONE_PATTERN},
    "email": {**OPTIONAL, "maxLength": 120, "pattern": EMAIL_PATTERN},
    "address": {**OPTIONAL, "maxLength": 200},
    "anonymous": {"type": "boolean", "default": False},
}

CASE_FIELDS = {
    "channel": enum(Channel),
    "complainant": {
        "type": "object",
        "properties": COMPLAINANT_FIELDS,
        "additionalProperties": False,
        "description": "A phone number, e-mail or address is needed unless anonymous.",
    },
    "respondent_unit_code": {
        **OPTIONAL,
        "maxLength": 40,
        "description": "Required unless the channel is email.",
    },
    "category_code": {
        **OPTIONAL,
        "maxLength": 40,
        "description": "Required unless the channel is email.",
    },
    "subject_kind": {**enum(SubjectKind, nullable=True), "default": "unit"},
    "urgency": {**enum(Urgency, nullable=True), "default": "normal"},
    "respondent_staff": {
        **OPTIONAL,
        "maxLength": 120,
        "description": "The person named, as said or written (kept as given).",
    },
    "respondent_staff_ids": {
        "type": "array",
        "nullable": True,
        "items": {"type": "integer", "minimum": 1, "maximum": DB_INT_MAX},
        "maxItems": MAX_PICKS,
        "description": "Ids of staff of the unit complained about (another unit's are refused).",
    },
    "respondent_staff_new": {
        "type": "array",
        "nullable": True,
        "items": NEW_STAFF_ITEM,
        "maxItems": MAX_NEW,
        "description": "People not on the unit's list: each becomes an entry pending an "
        "administrator's confirmation (one with the same name and post is reused).",
    },
    "call_reference": {**OPTIONAL, "maxLength": 64},
    "letter_box": {**OPTIONAL, "maxLength": 80, "description": "Required for channel letter."},
    "letter_collected_on": {
        **OPTIONAL,
        "format": "date",
        "description": "Required for channel letter; not in the future.",
    },
    "title": {**STRING, "minLength": 1, "maxLength": 200},
    "content": {**STRING, "minLength": 1, "maxLength": 20000},
}
CASE_REQUIRED = ["channel", "complainant", "title", "content"]

VERSION = {
    "type": "integer",
    "nullable": True,
    "description": "The case version you acted on; 409 if stale.",
}


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
