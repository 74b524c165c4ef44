"""Benchmark of accountability: a decision notice's render, and a long efficiency record
(a script, not a test; prints numbers).

    .venv/bin/python -m tests.benchmarks.accountability_benchmark [--url URL]
        [--warm 10] [--runs 20] [--decisions 50] [--cases 200]

``--url`` (or ``BENCH_DATABASE_URL``) is ``sqlite`` (the default: a new database file in
a temporary directory) or a PostgreSQL URL of a maintenance database, beside which a
scratch database is created and dropped. Both are migrated and seeded with the demo
county, its staff lists and the accountability reference data.

1. The notice: one decision (效能告诫 for 王某某) is drafted, proposed and approved
   through the services; its render job goes to a queue nobody works, so that the
   script renders it itself: the PDF cold (the first render of the process, which
   reads the fonts) and warm (a new number each time, as a worker's next jobs are), the
   DOCX, and the whole job (both files, stored, and the case issued).
2. The record: the same person gets ``--decisions`` numbered decisions and ``--cases``
   closed valid complaints naming them (set-based inserts). It times ``staff_record``
   and a GET of ``/accountability/records/staff/<id>`` as the inspector, each request
   in a fresh session as a server's would be, and prints the median, the maximum and
   the SQL statements the page sends. The PDF engine is watched during the requests:
   a page must never render.
"""

import argparse
import contextvars
import dataclasses
import os
import statistics
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta

import sqlalchemy as sa

from app import create_app
from app.extensions import db

NAME = "complaints_acc_bench"
FORMS = ["reminder_talk", "criticism", "written_check", "circulated_criticism", "admonition"]


@contextmanager
def county(url: str) -> Iterator[tuple[dict, dict]]:
    """Yield the demo county's (units, categories) on a new database, in an app context."""
    if url.startswith("postgresql"):
        from tests.benchmarks.scratch import scratch_county

        with scratch_county(NAME, url) as seeded:
            yield seeded
        return
    if url != "sqlite":
        raise SystemExit(f"--url: sqlite or a PostgreSQL URL, not {url!r}")
    from flask_migrate import upgrade

    from app.demo.seed import seed_calendar, seed_categories, seed_units, seed_users

    with tempfile.TemporaryDirectory() as directory:
        app = create_app("testing", SQLALCHEMY_DATABASE_URI=f"sqlite:///{directory}/bench.db")
        with app.app_context():
            upgrade()
            seed_calendar()
            units = seed_units()
            categories = seed_categories()
            seed_users(units)
            db.session.commit()
            yield units, categories
            db.session.remove()
            db.engine.dispose()


def _timed(func, *args) -> tuple[float, object]:
    started = time.perf_counter()
    result = func(*args)
    return time.perf_counter() - started, result


def _ms(values: list[float]) -> str:
    return f"median {statistics.median(values) * 1000:.1f} ms, max {max(values) * 1000:.1f} ms"


def approved_decision(users: dict, staff):
    """A 效能告诫 for ``staff``, approved through the services; its job is queued only."""
    from app.accountability.models import LegalBasis
    from app.accountability.referrals import accept_referral, create_referral
    from app.accountability.services import perform_acc_action

    inspector, head = users["inspector"], users["jw_head"]
    referral = create_referral(
        {"staff": str(staff.id), "summary": "投诉件反映失业保险金申领超期未办结。"}, inspector
    )
    acc_case = accept_referral(referral, {}, inspector)
    perform_acc_action(acc_case, "verify", inspector, {})
    bases = db.session.scalars(sa.select(LegalBasis.id).order_by(LegalBasis.id).limit(2)).all()
    facts = (
        "经核实，王某某作为就业和失业保险股股长，对股室受理的失业保险金申领未按承诺时限"
        "审核，超过承诺时限十二个工作日未办结；电子监察亮出黄牌后仍未及时整改。\n"
    ) * 3
    perform_acc_action(
        acc_case,
        "draft_decision",
        inspector,
        {
            "decision": str(acc_case.decisions[0].id),
            "form_code": "efficiency_warning",
            "facts": facts,
            "basis_ids": [str(b) for b in bases],
            "requirements": "责令其作出书面检查，并对积压的申领件逐件清理、限期办结。",
            "execution_days": 10,
        },
    )
    perform_acc_action(acc_case, "propose", inspector, {})
    perform_acc_action(acc_case, "approve", head, {"note": "同意。"})
    db.session.commit()
    return acc_case.decisions[0]


def bench_notice(decision, warm: int) -> None:
    from app.accountability.notices import decision_paper
    from app.documents.models import Document
    from app.documents.pdf import render_pdf
    from app.documents.tasks import render_document
    from app.documents.word import render_docx

    paper = decision_paper(decision)
    cold_pdf, pdf = _timed(render_pdf, paper)
    cold_docx, _ = _timed(render_docx, paper)
    warm_pdf, warm_docx = [], []
    for n in range(2, warm + 2):
        # A new paper each time (number, facts): the engine answers one it has just made
        # from a cache.
        other = dataclasses.replace(
            paper,
            number=paper.number.replace("1号", f"{n}号"),
            paragraphs=[p.replace("十二个工作日", f"{n + 10}个工作日") for p in paper.paragraphs],
        )
        warm_pdf.append(_timed(render_pdf, other)[0])
        warm_docx.append(_timed(render_docx, other)[0])
    job, outcome = _timed(render_document, decision.document_id)
    document = db.session.get(Document, decision.document_id)
    print(f"notice {decision.number}: a {len(pdf):,}-byte PDF; job {outcome}, {document.status}")
    print(f"  PDF  cold (first render, fonts read): {cold_pdf * 1000:.0f} ms")
    print(f"  PDF  warm, a new paper each: {_ms(warm_pdf)} ({len(warm_pdf)} renders)")
    print(f"  DOCX cold {cold_docx * 1000:.0f} ms; warm {_ms(warm_docx)}")
    print(f"  the render job (PDF + DOCX, stored, the case issued): {job * 1000:.0f} ms")


def long_record(staff, organ, category, n_decisions: int, n_cases: int) -> None:
    """Give ``staff`` numbered decisions and closed valid complaints, set-based."""
    from app.accountability.models import AccountabilityCase, Decision
    from app.cases.models import Case, CaseStaff, Complainant
    from app.core.types import utcnow

    now = utcnow()
    today = date.today()
    acc_ids = db.session.scalars(
        sa.insert(AccountabilityCase).returning(AccountabilityCase.id),
        [
            {
                "number": f"WZB-{i:04d}",
                "organ_id": organ.id,
                "title": f"基准问责案件{i}",
                "state": "closed",
                "created_at": now - timedelta(days=10 * i + 5),
                "updated_at": now - timedelta(days=10 * i),
                "closed_at": now - timedelta(days=10 * i),
            }
            for i in range(1, n_decisions + 1)
        ],
    ).all()
    db.session.execute(
        sa.insert(Decision),
        [
            {
                "acc_case_id": acc_id,
                "subject_type": "staff",
                "unit_id": staff.unit_id,
                "staff_id": staff.id,
                "form_code": FORMS[i % len(FORMS)],
                "facts": "经核实，超过承诺时限未办结。",
                "number": f"澄纪效基〔{(today - timedelta(days=10 * i)).year}〕{i}号",
                "decided_on": today - timedelta(days=10 * i),
                "effective_until": today - timedelta(days=10 * i) + timedelta(days=180),
                "served_at": now - timedelta(days=10 * i - 1),
                "served_to": staff.name,
                "served_how": "in_person",
                "appeal_filed_at": now - timedelta(days=10 * i - 3) if i % 5 == 0 else None,
                "appeal_outcome": "upheld" if i % 5 == 0 else None,
                "revoked": i % 17 == 0,
            }
            for i, acc_id in enumerate(acc_ids, 1)
        ],
    )
    complainant = Complainant(name="压测", phone="13000000000")
    db.session.add(complainant)
    db.session.flush()
    case_ids = db.session.scalars(
        sa.insert(Case).returning(Case.id),
        [
            {
                "number": f"BENCH-{i:06d}",
                "tracking_code": f"BENCH{i:06d}",
                "channel": "hotline",
                "complainant_id": complainant.id,
                "respondent_unit_id": staff.unit_id,
                "subject_kind": "staff",
                "category_id": category.id,
                "title": f"失业保险金申领超期（基准{i}）",
                "content": "提交申请一个月没有结果。",
                "state": "closed",
                "finding": "substantiated" if i % 2 else "partly_substantiated",
                "created_at": now - timedelta(days=3 * i + 20),
                "updated_at": now - timedelta(days=3 * i),
                "closed_at": now - timedelta(days=3 * i),
            }
            for i in range(1, n_cases + 1)
        ],
    ).all()
    db.session.execute(
        sa.insert(CaseStaff), [{"case_id": i, "staff_id": staff.id} for i in case_ids]
    )
    db.session.commit()


class Counter:
    """Counts the SQL statements the engine sends and the PDFs the engine compiles."""

    def __init__(self, engine):
        import typst

        self.statements = 0
        self.renders = 0
        sa.event.listen(engine, "before_cursor_execute", self._statement)
        compiler = typst.Compiler

        def counting_compiler(*args, **kwargs):
            self.renders += 1
            return compiler(*args, **kwargs)

        typst.Compiler = counting_compiler

    def _statement(self, *args) -> None:
        self.statements += 1


def fresh(func, *args, **kwargs):
    """Run a request as a server would: its own app context, session and identity map."""
    return contextvars.Context().run(func, *args, **kwargs)


def bench_record(app, staff, runs: int) -> None:
    from app.accountability.records import staff_record

    record_times = []
    for _ in range(runs):
        db.session.expire_all()
        elapsed, record = _timed(staff_record, staff)
        record_times.append(elapsed)
    counted = {
        name: sum(year.get(name, 0) for year in record.counters.values())
        for name in ("decisions", "valid_cases", "appeals")
    }
    print(
        f"staff_record: {_ms(record_times)} ({runs} runs); it lists {len(record.decisions)} "
        f"decisions and {len(record.cases)} valid complaints and counts {counted}"
    )
    client = app.test_client()
    response = fresh(client.post, "/login", data={"username": "inspector", "password": "demo1234"})
    assert response.status_code == 302, response.status_code
    url = f"/accountability/records/staff/{staff.id}"
    counter = Counter(db.engine)
    page_times, statements = [], []
    for _ in range(runs + 2):
        counter.statements = 0
        elapsed, response = _timed(fresh, client.get, url)
        assert response.status_code == 200, response.status_code
        page_times.append(elapsed)
        statements.append(counter.statements)
    page_times, statements = page_times[2:], statements[2:]  # the first warm the caches
    body = response.get_data(as_text=True)
    print(
        f"GET {url} as the inspector: {_ms(page_times)} ({runs} runs), "
        f"{statements[-1]} SQL statements, {len(body):,} bytes, "
        f"{body.count('data-decision=')} decision rows"
    )
    print(f"PDF renders during the page requests: {counter.renders}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", default=os.environ.get("BENCH_DATABASE_URL", "sqlite"))
    parser.add_argument("--warm", type=int, default=10, help="warm renders after the first")
    parser.add_argument("--runs", type=int, default=20, help="timed runs of the record")
    parser.add_argument("--decisions", type=int, default=50)
    parser.add_argument("--cases", type=int, default=200)
    args = parser.parse_args()
    with county(args.url) as (units, categories):
        import fakeredis
        from flask import current_app

        from app.accountability.reference import seed_reference
        from app.auth.models import User
        from app.demo.seed import seed_staff
        from app.routing.defaults import seed_default_rules
        from app.units.models import Staff

        app = current_app._get_current_object()
        # Jobs go to a queue that nobody works: this script renders what it times.
        app.config["REDIS_URL"] = "redis://benchmark"
        app.extensions["redis"] = fakeredis.FakeRedis()
        seed_staff(units)
        seed_default_rules()
        seed_reference()
        db.session.commit()
        print(f"{db.engine.dialect.name}: {db.engine.url.render_as_string(hide_password=True)}")
        users = {u.username: u for u in db.session.scalars(sa.select(User))}
        staff = db.session.scalar(sa.select(Staff).where(Staff.name == "王某某"))
        bench_notice(approved_decision(users, staff), args.warm)
        long_record(staff, units["CC-JW"], categories["time_limit"], args.decisions, args.cases)
        bench_record(app, staff, args.runs)


if __name__ == "__main__":
    main()
