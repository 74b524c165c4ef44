"""The OpenAPI 3 document, built from the same field lists the API enforces.

It is kept true by ``tests/api/test_schemathesis.py``, which fuzzes every operation from
this document: each answer must be one declared here, in the declared shape.
"""

from app.api.openapi_accountability import accountability_paths, accountability_schemas
from app.api.openapi_parts import (
    BOOLEAN,
    ERROR,
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
from app.api.schema import CASE_FIELDS, CASE_REQUIRED, action_schema
from app.cases.models import AssignmentRole, Channel, Finding, Severity, SubjectKind, Urgency
from app.cases.queries import Q_MAX, SORT_ORDERS, STATE_FILTERS
from app.cases.specs import SPECS
from app.cases.workflow import ACTIONS, STATUS_LABELS, State
from app.core.access_log import AccessChannel
from app.deadlines.models import ClockKind, LimitUnit
from app.documents.models import DocumentKind, DocumentStatus
from app.documents.views import MIMETYPES
from app.routing.models import Relation
from app.units.models import UnitKind

CASE_ID = {"name": "case_id", "in": "path", "required": True, "schema": ID}


def _query(name: str, schema: dict, description: str) -> dict:
    return {"name": name, "in": "query", "schema": schema, "description": description}


WORKLIST_PARAMETERS = [
    _query(
        "state",
        {"type": "string", "enum": list(STATE_FILTERS)},
        "`open` (not in a final state), `all` (the default), `sign_off` (drafts waiting "
        "for the caller's sign-off as unit lead), or one state.",
    ),
    _query(
        "q",
        {"type": "string", "maxLength": Q_MAX},
        "Part of the number or title; for center staff and inspectors also of the "
        "complainant's phone (written any way: +86, spaces, dashes) or name.",
    ),
    _query("unit", {"type": "string"}, "A unit code: complained about, or working on it."),
    _query("category", {"type": "string"}, "A category code."),
    _query("channel", {"type": "string", "enum": [c.value for c in Channel]}, "Channel."),
    _query(
        "received_from", {"type": "string", "format": "date"}, "Registered on or after (local)."
    ),
    _query("received_to", {"type": "string", "format": "date"}, "Registered on or before."),
    _query(
        "sort",
        {"type": "string", "enum": list(SORT_ORDERS)},
        "`deadline` sorts by the clock that matters in the state, most urgent first, "
        "cases with none last; `-` sorts descending. Default `deadline`.",
    ),
    _query("carded", {"type": "boolean"}, "Only cases with a supervision card not cleared."),
]


def _paged(item: dict) -> dict:
    """A page of ``item`` as the list endpoints answer it."""
    return _object(
        {
            "items": {"type": "array", "items": item},
            "page": INTEGER,
            "per_page": INTEGER,
            "total": INTEGER,
            "pages": INTEGER,
        }
    )


CASE_SUMMARY = _object(
    {
        "id": INTEGER,
        "number": {"type": "string", "example": "CC2026-000123"},
        "state": _enum(State),
        "status": {
            **_enum(list(STATUS_LABELS)),
            "description": "The state as the next actor sees it: `awaiting_sign_off` while a "
            "handler's reply waits for the unit lead in `handling`.",
        },
        "deadline": {
            **_object(
                {
                    "kind": _enum(ClockKind),
                    "due_at": MOMENT,
                    "overdue": {"type": "boolean"},
                }
            ),
            "nullable": True,
            "description": "The running clock that times the next step in this state, if any.",
        },
        "channel": _enum(Channel),
        "title": STRING,
        "urgency": _enum(Urgency),
        "respondent_unit_code": {
            **NULLABLE_STRING,
            "description": "Null until an e-mail complaint is classified.",
        },
        "category_code": NULLABLE_STRING,
        "created_at": MOMENT,
        "version": INTEGER,
    }
)

CLOCK = _object(
    {
        "kind": _enum(ClockKind),
        "limit": _object({"unit": _enum(LimitUnit), "amount": INTEGER}),
        "started_at": MOMENT,
        "due_at": MOMENT,
        "provisional": {
            "type": "boolean",
            "description": "Counted on plain weekdays: the year has no calendar data.",
        },
        "stopped_at": NULLABLE_MOMENT,
        "late": {"type": "boolean", "nullable": True},
    }
)

EVENT = _object(
    {
        "at": MOMENT,
        "action": STRING,
        "actor": NULLABLE_STRING,
        "acting_for": {
            **NULLABLE_STRING,
            "description": "The away colleague the actor stood in for (AB post).",
        },
        "from_state": _enum(State, nullable=True),
        "to_state": _enum(State, nullable=True),
        "data": {"type": "object"},
    }
)

COMPLAINANT = {
    **_object(
        {
            "anonymous": BOOLEAN,
            "masked": BOOLEAN,
            "name": STRING,
            "phone": STRING,
            "email": STRING,
            "address": STRING,
        }
    ),
    "description": "Masked (138****5678, 张某) for unit users.",
}

ASSIGNMENT = _object(
    {
        "unit_code": STRING,
        "role": _enum(AssignmentRole),
        "dispatched_at": MOMENT,
        "signed_at": NULLABLE_MOMENT,
        "ended_at": NULLABLE_MOMENT,
    }
)

STAFF_ENTRY = _object({"id": ID, "name": STRING, "post": STRING, "confirmed": BOOLEAN})

CASE_DETAIL = {
    "allOf": [
        _ref("CaseSummary"),
        _object(
            {
                "content": STRING,
                "subject_kind": _enum(SubjectKind),
                "entered_by": {
                    **NULLABLE_STRING,
                    "description": "The username of who registered it; null for the public.",
                },
                "letter_box": STRING,
                "letter_collected_on": {"type": "string", "format": "date", "nullable": True},
                "public_reply": STRING,
                "respondent_staff": STRING,
                "staff": {
                    "type": "array",
                    "items": _ref("StaffEntry"),
                    "description": "The staff records the case names; confirmed is false "
                    "for a name typed at intake that no administrator has confirmed yet.",
                },
                "finding": _enum(Finding, nullable=True),
                "duplicate_of": {
                    **NULLABLE_STRING,
                    "description": "The number of the case this one was merged into.",
                },
                "redo_count": {
                    "type": "integer",
                    "description": "Times sent back after an unsatisfied return visit.",
                },
                "reopen_count": {
                    "type": "integer",
                    "description": "Times the center lead reopened the closed case.",
                },
                "tracking_code": {
                    "type": "string",
                    "description": "Only for center staff and inspectors.",
                },
                "complainant": _ref("Complainant"),
                "assignments": {"type": "array", "items": _ref("Assignment")},
                "clocks": {"type": "array", "items": _ref("Clock")},
                "events": {"type": "array", "items": _ref("Event")},
                "allowed_actions": {"type": "array", "items": _enum(ACTIONS)},
            },
            optional=("tracking_code",),
        ),
    ]
}

ACCESS_ENTRY = _object(
    {
        "at": MOMENT,
        "user": {"type": "string", "description": "The username of who saw it."},
        "name": STRING,
        "unit_code": NULLABLE_STRING,
        "unit_name": NULLABLE_STRING,
        "channel": {
            **_enum(AccessChannel),
            "description": "`web` the case page, `api` the case detail, `attachment` a "
            "download, `search` and `api_search` a search of the worklist or the case list by "
            "the complainant's phone or name.",
        },
        "what": {"type": "string", "description": "The attachment's name, if one."},
    }
)

CREATED = _object(
    {
        "id": INTEGER,
        "number": STRING,
        "tracking_code": STRING,
        "state": _enum(State),
        "channel": _enum(Channel),
        "version": INTEGER,
    }
)

ME = _object(
    {
        "username": STRING,
        "name": STRING,
        "roles": {"type": "array", "items": STRING},
        "unit": {**_object({"code": STRING, "name": STRING}), "nullable": True},
    }
)

UNIT = _object(
    {
        "code": STRING,
        "name": STRING,
        "tier": {"type": "integer", "minimum": 1, "maximum": 4},
        "kind": _enum(UnitKind),
        "parent_code": NULLABLE_STRING,
        "supervisor_code": NULLABLE_STRING,
    }
)

CATEGORY = _object(
    {
        "code": STRING,
        "name": STRING,
        "severity": _enum(Severity),
        "handle_days": {
            "type": "integer",
            "nullable": True,
            "description": "Its own handling limit in working days; null: the default.",
        },
    }
)

SUGGESTION = _object(
    {
        "unit_code": NULLABLE_STRING,
        "unit_name": NULLABLE_STRING,
        "relation": _enum(Relation),
        "rule": {
            **_object({"id": INTEGER, "position": INTEGER, "name": STRING}),
            "nullable": True,
        },
        "explanation": STRING,
        "trace": {
            "type": "array",
            "items": _object(
                {
                    "rule": STRING,
                    "matched": BOOLEAN,
                    "reasons": {"type": "array", "items": STRING},
                }
            ),
        },
    }
)

DOCUMENT_ID = {"name": "document_id", "in": "path", "required": True, "schema": ID}
DOCUMENT_NOT_FOUND = _error("No such document, or not readable by you.")
SHA256 = {"type": "string", "pattern": "^[0-9a-f]{64}$", "nullable": True}

DOCUMENT = _object(
    {
        "id": INTEGER,
        "kind": {
            **_enum(DocumentKind),
            "description": "`decision` 决定书, `reminder` 催办通知书, `order` 督办单, "
            "`service_receipt` 送达回证, `bulletin` 月度通报.",
        },
        "subject_type": {"type": "string", "description": "What it is about: `warning`, ..."},
        "subject_id": INTEGER,
        "number": {"type": "string", "example": "澄效督〔2026〕3号"},
        "title": STRING,
        "status": {
            **_enum(DocumentStatus),
            "description": "Rendered by a job: `queued`, `rendering`, then `done` or `failed`.",
        },
        "progress": {"type": "integer", "minimum": 0, "maximum": 100},
        "error": {"type": "string", "description": "Why rendering failed; empty otherwise."},
        "pdf_sha256": SHA256,
        "docx_sha256": SHA256,
        "renderer": {"type": "string", "description": "The engines that made the files."},
        "created_at": MOMENT,
        "rendered_at": NULLABLE_MOMENT,
    }
)


def _document_file(fmt: str) -> dict:
    """The download of a rendered document's PDF or DOCX."""
    return {
        "get": {
            "summary": f"The document's {fmt.upper()}",
            "parameters": [DOCUMENT_ID],
            "responses": {
                "200": {
                    "description": f"The {fmt.upper()}, as an attachment; its SHA-256 is the "
                    f"document's `{fmt}_sha256`.",
                    "content": {MIMETYPES[fmt]: {"schema": {"type": "string", "format": "binary"}}},
                },
                **_errors(401),
                "404": DOCUMENT_NOT_FOUND,
                "409": _error("The document is not rendered yet, or rendering failed."),
            },
        }
    }


def _action_path(action: str) -> dict:
    """One action's operation: its own body schema, its own required fields."""
    required = bool(SPECS[action].required)
    return {
        "post": {
            "operationId": f"action_{action}",
            "summary": f"Action `{action}`",
            "description": "`version` (or an `If-Match` header) guards against overwriting "
            "someone else's change. An action the case's state or the caller's role does not "
            "allow is a 409 or a 403.",
            "parameters": [CASE_ID, IF_MATCH],
            "requestBody": {
                "required": required,
                "content": {"application/json": {"schema": _ref(f"Action_{action}")}},
            },
            "responses": {
                "200": _json(_ref("CaseDetail")),
                **_errors(400, 401, 403, 404, 409, 413, 422),
            },
        }
    }


def build_openapi(server_url: str) -> dict:
    """Return the OpenAPI document for the API served at ``server_url``."""
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "Efficiency complaint supervision API",
            "version": "1.0.0",
            "description": "Bearer tokens are created with `flask tokens create USERNAME`. "
            "A method a path does not offer answers 405 with an `Allow` header.",
        },
        "servers": [{"url": server_url}],
        "security": [{"bearer": []}],
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {
                "Error": ERROR,
                "CaseSummary": CASE_SUMMARY,
                "CaseDetail": CASE_DETAIL,
                "Complainant": COMPLAINANT,
                "Assignment": ASSIGNMENT,
                "StaffEntry": STAFF_ENTRY,
                "Clock": CLOCK,
                "Event": EVENT,
                "AccessLogEntry": ACCESS_ENTRY,
                "Document": DOCUMENT,
                "NewCase": {
                    "type": "object",
                    "properties": CASE_FIELDS,
                    "required": CASE_REQUIRED,
                    "additionalProperties": False,
                },
                **{f"Action_{action}": action_schema(action) for action in SPECS},
                **accountability_schemas(),
            },
        },
        "paths": {
            "/me": {
                "get": {
                    "summary": "The caller",
                    "responses": {"200": _json(ME), **_errors(401)},
                }
            },
            "/units": {
                "get": {
                    "summary": "Units with stable codes",
                    "responses": {"200": _json(_object({"items": _array(UNIT)})), **_errors(401)},
                }
            },
            "/categories": {
                "get": {
                    "summary": "Complaint categories",
                    "responses": {
                        "200": _json(_object({"items": _array(CATEGORY)})),
                        **_errors(401),
                    },
                }
            },
            "/cases": {
                "get": {
                    "summary": "Cases visible to the caller",
                    "description": "Searched, filtered and sorted as on the worklist. A search "
                    "by the complainant's phone or name works for center staff and inspectors "
                    "only, and is logged per case found that way.",
                    "parameters": [*WORKLIST_PARAMETERS, *PAGE_PARAMETERS],
                    "responses": {
                        "200": _json(_paged(_ref("CaseSummary"))),
                        **_errors(401, 403, 422),
                    },
                },
                "post": {
                    "summary": "Register a complaint",
                    "description": "A retry with the same `Idempotency-Key` returns the case "
                    "the first request created (header `Idempotent-Replayed: true`); the same "
                    "key with a different body is a 409.",
                    "parameters": [
                        {
                            "name": "Idempotency-Key",
                            "in": "header",
                            "required": False,
                            "schema": {"type": "string", "minLength": 1, "maxLength": 200},
                        },
                    ],
                    "requestBody": {
                        "required": True,
                        "content": {"application/json": {"schema": _ref("NewCase")}},
                    },
                    "responses": {
                        "201": {
                            **_json(CREATED, "Created"),
                            "headers": {
                                "Location": {
                                    "required": True,
                                    "schema": STRING,
                                    "description": "The new case.",
                                },
                            },
                        },
                        **_errors(400, 401, 403, 409, 413, 422),
                    },
                },
            },
            "/routing/suggest": {
                "get": {
                    "summary": "Where the routing rules send a draft complaint, and why",
                    "parameters": [
                        {
                            "name": "respondent_unit_code",
                            "in": "query",
                            "required": True,
                            "schema": {"type": "string", "maxLength": 40},
                        },
                        {
                            "name": "category_code",
                            "in": "query",
                            "required": True,
                            "schema": {"type": "string", "maxLength": 40},
                        },
                        {
                            "name": "subject_kind",
                            "in": "query",
                            "required": False,
                            "schema": _enum(SubjectKind),
                        },
                    ],
                    "responses": {"200": _json(SUGGESTION), **_errors(401, 403, 422)},
                }
            },
            "/cases/{case_id}": {
                "get": {
                    "summary": "One case with clocks and events",
                    "description": "Showing the unmasked complainant (to center staff and "
                    "inspectors) is recorded in the case's access log.",
                    "parameters": [CASE_ID],
                    "responses": {"200": _json(_ref("CaseDetail")), **_errors(401, 404)},
                }
            },
            "/cases/{case_id}/access-log": {
                "get": {
                    "summary": "Who saw the complainant's full identity, newest first",
                    "description": "Every case page, case detail (GET or an action's answer) "
                    "and attachment download that showed the unmasked complainant. "
                    "For inspectors and the center lead.",
                    "parameters": [CASE_ID, *PAGE_PARAMETERS],
                    "responses": {
                        "200": _json(_paged(_ref("AccessLogEntry"))),
                        **_errors(401, 403, 404, 422),
                    },
                }
            },
            **{f"/cases/{{case_id}}/actions/{action}": _action_path(action) for action in SPECS},
            "/documents/{document_id}": {
                "get": {
                    "summary": "One official document: its status, progress and hashes",
                    "description": "Documents are rendered by a job after they are asked for "
                    "(on the web: the print link of a notice); poll until `done`.",
                    "parameters": [DOCUMENT_ID],
                    "responses": {
                        "200": _json(_ref("Document")),
                        **_errors(401),
                        "404": DOCUMENT_NOT_FOUND,
                    },
                }
            },
            "/documents/{document_id}/pdf": _document_file("pdf"),
            "/documents/{document_id}/docx": _document_file("docx"),
            **accountability_paths(),
        },
    }


def _array(item: dict) -> dict:
    return {"type": "array", "items": item}
