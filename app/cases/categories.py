"""Categories of complaint (事项类别): reading one from input, offering them in forms."""

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from app.cases.models import Category
from app.core.validation import FieldErrors
from app.extensions import db


def read_category(errors: FieldErrors, name: str, value, *, required: bool = True):
    """Read an active category by code, recording why it is not acceptable."""
    code = errors.text(name, value, max_length=40, required=required)
    category = (
        db.session.scalar(
            sa.select(Category).where(Category.code == code, Category.active.is_(True))
        )
        if code
        else None
    )
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
