"""Asking before an action that cannot be undone, with or without the page's script.

A form that must ask first carries ``data-confirm`` (the question) and a hidden, empty
``confirmed`` field (macros ``confirm_attr`` and ``confirm_field`` in templates/macros.html).
``static/confirm.js`` asks in a dialog and sets the field; without the script the form
arrives with the field still empty and the server asks instead, on a page that posts the
same values again. A post without the field at all (a script, an older page) is not
asked: the question is the page's, the rules stay the service's.
"""

import re

from flask import render_template, request

_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def not_yet_confirmed() -> bool:
    """Return True if the posted form asked to confirm and nobody has yet."""
    return request.form.get("confirmed") == ""


def fill(question: str, values) -> str:
    """Return ``question`` with each ``{name}`` replaced by the value posted for it."""
    return _PLACEHOLDER.sub(lambda m: (values.get(m.group(1)) or "").strip() or "—", question)


def ask_first(question: str, back_url: str, status: int = 200):
    """Show ``question`` with a button that posts the same form again, confirmed."""
    fields = [
        (name, value)
        for name, value in request.form.items(multi=True)
        if name not in {"csrf_token", "confirmed"}
    ]
    return render_template(
        "confirm.html",
        question=fill(question, request.form),
        fields=fields,
        target=request.path,
        back_url=back_url,
    ), status
