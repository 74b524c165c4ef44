"""The document page, its status for the page's polling, and the downloads."""

import io

from flask import abort, jsonify, render_template, send_file, url_for
from flask_login import current_user, login_required

from app.documents import bp
from app.documents.access import get_readable_or_404
from app.documents.models import DOCUMENT_KIND_LABELS, Document, DocumentStatus

MIMETYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


def status_body(document: Document) -> dict:
    """The document's progress as the page's script and the API read it."""
    return {
        "id": document.id,
        "status": document.status,
        "progress": document.progress,
        "error": document.error if document.status == DocumentStatus.FAILED else "",
        "pdf_sha256": document.pdf_sha256,
        "docx_sha256": document.docx_sha256,
    }


def download_name(document: Document, fmt: str) -> str:
    """The file's name: its number and title (澄效督〔2026〕3号 督办单.pdf)."""
    name = " ".join(part for part in (document.number, document.title) if part)
    return f"{name.replace('/', '／')}.{fmt}"


def send_document(document: Document, fmt: str):
    """Send the PDF or DOCX of a rendered document as a download."""
    if document.status != DocumentStatus.DONE:
        abort(404)
    return send_file(
        io.BytesIO(getattr(document, fmt)),
        mimetype=MIMETYPES[fmt],
        as_attachment=True,
        download_name=download_name(document, fmt),
        etag=getattr(document, f"{fmt}_sha256"),
        max_age=0,
    )


@bp.get("/documents/<int:document_id>")
@login_required
def show(document_id: int):
    """Show a document: its progress while it renders, then its files and their hashes."""
    document = get_readable_or_404(document_id, current_user)
    return render_template(
        "documents/show.html",
        document=document,
        kind_label=DOCUMENT_KIND_LABELS[document.kind],
        status_url=url_for("documents.status", document_id=document.id),
    )


@bp.get("/documents/<int:document_id>/status")
@login_required
def status(document_id: int):
    """Return the document's status and progress as JSON (the page polls it)."""
    return jsonify(status_body(get_readable_or_404(document_id, current_user)))


@bp.get("/documents/<int:document_id>.pdf")
@login_required
def pdf(document_id: int):
    """Download the PDF."""
    return send_document(get_readable_or_404(document_id, current_user), "pdf")


@bp.get("/documents/<int:document_id>.docx")
@login_required
def docx(document_id: int):
    """Download the DOCX."""
    return send_document(get_readable_or_404(document_id, current_user), "docx")
