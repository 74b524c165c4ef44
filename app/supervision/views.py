"""The center's board of supervision cards (电子监察看板)."""

from flask import current_app, render_template, request
from flask_login import current_user

from app.auth.models import CENTER_ROLES, INSPECTOR_ROLES, Role
from app.core.permissions import roles_required
from app.supervision import bp
from app.supervision.queries import LEVELS, RANK, board_page

# Who reads the board: the center, the inspectors, and leaders for their jurisdiction.
BOARD_ROLES = (*CENTER_ROLES, *INSPECTOR_ROLES, Role.LEADER)


@bp.get("/supervision/board")
@roles_required(*BOARD_ROLES)
def board():
    """Open cards by unit and case, highest level first, with their numbered notices."""
    level = request.args.get("level", "")
    level = level if level in {str(v) for v in LEVELS} else ""
    unit_id = request.args.get("unit", type=int)
    result = board_page(
        current_user,
        level=level,
        unit_id=unit_id,
        page=request.args.get("page", 1, type=int),
        size=current_app.config["WORKLIST_PAGE_SIZE"],
    )
    return render_template(
        "supervision/board.html",
        rows=result.rows,
        notices=result.notices,
        total=result.total,
        page=result.page,
        pages=result.pages,
        totals=result.totals,
        per_unit=result.per_unit,
        level=level,
        unit_id=unit_id,
        levels=[str(v) for v in LEVELS],
        level_of={value: str(lv) for lv, value in RANK.items()},
    )
