"""The center's board of supervision cards (电子监察看板)."""

from flask import current_app, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from app.core.permissions import roles_required
from app.extensions import db
from app.supervision import bp
from app.supervision.notices import get_notice_or_404, notice_documents, request_notice_document
from app.supervision.queries import BOARD_ROLES, LEVELS, RANK, board_page


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
        printable=notice_documents(
            [n for found in result.notices.values() for n in found], current_user
        ),
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


@bp.post("/supervision/notices/<int:warning_id>/print")
@login_required
def print_notice(warning_id: int):
    """Ask for the printed paper of a notice, rendered by a job; show its progress."""
    notice = get_notice_or_404(warning_id, current_user)
    document = request_notice_document(notice, current_user)
    db.session.commit()
    return redirect(url_for("documents.show", document_id=document.id), 303)
