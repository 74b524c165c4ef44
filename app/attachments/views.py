"""Download of attachments, for staff who may see the complainant in full."""

from flask import abort, send_file
from flask_login import current_user, login_required

from app.attachments import bp
from app.attachments.models import Attachment
from app.attachments.storage import attachment_path
from app.cases.access import get_visible_or_404, log_identity_view, may_see_identity
from app.core.access_log import AccessChannel
from app.extensions import db


@bp.get("/attachments/<int:attachment_id>")
@login_required
def download(attachment_id: int):
    """Send an attachment as a download, never rendered inline by the browser."""
    attachment = db.session.get(Attachment, attachment_id)
    # Scans and photos can identify the complainant: units get the case, not the files.
    if attachment is None or attachment.case_id is None or not may_see_identity(current_user):
        abort(404)
    case = get_visible_or_404(attachment.case_id, current_user)
    log_identity_view(case, current_user, AccessChannel.ATTACHMENT, attachment.filename)
    db.session.commit()
    return send_file(
        attachment_path(attachment),
        mimetype=attachment.content_type,
        as_attachment=True,
        download_name=attachment.filename,
    )
