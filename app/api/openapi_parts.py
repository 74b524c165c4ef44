"""The building blocks of the OpenAPI document: errors, answers, objects, common schemas.

Shared by ``openapi.py`` and ``openapi_accountability.py``.
"""

from app.api.body import MAX_DEPTH
from app.core.validation import DB_INT_MAX

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

ERROR_DESCRIPTIONS = {
    "400": "Malformed request: the body is not a JSON object, nests deeper than "
    f"{MAX_DEPTH} levels or holds text that is not valid Unicode.",
    "401": "Missing or invalid bearer token.",
    "403": "Your role may not do this.",
    "404": "No such case, or not visible to you.",
    "409": "Action not allowed in the case's state, or a stale version.",
    "413": "The request body is too large.",
    "422": "Invalid fields; `fields` names each one.",
}


def _errors(*codes: int) -> dict:
    """The error answers ``codes``, each with the Error body."""
    return {
        str(code): {
            "description": ERROR_DESCRIPTIONS[str(code)],
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
        }
        for code in codes
    }


def _error(description: str) -> dict:
    """An error answer with its own description and the Error body."""
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }


def _json(schema: dict, description: str = "OK") -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


# The last page a list answers; past it the offset overflows the database's integer.
MAX_PAGE = 100_000


def _object(properties: dict, *, optional: tuple[str, ...] = ()) -> dict:
    """An object whose every property is always present, except those ``optional``."""
    return {
        "type": "object",
        "required": [name for name in properties if name not in optional],
        "properties": properties,
    }


def _enum(values, *, nullable: bool = False) -> dict:
    schema = {"type": "string", "enum": [str(v) for v in values]}
    if nullable:
        # OpenAPI 3.0: a nullable enum lists null among its values.
        schema.update(nullable=True, enum=[*schema["enum"], None])
    return schema


STRING = {"type": "string"}
INTEGER = {"type": "integer"}
BOOLEAN = {"type": "boolean"}
MOMENT = {"type": "string", "format": "date-time"}
NULLABLE_STRING = {"type": "string", "nullable": True}
NULLABLE_MOMENT = {**MOMENT, "nullable": True}
# Ids and pages are the database's integers: a larger number names nothing stored.
ID = {"type": "integer", "minimum": 1, "maximum": DB_INT_MAX}

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


IF_MATCH = {
    "name": "If-Match",
    "in": "header",
    "required": False,
    "schema": STRING,
    "description": "The case version (instead of `version` in the body).",
}
