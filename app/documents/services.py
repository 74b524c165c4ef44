"""Asking for a document, and checking a stored one against what it was made from."""

import hashlib
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from app.core.jobs import enqueue_after_commit
from app.core.types import utcnow
from app.documents.gongwen import Gongwen
from app.documents.models import Document, DocumentKind, DocumentStatus
from app.documents.pdf import render_pdf
from app.documents.word import render_docx
from app.extensions import db

RENDER_JOB = "app.documents.tasks.render_document"


def sha256(content: bytes) -> str:
    """Return the hex SHA-256 of ``content``."""
    return hashlib.sha256(content).hexdigest()


def find_document(kind: DocumentKind | str, subject_type: str, subject_id: int) -> Document | None:
    """Return the document of ``kind`` about the subject, if one was asked for."""
    return db.session.scalar(
        sa.select(Document).where(
            Document.kind == str(DocumentKind(kind)),
            Document.subject_type == subject_type,
            Document.subject_id == subject_id,
        )
    )


def request_document(
    kind: DocumentKind | str, subject_type: str, subject_id: int, data: Gongwen, requested_by
) -> Document:
    """Return the document of ``kind`` about the subject, queued for rendering if new.

    One document per (kind, subject): a paper asked for again is the one there is, as it
    was made (a paper once issued does not change); only a failed one is made again,
    from ``data``. The job is queued for after the caller's commit; nothing renders here.
    """
    kind = DocumentKind(kind)
    data.check()
    document = find_document(kind, subject_type, subject_id)
    if document is None:
        # ON CONFLICT, not a savepoint: two requests for the same paper at once get one
        # row, and on SQLite a savepoint opened before any write would commit on release.
        insert = (postgresql.insert if _dialect() == "postgresql" else sqlite.insert)(Document)
        new_id = db.session.scalar(
            insert.values(
                kind=str(kind),
                subject_type=subject_type,
                subject_id=subject_id,
                requested_by_id=requested_by.id if requested_by is not None else None,
                created_at=utcnow(),
                status=str(DocumentStatus.QUEUED),
                **_contents(data),
            )
            .on_conflict_do_nothing(index_elements=["kind", "subject_type", "subject_id"])
            .returning(Document.id)
        )
        document = find_document(kind, subject_type, subject_id)
        if new_id is None:
            return document  # somebody asked for the same paper a moment ago: theirs
    elif document.status == DocumentStatus.FAILED:
        for name, value in _contents(data).items():
            setattr(document, name, value)
        document.requested_by = requested_by
        document.status = str(DocumentStatus.QUEUED)
        document.progress = 0
        document.error = ""
        db.session.flush()
    else:
        return document
    enqueue_after_commit(RENDER_JOB, document.id)
    return document


def _dialect() -> str:
    return db.session.get_bind().dialect.name


def _contents(data: Gongwen) -> dict:
    return {"number": data.number, "title": data.title[:200], "data": data.to_data()}


@dataclass(frozen=True)
class Verification:
    """What a check of a stored document found, file by file.

    ``*_intact``: the stored bytes still have the stored hash (nobody changed them);
    ``*_reproduced``: rendering the stored data again gives that hash (the file is what
    the data makes, with this engine).
    """

    pdf_intact: bool
    docx_intact: bool
    pdf_reproduced: bool
    docx_reproduced: bool

    @property
    def ok(self) -> bool:
        """True if every check passed."""
        return self.pdf_intact and self.docx_intact and self.pdf_reproduced and self.docx_reproduced


def verify_document(document: Document) -> Verification:
    """Check a rendered document's bytes against their hashes and against its data.

    Renders the paper again: for a job or the command line, not for a request.
    """
    if document.status != DocumentStatus.DONE:
        raise ValueError(f"document {document.id} is not rendered ({document.status})")
    paper = Gongwen.from_data(document.data)
    return Verification(
        pdf_intact=sha256(document.pdf) == document.pdf_sha256,
        docx_intact=sha256(document.docx) == document.docx_sha256,
        pdf_reproduced=sha256(render_pdf(paper)) == document.pdf_sha256,
        docx_reproduced=sha256(render_docx(paper)) == document.docx_sha256,
    )
