"""`flask documents`: render what waits, check what is stored."""

import click
import sqlalchemy as sa
from flask.cli import AppGroup

from app.documents.models import Document, DocumentStatus
from app.documents.services import verify_document
from app.documents.tasks import render_pending
from app.extensions import db

documents_cli = AppGroup("documents", help="Official documents (公文).")


@documents_cli.command("render-pending")
@click.option("--limit", default=100, show_default=True, help="Render at most this many.")
def documents_render_pending(limit: int) -> None:
    """Render the queued documents (and those a dead worker left half done)."""
    result = render_pending(limit)
    click.echo(
        f"recovered: {result['recovered']}, done: {result['done']}, "
        f"failed: {result['failed']}, skipped: {result['skipped']}"
    )


@documents_cli.command("verify")
@click.argument("document_ids", nargs=-1, type=int)
def documents_verify(document_ids: tuple[int, ...]) -> None:
    """Check rendered documents (all, or those named) against their hashes and data."""
    stmt = sa.select(Document).where(Document.status == DocumentStatus.DONE)
    if document_ids:
        stmt = stmt.where(Document.id.in_(document_ids))
    broken = 0
    for document in db.session.scalars(stmt.order_by(Document.id)):
        result = verify_document(document)
        if not result.ok:
            broken += 1
            failed = [name for name, passed in vars(result).items() if not passed]
            click.echo(f"BROKEN document {document.id} {document.number}: {', '.join(failed)}")
    click.echo(f"{broken} broken")
    if broken:
        raise SystemExit(1)
