"""What the case timeline needs beyond labels: names for the codes that events record."""

import sqlalchemy as sa
from flask import g, has_request_context

from app.auth.models import User
from app.cases import bp
from app.cases.models import Category
from app.extensions import db
from app.units.models import Unit

NAME_SOURCES = {
    "unit": (Unit, Unit.code),
    "category": (Category, Category.code),
    "user": (User, User.username),
}


@bp.app_template_filter("name_of")
def name_of(value, kind: str) -> str:
    """Return the name of the unit, category or user an event recorded by code (or username).

    Inactive ones are found too; an unknown code shows as itself. Each is looked up
    once per request.
    """
    if not value:
        return ""
    cache = g.setdefault("names_of", {}) if has_request_context() else {}
    key = (kind, value)
    if key not in cache:
        model, column = NAME_SOURCES[kind]
        name = db.session.scalar(sa.select(model.name).where(column == value).limit(1))
        cache[key] = name or value
    return cache[key]
