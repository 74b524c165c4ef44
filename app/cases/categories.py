"""Categories of complaint (事项类别): reading one from input, offering them, changing them."""

from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from app.cases.models import SEVERITY_LABELS, Category, Severity
from app.core.validation import FieldErrors
from app.extensions import db


def get_category_by_code(code: str) -> Category | None:
    """Return the active category with ``code``, or None."""
    return db.session.scalar(
        sa.select(Category).where(Category.code == code, Category.active.is_(True))
    )


def read_category(errors: FieldErrors, name: str, value, *, required: bool = True):
    """Read an active category by code, recording why it is not acceptable."""
    code = errors.text(name, value, max_length=40, required=required)
    category = get_category_by_code(code) if code else None
    if code and category is None:
        errors.add(name, _l("No such category."))
    return category


def category_choices():
    """Return the active categories as select choices, in their display order."""
    from app.core.forms import select_choices

    categories = db.session.scalars(
        sa.select(Category).where(Category.active.is_(True)).order_by(Category.position)
    )
    return select_choices((c.code, c.name) for c in categories)


# How a category's fields are called in messages.
CATEGORY_FIELD_LABELS = {
    "code": _l("Code"),
    "name": _l("Category name"),
    "severity": _l("Severity"),
    "handle_days": _l("Working days to handle"),
    "position": _l("Position in lists"),
}


def save_category(category: Category | None, data: dict[str, Any]) -> Category:
    """Create or update a category with its severity and default time limit."""
    errors = FieldErrors(CATEGORY_FIELD_LABELS)
    code = errors.text("code", data.get("code"), max_length=40)
    name = errors.text("name", data.get("name"), max_length=80)
    severity = errors.choice(
        "severity", data.get("severity"), list(Severity), labels=SEVERITY_LABELS
    )
    days = errors.integer("handle_days", data.get("handle_days"), 1, 60, required=False)
    position = errors.integer("position", data.get("position") or 0, 0, 999)
    clash = db.session.scalar(sa.select(Category).where(Category.code == code)) if code else None
    if clash is not None and clash is not category:
        errors.add("code", _l("Another category has this code."))
    errors.raise_if_any()
    category = category or Category()
    category.code, category.name, category.severity = code, name, severity
    category.handle_days, category.position = days, position
    category.active = bool(data.get("active", True))
    db.session.add(category)
    db.session.flush()
    return category
