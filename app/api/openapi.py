"""The OpenAPI 3 document, built from the same field lists the API enforces."""

from app.api.schema import CASE_FIELDS, CASE_REQUIRED, action_schema
from app.cases.models import Channel, SubjectKind
from app.cases.queries import Q_MAX, SORT_KEYS, STATE_FILTERS
from app.cases.specs import SPECS
from app.cases.workflow import State
from app.core.access_log import AccessChannel

ERROR = {
    "type": "object",
    "required": ["error", "message"],
    "properties": {
        "error": {"type": "string"},
        "message": {"type": "string"},
        "fields": {
            "type": "object",
            "additionalProperties": {"type": "string"},
            "description": "One message per invalid field (422).",
        },
    },
}


def _error(description: str) -> dict:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }


ERRORS = {
    "400": _error("Malformed request (body is not a JSON object)."),
    "401": _error("Missing or invalid bearer token."),
    "403": _error("Your role may not do this."),
    "404": _error("No such case, or not visible to you; or unknown action."),
    "409": _error("Action not allowed in the case's state, or a stale version."),
    "422": _error("Invalid fields; `fields` names each one."),
}


def _json(schema: dict, description: str = "OK") -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


# The last page a list answers; past it the offset overflows the database's integer.
MAX_PAGE = 100_000
PAGE_PARAMETERS = [
    {
        "name": "page",
        "in": "query",
        "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE},
    },
    {
        "name": "per_page",
        "in": "query",
        "schema": {"type": "integer", "minimum": 1, "maximum": 100},
    },
]


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
        {"type": "string", "enum": [p + k for k in SORT_KEYS for p in ("", "-")]},
        "`deadline` sorts by the clock that matters in the state, most urgent first, "
        "cases with none last; `-` sorts descending. Default `-received`.",
    ),
    _query("carded", {"type": "boolean"}, "Only cases with a supervision card not cleared."),
]


def _paged(item: dict) -> dict:
    """A page of ``item`` as the list endpoints answer it."""
    return {
        "type": "object",
        "properties": {
            "items": {"type": "array", "items": item},
            "page": {"type": "integer"},
            "per_page": {"type": "integer"},
            "total": {"type": "integer"},
            "pages": {"type": "integer"},
        },
    }


def build_openapi(server_url: str) -> dict:
    """Return the OpenAPI document for the API served at ``server_url``."""
    pick = {k: ERRORS[k] for k in ("401",)}
    case_summary = {
        "type": "object",
        "properties": {
            "id": {"type": "integer"},
            "number": {"type": "string", "example": "CC2026-000123"},
            "state": {"type": "string", "enum": [s.value for s in State]},
            "channel": {"type": "string"},
            "title": {"type": "string"},
            "urgency": {"type": "string"},
            "respondent_unit_code": {"type": "string"},
            "category_code": {"type": "string"},
            "created_at": {"type": "string", "format": "date-time"},
            "version": {"type": "integer"},
        },
    }
    clock = {
        "type": "object",
        "properties": {
            "kind": {"type": "string", "enum": ["screen", "sign", "handle", "visit", "rectify"]},
            "limit": {
                "type": "object",
                "properties": {
                    "unit": {"type": "string", "enum": ["workdays", "hours"]},
                    "amount": {"type": "integer"},
                },
            },
            "started_at": {"type": "string", "format": "date-time"},
            "due_at": {"type": "string", "format": "date-time"},
            "provisional": {
                "type": "boolean",
                "description": "Counted on plain weekdays: the year has no calendar data.",
            },
            "stopped_at": {"type": "string", "format": "date-time", "nullable": True},
            "late": {"type": "boolean", "nullable": True},
        },
    }
    event = {
        "type": "object",
        "properties": {
            "at": {"type": "string", "format": "date-time"},
            "action": {"type": "string"},
            "actor": {"type": "string", "nullable": True},
            "acting_for": {
                "type": "string",
                "nullable": True,
                "description": "The away colleague the actor stood in for (AB post).",
            },
            "from_state": {"type": "string", "nullable": True},
            "to_state": {"type": "string", "nullable": True},
            "data": {"type": "object"},
        },
    }
    case_detail = {
        "allOf": [
            _ref("CaseSummary"),
            {
                "type": "object",
                "properties": {
                    "content": {"type": "string"},
                    "subject_kind": {"type": "string"},
                    "finding": {"type": "string", "nullable": True},
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
                    "complainant": {
                        "type": "object",
                        "description": "Masked (138****5678, 张某) for unit users.",
                    },
                    "assignments": {"type": "array", "items": {"type": "object"}},
                    "clocks": {"type": "array", "items": _ref("Clock")},
                    "events": {"type": "array", "items": _ref("Event")},
                    "allowed_actions": {"type": "array", "items": {"type": "string"}},
                },
            },
        ]
    }
    access_entry = {
        "type": "object",
        "properties": {
            "at": {"type": "string", "format": "date-time"},
            "user": {"type": "string", "description": "The username of who saw it."},
            "name": {"type": "string"},
            "unit_code": {"type": "string", "nullable": True},
            "unit_name": {"type": "string", "nullable": True},
            "channel": {
                "type": "string",
                "enum": [c.value for c in AccessChannel],
                "description": "`web` the case page, `api` the case detail, "
                "`attachment` a download, `search` and `api_search` a search of the "
                "worklist or the case list by the complainant's phone or name.",
            },
            "what": {"type": "string", "description": "The attachment's name, if one."},
        },
    }
    action_ops = {
        action: {
            "summary": f"Action `{action}`",
            "requestBody": {
                "required": False,
                "content": {"application/json": {"schema": action_schema(action)}},
            },
        }
        for action in SPECS
    }
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "Efficiency complaint supervision API",
            "version": "1.0.0",
            "description": "Bearer tokens are created with `flask tokens create USERNAME`.",
        },
        "servers": [{"url": server_url}],
        "security": [{"bearer": []}],
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {
                "Error": ERROR,
                "CaseSummary": case_summary,
                "CaseDetail": case_detail,
                "Clock": clock,
                "Event": event,
                "AccessLogEntry": access_entry,
                "NewCase": {
                    "type": "object",
                    "properties": CASE_FIELDS,
                    "required": CASE_REQUIRED,
                    "additionalProperties": False,
                },
                **{
                    f"Action_{a}": s["requestBody"]["content"]["application/json"]["schema"]
                    for a, s in action_ops.items()
                },
            },
        },
        "paths": {
            "/me": {
                "get": {
                    "summary": "The caller",
                    "responses": {
                        "200": _json(
                            {
                                "type": "object",
                                "properties": {
                                    "username": {"type": "string"},
                                    "roles": {"type": "array", "items": {"type": "string"}},
                                    "unit": {
                                        "type": "object",
                                        "nullable": True,
                                        "properties": {
                                            "code": {"type": "string"},
                                            "name": {"type": "string"},
                                        },
                                    },
                                },
                            }
                        ),
                        **pick,
                    },
                }
            },
            "/units": {
                "get": {
                    "summary": "Units with stable codes",
                    "responses": {
                        "200": _json(
                            {
                                "type": "object",
                                "properties": {
                                    "items": {
                                        "type": "array",
                                        "items": {
                                            "type": "object",
                                            "properties": {
                                                "code": {"type": "string"},
                                                "name": {"type": "string"},
                                                "tier": {"type": "integer"},
                                                "kind": {"type": "string"},
                                                "parent_code": {"type": "string", "nullable": True},
                                            },
                                        },
                                    }
                                },
                            }
                        ),
                        **pick,
                    },
                }
            },
            "/categories": {
                "get": {
                    "summary": "Complaint categories",
                    "responses": {
                        "200": _json(
                            {
                                "type": "object",
                                "properties": {
                                    "items": {
                                        "type": "array",
                                        "items": {
                                            "type": "object",
                                            "properties": {
                                                "code": {"type": "string"},
                                                "name": {"type": "string"},
                                                "severity": {"type": "string"},
                                            },
                                        },
                                    }
                                },
                            }
                        ),
                        **pick,
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
                        **{k: ERRORS[k] for k in ("401", "403", "422")},
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
                            "schema": {"type": "string", "maxLength": 200},
                        },
                    ],
                    "requestBody": {
                        "required": True,
                        "content": {"application/json": {"schema": _ref("NewCase")}},
                    },
                    "responses": {
                        "201": _json(
                            {
                                "type": "object",
                                "properties": {
                                    "id": {"type": "integer"},
                                    "number": {"type": "string"},
                                    "tracking_code": {"type": "string"},
                                    "state": {"type": "string"},
                                    "version": {"type": "integer"},
                                },
                            },
                            "Created",
                        ),
                        **{k: ERRORS[k] for k in ("400", "401", "403", "409", "422")},
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
                            "schema": {"type": "string"},
                        },
                        {
                            "name": "category_code",
                            "in": "query",
                            "required": True,
                            "schema": {"type": "string"},
                        },
                        {
                            "name": "subject_kind",
                            "in": "query",
                            "required": False,
                            "schema": {"type": "string", "enum": [k.value for k in SubjectKind]},
                        },
                    ],
                    "responses": {
                        "200": _json(
                            {
                                "type": "object",
                                "properties": {
                                    "unit_code": {"type": "string", "nullable": True},
                                    "unit_name": {"type": "string", "nullable": True},
                                    "relation": {"type": "string"},
                                    "rule": {"type": "object", "nullable": True},
                                    "explanation": {"type": "string"},
                                    "trace": {"type": "array", "items": {"type": "object"}},
                                },
                            }
                        ),
                        **{k: ERRORS[k] for k in ("401", "403", "422")},
                    },
                }
            },
            "/cases/{case_id}": {
                "get": {
                    "summary": "One case with clocks and events",
                    "description": "Showing the unmasked complainant (to center staff and "
                    "inspectors) is recorded in the case's access log.",
                    "parameters": [
                        {
                            "name": "case_id",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "integer"},
                        }
                    ],
                    "responses": {
                        "200": _json(_ref("CaseDetail")),
                        **{k: ERRORS[k] for k in ("401", "404")},
                    },
                }
            },
            "/cases/{case_id}/access-log": {
                "get": {
                    "summary": "Who saw the complainant's full identity, newest first",
                    "description": "Every case page, case detail (GET or an action's answer) "
                    "and attachment download that showed the unmasked complainant. "
                    "For inspectors and the center lead.",
                    "parameters": [
                        {
                            "name": "case_id",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "integer"},
                        },
                        *PAGE_PARAMETERS,
                    ],
                    "responses": {
                        "200": _json(_paged(_ref("AccessLogEntry"))),
                        **{k: ERRORS[k] for k in ("401", "403", "404", "422")},
                    },
                }
            },
            "/cases/{case_id}/actions/{action}": {
                "post": {
                    "summary": "Perform a workflow action",
                    "description": "Bodies per action are the `Action_<name>` schemas. "
                    "`version` (or an `If-Match` header) guards against "
                    "overwriting someone else's change.",
                    "parameters": [
                        {
                            "name": "case_id",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "integer"},
                        },
                        {
                            "name": "action",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "string", "enum": list(SPECS)},
                        },
                        {
                            "name": "If-Match",
                            "in": "header",
                            "required": False,
                            "schema": {"type": "string"},
                            "description": "The case version.",
                        },
                    ],
                    "requestBody": {
                        "required": False,
                        "content": {
                            "application/json": {
                                "schema": {"oneOf": [_ref(f"Action_{a}") for a in SPECS]}
                            }
                        },
                    },
                    "responses": {"200": _json(_ref("CaseDetail")), **ERRORS},
                }
            },
        },
    }
