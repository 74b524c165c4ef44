"""Who may read a document: one hook per kind, registered by the domain that issues it.

The documents domain knows no cases or decisions; the supervision domain says who reads
a 督办单, the accountability domain who reads a 决定书. A kind with no hook is read by
nobody (fail closed), and a document a user may not read answers 404, never a hint.
"""

from collections.abc import Callable

from app.core.errors import NotFound
from app.documents.models import Document, DocumentKind
from app.extensions import db

Reader = Callable[[object, Document], bool]
_readers: dict[str, Reader] = {}


def register_reader(kind: DocumentKind | str, may_read: Reader) -> None:
    """Let ``may_read(user, document)`` decide who reads documents of ``kind``."""
    _readers[str(DocumentKind(kind))] = may_read


def may_read(user, document: Document) -> bool:
    """Return True if ``user`` may read ``document``."""
    reader = _readers.get(document.kind)
    return reader is not None and user.is_authenticated and bool(reader(user, document))


def get_readable_or_404(document_id: int, user) -> Document:
    """Return the document if ``user`` may read it; otherwise raise NotFound."""
    document = db.session.get(Document, document_id)
    if document is None or not may_read(user, document):
        raise NotFound("document not found")
    return document
