"""One role check for web views and API views."""

from collections.abc import Callable
from functools import wraps

from flask import current_app, g
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.core.errors import Forbidden
from app.core.web_errors import wants_json


def roles_required(*roles: str, message: str | None = None) -> Callable:
    """Let a view run only for a user holding any of ``roles``; refuse others with 403.

    On a web page the user is Flask-Login's ``current_user``, and an anonymous visitor is
    sent to the login page as ``login_required`` does. Under /api/ the user is the one the
    bearer token named (``g.api_user``), so the decorator goes below ``token_required``.
    The refusal is a ``Forbidden`` with ``message``, which the error handlers answer as
    a page or as the API's JSON error.
    """
    if not roles:
        raise ValueError("roles_required needs at least one role")

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(*args, **kwargs):
            if wants_json():
                user = g.get("api_user")
                if user is None:
                    # Fail closed: a check above the token check would see nobody.
                    raise RuntimeError("put roles_required below token_required on API views")
            elif not current_user.is_authenticated:
                return current_app.login_manager.unauthorized()
            else:
                user = current_user
            if not user.has_role(*roles):
                raise Forbidden(message or _l("Your role may not do this."))
            return view(*args, **kwargs)

        return wrapper

    return decorator
