"""Jobs that render documents: never in a request, always from the stored data."""

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

import sqlalchemy as sa

from app.core.types import utcnow
from app.documents.gongwen import Gongwen
from app.documents.models import Document, DocumentKind, DocumentStatus
from app.documents.pdf import RENDERER as PDF_RENDERER
from app.documents.pdf import render_pdf
from app.documents.services import sha256
from app.documents.word import RENDERER as DOCX_RENDERER
from app.documents.word import render_docx
from app.extensions import db

log = logging.getLogger(__name__)
# What the domain that asked for a kind of document does once one is rendered (the
# accountability domain issues a decision whose notices are ready): kind -> callables
# taking the document id, each run in its own transaction after the render's commit.
_on_rendered: dict[str, list[Callable[[int], None]]] = {}


def register_on_rendered(kind: DocumentKind | str, hook: Callable[[int], None]) -> None:
    """Have ``hook(document_id)`` run after each document of ``kind`` is rendered."""
    hooks = _on_rendered.setdefault(str(DocumentKind(kind)), [])
    if hook not in hooks:
        hooks.append(hook)


def _after_rendered(document: Document) -> None:
    """Run the kind's hooks; a failing hook is logged and leaves the document rendered."""
    for hook in _on_rendered.get(document.kind, []):
        try:
            hook(document.id)
            db.session.commit()
        except Exception as error:  # the domain's own recovery (a button, a sweep) remains
            log.warning("after rendering document %s: %s", document.id, error)
            db.session.rollback()


# A document claimed longer ago than this belongs to a worker that died mid-render.
STALE_CLAIM = timedelta(minutes=10)


def _progress(document: Document, percent: int) -> None:
    # Committed at once, so that the page polling the status sees it move.
    document.progress = percent
    db.session.commit()


def render_document(document_id: int) -> str:
    """Render one queued document to PDF and DOCX; running it twice renders it once."""
    # Claim the row with a conditional UPDATE so two workers cannot both render it.
    claimed = db.session.execute(
        sa.update(Document)
        .where(Document.id == document_id, Document.status == DocumentStatus.QUEUED)
        .values(status=DocumentStatus.RENDERING, progress=0, claimed_at=utcnow())
    ).rowcount
    db.session.commit()
    if not claimed:
        return "skipped"
    document = db.session.get(Document, document_id)
    try:
        paper = Gongwen.from_data(document.data)
        _progress(document, 10)
        pdf = render_pdf(paper)
        _progress(document, 50)
        docx = render_docx(paper)
        _progress(document, 90)
        document.pdf, document.pdf_sha256 = pdf, sha256(pdf)
        document.docx, document.docx_sha256 = docx, sha256(docx)
        document.renderer = f"{PDF_RENDERER}; {DOCX_RENDERER}"
        document.rendered_at = utcnow()
        document.status = str(DocumentStatus.DONE)
        document.progress = 100
        db.session.commit()
    except Exception as error:  # the row records the failure; asking again retries it
        log.warning("document %s failed: %s", document_id, error)
        db.session.rollback()
        document = db.session.get(Document, document_id)
        document.status = str(DocumentStatus.FAILED)
        document.error = (str(error) or type(error).__name__)[:1000]
        db.session.commit()
        return "failed"
    _after_rendered(document)
    return "done"


def render_pending(limit: int = 100, *, now: datetime | None = None) -> dict:
    """Render what is queued: documents a lost queue message left, and dead workers' claims.

    Nothing lives only in Redis: a queued document is a row here, and this periodic
    job (and ``flask documents render-pending``) picks it up.
    """
    now = now or utcnow()
    recovered = db.session.execute(
        sa.update(Document)
        .where(Document.status == DocumentStatus.RENDERING, Document.claimed_at < now - STALE_CLAIM)
        .values(status=DocumentStatus.QUEUED)
    ).rowcount
    db.session.commit()
    queued = db.session.scalars(
        sa.select(Document.id)
        .where(Document.status == DocumentStatus.QUEUED)
        .order_by(Document.id)
        .limit(limit)
    ).all()
    outcomes = [render_document(document_id) for document_id in queued]
    return {
        "recovered": recovered,
        "done": outcomes.count("done"),
        "failed": outcomes.count("failed"),
        "skipped": outcomes.count("skipped"),
    }
