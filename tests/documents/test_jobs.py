"""Rendering in a job: asked for in a transaction, rendered after it, once, recoverable."""

import sqlalchemy as sa

from app.core.jobs import enqueue_after_commit
from app.core.types import utcnow
from app.documents.models import Document
from app.documents.services import find_document, request_document, verify_document
from app.documents.tasks import STALE_CLAIM, render_document, render_pending
from app.extensions import db
from tests.documents.papers import NUMBER, paper, pdf_text

_PENDING_JOBS = "jobs_after_commit"  # app.core.jobs keeps the queued jobs here


def _ask(**overrides) -> Document:
    return request_document("decision", "decision", 7, paper(**overrides), None)


def test_asking_renders_after_the_commit_not_before(app):
    document = _ask()
    assert document.status == "queued" and document.pdf_sha256 is None
    assert document.number == NUMBER and document.data["date"] == "2026-03-05"
    db.session.commit()  # without Redis the job runs in-process after the commit
    db.session.refresh(document)
    assert document.status == "done" and document.progress == 100
    assert NUMBER in pdf_text(document.pdf)
    assert len(document.pdf_sha256) == 64 and len(document.docx_sha256) == 64
    assert document.renderer.startswith("typst ")


def test_one_document_per_kind_and_subject(app):
    first = _ask()
    db.session.commit()
    again = _ask(title="另一个标题")
    db.session.commit()
    assert again.id == first.id and again.title == first.title  # issued papers stay as made
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Document)) == 1


def test_the_job_run_twice_renders_once(app, monkeypatch):
    from app.documents import tasks

    document = _ask()
    db.session.info.pop(_PENDING_JOBS)  # the queue message is lost
    db.session.commit()
    calls = []
    real = tasks.render_pdf
    monkeypatch.setattr(tasks, "render_pdf", lambda p: calls.append(p) or real(p))
    assert render_document(document.id) == "done"
    assert render_document(document.id) == "skipped"
    assert len(calls) == 1


def test_a_failed_render_is_marked_failed_with_its_message_and_asking_again_retries(
    app, monkeypatch
):
    from app.documents import tasks

    def broken(paper):
        raise RuntimeError("unknown font family: noto serif cjk sc")

    monkeypatch.setattr(tasks, "render_pdf", broken)
    document = _ask()
    db.session.commit()
    db.session.refresh(document)
    assert document.status == "failed" and "unknown font family" in document.error
    assert document.pdf is None and document.progress == 10
    monkeypatch.undo()
    retried = _ask(title="重新生成的标题")
    db.session.commit()
    db.session.refresh(retried)
    assert retried.id == document.id and retried.status == "done"
    assert retried.title == "重新生成的标题" and retried.error == ""


def test_stored_data_that_is_not_a_paper_fails_the_render(app):
    document = _ask()
    db.session.info.pop(_PENDING_JOBS)
    db.session.commit()
    db.session.execute(
        sa.update(Document).where(Document.id == document.id).values(data={"title": "x"})
    )
    db.session.commit()
    assert render_document(document.id) == "failed"
    assert "not a document" in db.session.get(Document, document.id).error


def test_the_recovery_job_renders_what_a_lost_message_left_queued(app):
    document = _ask()
    db.session.info.pop(_PENDING_JOBS)
    db.session.commit()
    assert db.session.get(Document, document.id).status == "queued"
    assert render_pending() == {"recovered": 0, "done": 1, "failed": 0, "skipped": 0}
    assert render_pending() == {"recovered": 0, "done": 0, "failed": 0, "skipped": 0}
    assert db.session.get(Document, document.id).status == "done"


def test_the_recovery_job_takes_back_a_dead_workers_claim(app):
    document = _ask()
    db.session.info.pop(_PENDING_JOBS)
    db.session.commit()
    claimed = utcnow()
    db.session.execute(
        sa.update(Document)
        .where(Document.id == document.id)
        .values(status="rendering", claimed_at=claimed)
    )
    db.session.commit()
    assert render_pending(now=claimed)["done"] == 0  # a live claim is left alone
    later = claimed + STALE_CLAIM * 2
    assert render_pending(now=later) == {"recovered": 1, "done": 1, "failed": 0, "skipped": 0}


def test_the_command_renders_pending_documents(app):
    document = _ask()
    db.session.info.pop(_PENDING_JOBS)
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["documents", "render-pending"])
    assert result.exit_code == 0 and "done: 1" in result.output
    assert db.session.get(Document, document.id).status == "done"


def test_a_stored_document_renders_again_to_the_same_hashes(app):
    _ask()
    db.session.commit()
    document = find_document("decision", "decision", 7)
    result = verify_document(document)
    assert result.ok and result.pdf_reproduced and result.docx_reproduced


def test_a_change_to_the_stored_bytes_is_seen(app):
    _ask()
    db.session.commit()
    document = find_document("decision", "decision", 7)
    tampered = document.pdf.replace(b"/Count 2", b"/Count 1")
    assert tampered != document.pdf
    db.session.execute(sa.update(Document).where(Document.id == document.id).values(pdf=tampered))
    db.session.commit()
    db.session.expire_all()
    result = verify_document(db.session.get(Document, document.id))
    assert not result.ok and not result.pdf_intact
    assert result.docx_intact and result.pdf_reproduced  # the data still makes the original
    runner = app.test_cli_runner()
    output = runner.invoke(args=["documents", "verify"]).output
    assert f"BROKEN document {document.id}" in output and "pdf_intact" in output


def test_a_job_queued_in_a_rolled_back_transaction_never_runs(app):
    document = _ask()
    enqueue_after_commit("app.documents.tasks.render_document", document.id)
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Document)) == 0


def test_with_redis_the_document_waits_for_a_worker(app, redis_conn):
    from rq import Queue, SimpleWorker

    from workers.worker import AppJob, set_app

    app.config.update(REDIS_URL="redis://configured-by-test", RQ_QUEUE="test-documents")
    app.extensions["redis"] = redis_conn
    document = _ask()
    db.session.commit()
    queue = Queue("test-documents", connection=redis_conn)
    assert queue.count == 1 and db.session.get(Document, document.id).status == "queued"
    set_app(app)
    SimpleWorker([queue], connection=redis_conn, job_class=AppJob).work(burst=True)
    db.session.expire_all()
    assert db.session.get(Document, document.id).status == "done" and queue.count == 0


def test_cron_relays_the_documents_left_queued(redis_conn):
    from rq.cron import CronScheduler

    scheduler = CronScheduler(connection=redis_conn)
    scheduler.load_config_from_file("workers/cron.py")
    jobs = {job.name: job for job in scheduler.get_jobs()}
    assert jobs["documents-relay"].func.__name__ == "render_pending"
    assert jobs["documents-relay"].interval == 120
