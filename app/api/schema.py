"""The fields each API request accepts: used to refuse unknown fields and to build OpenAPI."""

from app.cases.models import Channel, Finding, Resolved, Satisfaction, SubjectKind, Urgency

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

ACTION_FIELDS: dict[str, dict[str, dict]] = {
    "screen": {},
    "classify": {
        "respondent_unit_code": STRING,
        "category_code": STRING,
        "subject_kind": enum(SubjectKind),
        "urgency": enum(Urgency),
        "respondent_staff": STRING,
    },
    "dispatch": {
        "unit_code": STRING,
        "assist_unit_codes": {"type": "array", "items": STRING},
        "override_reason": {**STRING, "description": "Required when not the suggested unit."},
        "note": STRING,
    },
    "sign_off": {"approve": {"type": "boolean"}, "note": STRING},
    "request_extension": {
        "days": {"type": "integer", "minimum": 1, "maximum": 15},
        "reason": STRING,
    },
    "decide_extension": {"approve": {"type": "boolean"}, "note": STRING},
    "sub_dispatch": {"unit_code": STRING, "note": STRING},
    "sub_reply": {"text": STRING},
    "contribute": {"text": STRING},
    "comment": {"text": STRING},
    "reject": {"reason": STRING, "advice": {**STRING, "description": "Where to go instead."}},
    "merge": {"case_id": {"type": "integer"}, "case_number": STRING},
    "invalidate": {"reason": STRING},
    "resolve_directly": {"text": {**STRING, "description": "The reply to the complainant."}},
    "sign": {},
    "request_return": {
        "reason": STRING,
        "suggested_unit_code": {**STRING, "description": "The unit believed responsible."},
    },
    "decide_return": {
        "approve": {"type": "boolean"},
        "note": {**STRING, "description": "Required to deny."},
    },
    "reply": {"text": STRING, "finding": enum(Finding)},
    "review": {
        "pass": {"type": "boolean"},
        "note": {**STRING, "description": "Required to send back."},
        "public_reply": {**STRING, "description": "Told to the complainant when passing."},
        "rectify_days": {
            "type": "integer",
            "minimum": 1,
            "maximum": 60,
            "description": "When passing: working days the unit has to report rectification.",
        },
    },
    "visit": {
        "satisfaction": enum(Satisfaction),
        "resolved": enum(Resolved),
        "note": STRING,
        "method": enum(["phone", "sms", "web", "visit"]),
    },
    "reopen": {"reason": STRING},
    "report_rectification": {"text": STRING},
    "answer_order": {"text": STRING},
}
ACTION_REQUIRED = {
    "classify": ["respondent_unit_code", "category_code"],
    "dispatch": ["unit_code"],
    "sign_off": ["approve"],
    "request_extension": ["days", "reason"],
    "decide_extension": ["approve"],
    "sub_dispatch": ["unit_code"],
    "sub_reply": ["text"],
    "contribute": ["text"],
    "comment": ["text"],
    "request_return": ["reason"],
    "decide_return": ["approve"],
    "reject": ["reason"],
    "invalidate": ["reason"],
    "resolve_directly": ["text"],
    "reply": ["text", "finding"],
    "review": ["pass"],
    "visit": ["satisfaction", "resolved"],
    "reopen": ["reason"],
    "report_rectification": ["text"],
    "answer_order": ["text"],
}
