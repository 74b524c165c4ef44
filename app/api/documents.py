"""JSON endpoints of the official documents: their state, and their files once rendered."""

from flask import g, jsonify

from app.api import bp
from app.api.auth import token_required
from app.core.errors import Conflict
from app.documents.access import get_readable_or_404
from app.documents.models import Document, DocumentStatus
from app.documents.views import send_document


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def document_body(document: Document) -> dict:
    """A document's metadata, status and hashes (never its data or its bytes)."""
    done = document.status == DocumentStatus.DONE
    return {
        "id": document.id,
        "kind": document.kind,
        "subject_type": document.subject_type,
        "subject_id": document.subject_id,
        "number": document.number,
        "title": document.title,
        "status": document.status,
        "progress": document.progress,
        "error": document.error if document.status == DocumentStatus.FAILED else "",
        "pdf_sha256": document.pdf_sha256,
        "docx_sha256": document.docx_sha256,
        "renderer": document.renderer if done else "",
        "created_at": _iso(document.created_at),
        "rendered_at": _iso(document.rendered_at),
    }


@bp.get("/documents/<int:document_id>")
@token_required
def get_document(document_id: int):
    """Return one document's metadata, status, progress and hashes."""
    return jsonify(document_body(get_readable_or_404(document_id, g.api_user)))


def _file(document_id: int, fmt: str):
    document = get_readable_or_404(document_id, g.api_user)
    if document.status != DocumentStatus.DONE:
        raise Conflict(f"The document is not rendered ({document.status}).")
    return send_document(document, fmt)


@bp.get("/documents/<int:document_id>/pdf")
@token_required
def get_document_pdf(document_id: int):
    """Download the document's PDF."""
    return _file(document_id, "pdf")


@bp.get("/documents/<int:document_id>/docx")
@token_required
def get_document_docx(document_id: int):
    """Download the document's DOCX."""
    return _file(document_id, "docx")
