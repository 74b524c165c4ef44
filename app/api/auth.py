"""Bearer-token authentication for the API."""

from functools import wraps

from flask import g, request

from app.auth.services import user_for_token
from app.core.web_errors import json_error


def token_required(view):
    """Answer 401 unless the request carries a live bearer token."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        header = request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        user = user_for_token(token.strip()) if scheme.lower() == "bearer" else None
        if user is None:
            response, status = json_error(401, "unauthorized", "A valid bearer token is required.")
            response.headers["WWW-Authenticate"] = 'Bearer realm="api"'
            return response, status
        g.api_user = user
        return view(*args, **kwargs)

    return wrapper
