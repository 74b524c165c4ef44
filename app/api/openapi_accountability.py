"""The accountability part of the OpenAPI document, merged in by ``build_openapi``.

Request bodies come from the same specs the services read (``app/accountability/specs.py``).
"""

from app.accountability.inspections import TEXT_MAX as FINDING_TEXT_MAX
from app.accountability.models import (
    AccClockKind,
    AppealOutcome,
    InspectionFindingKind,
    NoActionKind,
    ReferralOrigin,
    ReferralState,
    ServiceMethod,
    SourceKind,
    SubjectType,
)
from app.accountability.queries import TABS
from app.accountability.specs import ACC_SPECS, REFERRAL_SPECS
from app.accountability.workflow import ACC_ACTIONS, AccState
from app.api.openapi_parts import (
    BOOLEAN,
    ID,
    IF_MATCH,
    INTEGER,
    MOMENT,
    NULLABLE_MOMENT,
    NULLABLE_STRING,
    PAGE_PARAMETERS,
    STRING,
    _enum,
    _error,
    _errors,
    _json,
    _object,
    _ref,
)
from app.api.schema import VERSION
from app.cases.models import Finding
from app.supervision.models import WarningLevel

DATE = {"type": "string", "format": "date"}
NULLABLE_DATE = {**DATE, "nullable": True}
NULLABLE_INTEGER = {"type": "integer", "nullable": True}
COUNT = {"type": "integer", "minimum": 0}

UNIT_REF = _object({"id": INTEGER, "code": STRING, "name": STRING})
STAFF_REF = _object({"id": INTEGER, "name": STRING, "post": STRING, "unit_id": INTEGER})


FILE = _object(
    {
        "id": INTEGER,
        "filename": STRING,
        "content_type": STRING,
        "size": INTEGER,
        "sha256": STRING,
        "url": {"type": "string", "description": "GET it with the same token."},
    }
)


def _upload(field: str, description: str) -> dict:
    """A multipart body with files under ``field`` (images or PDF)."""
    return {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {
                        field: {
                            "type": "array",
                            "items": {"type": "string", "format": "binary"},
                            "description": description,
                        }
                    },
                    "required": [field],
                }
            }
        },
    }


def _nullable(schema: dict) -> dict:
    return {**schema, "nullable": True}


ACC_CASE_SUMMARY = _object(
    {
        "id": INTEGER,
        "number": {"type": "string", "example": "WZ2026-0003"},
        "title": STRING,
        "state": _enum(AccState),
        "organ": {**UNIT_REF, "description": "The deciding discipline office."},
        "inspector": {**NULLABLE_STRING, "description": "The username of the inspector."},
        "created_at": MOMENT,
        "updated_at": MOMENT,
        "closed_at": NULLABLE_MOMENT,
        "version": INTEGER,
    }
)

REFERRAL_SUMMARY = _object(
    {
        "id": INTEGER,
        "origin": _enum(ReferralOrigin),
        "state": _enum(ReferralState),
        "organ": {**UNIT_REF, "description": "The office whose queue it is in."},
        "unit": UNIT_REF,
        "staff": _nullable(STAFF_REF),
        "summary": STRING,
        "created_at": MOMENT,
        "acc_case_id": NULLABLE_INTEGER,
    }
)

REFERRAL_SOURCE = _object(
    {
        "kind": _enum(SourceKind),
        "source_id": INTEGER,
        "case_id": NULLABLE_INTEGER,
        "case_number": NULLABLE_STRING,
    }
)

REFERRAL = {
    "allOf": [
        _ref("ReferralSummary"),
        _object(
            {
                "decline_reason": STRING,
                "created_by": {**NULLABLE_STRING, "description": "Null for the system's."},
                "decided_at": NULLABLE_MOMENT,
                "sources": {"type": "array", "items": REFERRAL_SOURCE},
            }
        ),
    ]
}

ACC_CLOCK = _object(
    {
        "id": INTEGER,
        "kind": _enum(AccClockKind),
        "decision_id": NULLABLE_INTEGER,
        "days": INTEGER,
        "started_at": MOMENT,
        "due_at": MOMENT,
        "provisional": BOOLEAN,
        "overdue_at": NULLABLE_MOMENT,
        "stopped_at": NULLABLE_MOMENT,
        "late": {"type": "boolean", "nullable": True},
    }
)

DECISION = _object(
    {
        "id": INTEGER,
        "subject_type": _enum(SubjectType),
        "subject": {"type": "string", "description": "Name (unit and post), or the unit."},
        "unit": UNIT_REF,
        "staff": _nullable(STAFF_REF),
        "form_code": NULLABLE_STRING,
        "form_name": NULLABLE_STRING,
        "number": {**NULLABLE_STRING, "description": "Issued at approval: 澄纪效告〔2026〕3号."},
        "facts": STRING,
        "bases": {"type": "array", "items": _object({"id": INTEGER, "citation": STRING})},
        "requirements": STRING,
        "execution_days": NULLABLE_INTEGER,
        "consequences": STRING,
        "decided_on": NULLABLE_DATE,
        "effective_until": NULLABLE_DATE,
        "document_id": {
            **NULLABLE_INTEGER,
            "description": "The notice (GET /documents/{document_id}), once approved.",
        },
        "document_status": NULLABLE_STRING,
        "service": _object(
            {
                "served_at": NULLABLE_MOMENT,
                "served_to": STRING,
                "served_how": _enum(ServiceMethod, nullable=True),
                "receipt": _nullable(FILE),
            }
        ),
        "appeal": _object(
            {
                "until": NULLABLE_MOMENT,
                "filed_at": NULLABLE_MOMENT,
                "text": STRING,
                "outcome": _enum(AppealOutcome, nullable=True),
                "decided_at": NULLABLE_MOMENT,
                "note": STRING,
                "changed_from_code": NULLABLE_STRING,
            }
        ),
        "execution": _object(
            {"due_at": NULLABLE_MOMENT, "executed_at": NULLABLE_MOMENT, "note": STRING}
        ),
        "revoked": BOOLEAN,
    }
)

ACC_EVENT = _object(
    {
        "at": MOMENT,
        "action": STRING,
        "actor": {**NULLABLE_STRING, "description": "Null for the system's steps."},
        "from_state": NULLABLE_STRING,
        "to_state": NULLABLE_STRING,
        "data": {"type": "object"},
    }
)

ACC_CASE = {
    "allOf": [
        _ref("AccCaseSummary"),
        _object(
            {
                "findings": STRING,
                "statement_due_at": NULLABLE_MOMENT,
                "statement_at": NULLABLE_MOMENT,
                "statement": STRING,
                "approved_at": NULLABLE_MOMENT,
                "no_action_kind": _enum(NoActionKind, nullable=True),
                "no_action_reason": STRING,
                "allowed_actions": {
                    "type": "array",
                    "items": _enum(ACC_ACTIONS),
                    "description": "What the caller may do now.",
                },
                "decisions": {"type": "array", "items": _ref("Decision")},
                "clocks": {"type": "array", "items": _ref("AccClock")},
                "referrals": {"type": "array", "items": _ref("Referral")},
                "events": {"type": "array", "items": _ref("AccEvent")},
            }
        ),
    ]
}

QUEUE = _object(
    {
        "tab": _enum(TABS),
        "counts": {
            "type": "object",
            "additionalProperties": COUNT,
            "description": "The number of rows in each tab the caller has.",
        },
        "items": {
            "type": "array",
            "items": {
                "anyOf": [
                    _ref("ReferralSummary"),
                    _ref("AccCaseSummary"),
                    _object({"clock": _ref("AccClock"), "acc_case": _ref("AccCaseSummary")}),
                ]
            },
            "description": "Referrals (tab `referrals`), running clocks with their case "
            "(`deadlines`), or cases (the others).",
        },
        "page": INTEGER,
        "per_page": INTEGER,
        "total": INTEGER,
        "pages": INTEGER,
    }
)

RECORD_PROPERTIES = {
    "counters": {
        "type": "array",
        "items": _object(
            {
                "year": INTEGER,
                "counts": {
                    "type": "object",
                    "additionalProperties": COUNT,
                    "description": "`valid_cases`, `yellow`, `red`, `orders`, `decisions`, "
                    "`appeals`, and `form:<code>` per form; a count of 0 is left out.",
                },
            }
        ),
    },
    "decisions": {
        "type": "array",
        "items": _object(
            {
                "id": INTEGER,
                "acc_case_id": INTEGER,
                "number": STRING,
                "subject_type": _enum(SubjectType),
                "staff_id": NULLABLE_INTEGER,
                "form_code": STRING,
                "decided_on": DATE,
                "effective_until": NULLABLE_DATE,
                "appeal_filed_at": NULLABLE_MOMENT,
                "appeal_outcome": _enum(AppealOutcome, nullable=True),
                "revoked": BOOLEAN,
            }
        ),
    },
    "valid_cases": {
        "type": "array",
        "items": _object(
            {
                "id": INTEGER,
                "number": STRING,
                "title": STRING,
                "finding": _enum(Finding),
                "closed_at": MOMENT,
            }
        ),
    },
    "suggestions": {
        "type": "array",
        "items": _object(
            {
                "id": INTEGER,
                "rule_id": INTEGER,
                "period_key": STRING,
                "count": INTEGER,
                "text": STRING,
                "created_at": MOMENT,
            }
        ),
    },
}

STAFF_RECORD = _object({"staff": STAFF_REF, "unit": UNIT_REF, **RECORD_PROPERTIES})
UNIT_RECORD = _object(
    {
        "unit": UNIT_REF,
        "cards": {
            "type": "array",
            "items": _object(
                {
                    "id": INTEGER,
                    "level": _enum([WarningLevel.YELLOW, WarningLevel.RED]),
                    "issued_at": MOMENT,
                    "number": NULLABLE_STRING,
                    "case_id": INTEGER,
                    "case_number": STRING,
                }
            ),
        },
        **RECORD_PROPERTIES,
    }
)

FINDING = _object(
    {
        "id": INTEGER,
        "kind": _enum(InspectionFindingKind),
        "unit": UNIT_REF,
        "staff": _nullable(STAFF_REF),
        "text": STRING,
        "case_id": {**NULLABLE_INTEGER, "description": "The complaint case it became."},
        "case_number": NULLABLE_STRING,
        "referral_id": {**NULLABLE_INTEGER, "description": "The referral it became."},
    }
)

INSPECTION = _object(
    {
        "id": INTEGER,
        "organ": UNIT_REF,
        "held_on": DATE,
        "place": STRING,
        "team": STRING,
        "notes": STRING,
        "created_at": MOMENT,
        "findings": {"type": "array", "items": _ref("InspectionFinding")},
        "photos": {"type": "array", "items": FILE},
    }
)


def _text(max_length: int, *, required: bool = True) -> dict:
    if required:
        return {"type": "string", "minLength": 1, "maxLength": max_length}
    return {"type": "string", "nullable": True, "maxLength": max_length}


NEW_INSPECTION = {
    "type": "object",
    "properties": {
        "held_on": {**DATE, "description": "Not in the future."},
        "place": _text(200),
        "team": _text(200),
        "notes": _text(FINDING_TEXT_MAX, required=False),
    },
    "required": ["held_on", "place", "team"],
    "additionalProperties": False,
}

NEW_FINDING = {
    "type": "object",
    "properties": {
        "kind": {
            **_enum(InspectionFindingKind),
            "description": "`unit_service` registers a complaint case on the inspection "
            "channel; `person` puts a referral in the queue of the deciding office.",
        },
        "unit_code": _text(40),
        "staff": {
            **_text(10, required=False),
            "description": "The id of a person on the unit's staff list (required for `person`).",
        },
        "category_code": {
            **_text(40, required=False),
            "description": "Required for `unit_service`.",
        },
        "title": {**_text(200, required=False), "description": "Required for `unit_service`."},
        "text": _text(FINDING_TEXT_MAX),
    },
    "required": ["kind", "unit_code", "text"],
    "additionalProperties": False,
}

FORM = _object(
    {
        "code": STRING,
        "name": STRING,
        "rank": {"type": "integer", "description": "Light to heavy."},
        "doc_title": STRING,
        "effect_months": COUNT,
        "consequences": STRING,
    }
)
LEGAL_BASIS = _object(
    {
        "id": INTEGER,
        "name": STRING,
        "article": STRING,
        "citation": STRING,
        "text": STRING,
    }
)

ACC_CASE_ID = {"name": "acc_case_id", "in": "path", "required": True, "schema": ID}
REFERRAL_ID = {"name": "referral_id", "in": "path", "required": True, "schema": ID}
INSPECTION_ID = {"name": "inspection_id", "in": "path", "required": True, "schema": ID}
DECISION_ID = {"name": "decision_id", "in": "path", "required": True, "schema": ID}


def _not_found(what: str) -> dict:
    return {
        "description": f"No such {what}, or not visible to you.",
        "content": {"application/json": {"schema": _ref("Error")}},
    }


def _created(schema: dict, *, location: bool = True) -> dict:
    answer = _json(schema, "Created")
    if location:
        answer["headers"] = {"Location": {"required": True, "schema": STRING}}
    return answer


def accountability_schemas() -> dict:
    """Return the component schemas of accountability, request bodies built from the specs."""
    return {
        "AccCaseSummary": ACC_CASE_SUMMARY,
        "AccCase": ACC_CASE,
        "AccClock": ACC_CLOCK,
        "AccEvent": ACC_EVENT,
        "Decision": DECISION,
        "ReferralSummary": REFERRAL_SUMMARY,
        "Referral": REFERRAL,
        "Inspection": INSPECTION,
        "InspectionFinding": FINDING,
        "NewInspection": NEW_INSPECTION,
        "NewInspectionFinding": NEW_FINDING,
        **{f"Referral_{step}": spec.json_schema() for step, spec in REFERRAL_SPECS.items()},
        **{
            f"AccAction_{action}": ACC_SPECS[action].json_schema(extra={"version": VERSION})
            for action in ACC_ACTIONS
        },
    }


def _body(name: str, required: bool) -> dict:
    return {"required": required, "content": {"application/json": {"schema": _ref(name)}}}


def _acc_action_path(action: str) -> dict:
    return {
        "post": {
            "operationId": f"acc_action_{action}",
            "summary": f"Accountability action `{action}`",
            "description": "For the inspectors and the head of the deciding office. "
            "`version` (or an `If-Match` header) guards against overwriting someone else's "
            "change. Another office's case is a 404; a step the state or a guard does not "
            "allow is a 409; a role or turn that may not take it is a 403.",
            "parameters": [ACC_CASE_ID, IF_MATCH],
            "requestBody": _body(f"AccAction_{action}", bool(ACC_SPECS[action].required)),
            "responses": {
                "200": _json(_ref("AccCase")),
                **_errors(400, 401, 403),
                "404": _not_found("accountability case"),
                **_errors(409, 413, 422),
            },
        }
    }


def accountability_paths() -> dict:
    """Return the paths of accountability."""
    referral_step = {
        "accept": ("Accept a referral into a new case, or into an open one (`into`)", "AccCase"),
        "decline": ("Decline a referral with a reason", "Referral"),
    }
    return {
        "/accountability/queue": {
            "get": {
                "summary": "The inspectors' and leaders' queue",
                "description": "Inspectors have every tab; leaders `all` only (the cases "
                "about units of their jurisdiction). Without `tab`, the one that needs the "
                "caller first.",
                "parameters": [
                    {"name": "tab", "in": "query", "schema": _enum(TABS)},
                    *PAGE_PARAMETERS,
                ],
                "responses": {"200": _json(QUEUE), **_errors(401, 403, 422)},
            }
        },
        "/referrals": {
            "post": {
                "summary": "Enter a referral by hand",
                "description": "It goes to the queue of the office that decides about its "
                "subject (a person on a staff list, or a unit).",
                "requestBody": _body("Referral_create", True),
                "responses": {
                    "201": _created(_ref("Referral")),
                    **_errors(400, 401, 403, 413, 422),
                },
            }
        },
        "/referrals/{referral_id}": {
            "get": {
                "summary": "One referral of the caller's office, with its sources",
                "parameters": [REFERRAL_ID],
                "responses": {
                    "200": _json(_ref("Referral")),
                    **_errors(401, 403),
                    "404": _not_found("referral"),
                },
            }
        },
        **{
            f"/referrals/{{referral_id}}/{step}": {
                "post": {
                    "summary": summary,
                    "parameters": [REFERRAL_ID],
                    "requestBody": _body(f"Referral_{step}", bool(REFERRAL_SPECS[step].required)),
                    "responses": {
                        "200": _json(_ref(answer)),
                        **_errors(400, 401, 403),
                        "404": _not_found("referral"),
                        "409": {
                            "description": "The referral has already been decided.",
                            "content": {"application/json": {"schema": _ref("Error")}},
                        },
                        **_errors(413, 422),
                    },
                }
            }
            for step, (summary, answer) in referral_step.items()
        },
        "/accountability/cases/{acc_case_id}": {
            "get": {
                "summary": "One accountability case",
                "description": "Decisions (subject, form, number, bases, facts, service, "
                "appeal, execution, notice), clocks, referrals with their sources, the trail "
                "and the actions the caller may take now.",
                "parameters": [ACC_CASE_ID],
                "responses": {
                    "200": _json(_ref("AccCase")),
                    **_errors(401, 403),
                    "404": _not_found("accountability case"),
                },
            }
        },
        **{
            f"/accountability/cases/{{acc_case_id}}/actions/{action}": _acc_action_path(action)
            for action in ACC_ACTIONS
        },
        "/accountability/records/staff/{staff_id}": _record_path(
            "staff_id", "A person's efficiency record (效能档案)", STAFF_RECORD
        ),
        "/accountability/records/units/{unit_id}": _record_path(
            "unit_id", "A unit's efficiency record (效能档案), cards included", UNIT_RECORD
        ),
        "/inspections": {
            "post": {
                "summary": "Record an inspection (明查暗访) of the caller's office",
                "requestBody": _body("NewInspection", True),
                "responses": {
                    "201": _created(_ref("Inspection")),
                    **_errors(400, 401, 403, 413, 422),
                },
            }
        },
        "/inspections/{inspection_id}": {
            "get": {
                "summary": "One inspection of the caller's office, with its findings",
                "parameters": [INSPECTION_ID],
                "responses": {
                    "200": _json(_ref("Inspection")),
                    **_errors(401, 403),
                    "404": _not_found("inspection"),
                },
            }
        },
        "/inspections/{inspection_id}/findings": {
            "post": {
                "summary": "Add a finding: a complaint case or a referral",
                "parameters": [INSPECTION_ID],
                "requestBody": _body("NewInspectionFinding", True),
                "responses": {
                    "201": _created(_ref("InspectionFinding"), location=False),
                    **_errors(400, 401, 403),
                    "404": _not_found("inspection"),
                    **_errors(413, 422),
                },
            }
        },
        "/inspections/{inspection_id}/photos": {
            "post": {
                "summary": "Add photos to an inspection (JPEG, PNG, WebP or PDF)",
                "parameters": [INSPECTION_ID],
                "requestBody": _upload("photos", "The photos; a few at a time."),
                "responses": {
                    "201": _created(_ref("Inspection"), location=False),
                    **_errors(400, 401, 403),
                    "404": _not_found("inspection"),
                    **_errors(413, 422),
                },
            }
        },
        "/accountability/cases/{acc_case_id}/decisions/{decision_id}/receipt": {
            "post": {
                "summary": "Attach the scan of a served decision's receipt (送达回证)",
                "parameters": [ACC_CASE_ID, DECISION_ID],
                "requestBody": _upload("receipt", "The scan: one file."),
                "responses": {
                    "200": _json(_ref("Decision")),
                    **_errors(400, 401, 403),
                    "404": _not_found("decision"),
                    "409": _error("The decision is not served yet, or has its receipt already."),
                    **_errors(413, 422),
                },
            }
        },
        "/accountability/files/{attachment_id}": {
            "get": {
                "summary": "A receipt scan or an inspection photo",
                "parameters": [
                    {"name": "attachment_id", "in": "path", "required": True, "schema": ID}
                ],
                "responses": {
                    "200": {
                        "description": "The file, as an attachment.",
                        "content": {
                            "application/octet-stream": {
                                "schema": {"type": "string", "format": "binary"}
                            }
                        },
                    },
                    **_errors(401, 403),
                    "404": _not_found("file"),
                },
            }
        },
        "/accountability/forms": {
            "get": {
                "summary": "The forms of accountability, light to heavy",
                "responses": {
                    "200": _json(_object({"items": {"type": "array", "items": FORM}})),
                    **_errors(401),
                },
            }
        },
        "/accountability/legal-bases": {
            "get": {
                "summary": "The legal bases a decision may cite (`basis_ids`)",
                "responses": {
                    "200": _json(_object({"items": {"type": "array", "items": LEGAL_BASIS}})),
                    **_errors(401),
                },
            }
        },
    }


def _record_path(parameter: str, summary: str, schema: dict) -> dict:
    return {
        "get": {
            "summary": summary,
            "description": "For inspectors, and for leaders about the units of their jurisdiction.",
            "parameters": [
                {
                    "name": parameter,
                    "in": "path",
                    "required": True,
                    "schema": ID,
                }
            ],
            "responses": {
                "200": _json(schema),
                **_errors(401, 403),
                "404": _not_found("record"),
            },
        }
    }
