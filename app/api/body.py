"""Reading a request body as JSON: anything that is not a plain JSON object answers 400.

A body is refused whole, before any field is read, when it is not JSON, nests deeper than
any request of this API needs, or holds a lone surrogate (which JSON can spell with
``\\ud800`` but UTF-8, and so the database, cannot store).
"""

import json
from typing import Any

from flask import request

from app.core.errors import DomainError

# The deepest API body is a case with its complainant: three levels. Room to spare, but a
# bound, so that a body of ten thousand brackets costs nothing to refuse.
MAX_DEPTH = 8


class MalformedRequest(DomainError):
    status = 400
    code = "malformed_request"


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not JSON")


def _check(value: Any) -> None:
    """Refuse deep nesting and lone surrogates, walking without recursion."""
    pending = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, dict | list):
            if depth > MAX_DEPTH:
                raise MalformedRequest(f"The request body nests deeper than {MAX_DEPTH} levels.")
            children = [*item.keys(), *item.values()] if isinstance(item, dict) else item
            pending.extend((child, depth + 1) for child in children)
        elif isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                raise MalformedRequest(
                    "The request body holds text that is not valid Unicode."
                ) from None


def json_object() -> dict[str, Any]:
    """Return the request body as a JSON object (an empty body is ``{}``), or answer 400."""
    raw = request.get_data(cache=True)
    if not raw:
        return {}
    try:
        data = json.loads(raw, parse_constant=_refuse_constant)
    except (ValueError, RecursionError):
        raise MalformedRequest("The request body is not valid JSON.") from None
    if not isinstance(data, dict):
        raise MalformedRequest("The request body must be a JSON object.")
    _check(data)
    return data
