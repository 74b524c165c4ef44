"""Benchmark of the supervision sweep on PostgreSQL (a script, not a test).

    .venv/bin/python -m tests.benchmarks.sweep_benchmark [--cases 1000000] [--open 100000]

Creates a scratch database, bulk-inserts the cases and their handle clocks with
SQL (generate_series), open ones with deadlines spread from ten days past to
three days ahead, then times one full sweep and a second one.
"""

import argparse
import time

import sqlalchemy as sa

from app import create_app
from app.core.types import utcnow
from app.extensions import db

ADMIN_URL = "postgresql+psycopg://postgres:postgres@127.0.0.1:5432/postgres"
NAME = "complaints_sweep_bench"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--open", type=int, default=100_000)
    args = parser.parse_args()
    admin = sa.create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{NAME}" WITH (FORCE)'))
        conn.execute(sa.text(f'CREATE DATABASE "{NAME}"'))
    url = ADMIN_URL.rsplit("/", 1)[0] + f"/{NAME}"
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=url)
    with app.app_context():
        from flask_migrate import upgrade

        from app.demo.seed import seed_calendar, seed_categories, seed_units, seed_users
        from app.supervision.sweep import run_sweep

        upgrade()
        seed_calendar()
        units = seed_units()
        categories = seed_categories()
        seed_users(units)
        db.session.commit()
        started = time.perf_counter()
        _bulk_insert(args.cases, args.open, units["CC-RSJ"].id, categories["sloth"].id)
        print(
            f"inserted {args.cases:,} cases ({args.open:,} open) in "
            f"{time.perf_counter() - started:.1f} s"
        )
        db.session.execute(sa.text("ANALYZE"))
        db.session.commit()
        for label in ("first sweep", "second sweep"):
            started = time.perf_counter()
            result = run_sweep(utcnow())
            db.session.commit()
            elapsed = time.perf_counter() - started
            print(
                f"{label}: {elapsed:.2f} s, {result.statements} statements, "
                f"prewarn {result.prewarn:,}, yellow {result.yellow:,}, red {result.red:,}, "
                f"cleared {result.cleared:,}, reminders {result.reminders:,}, "
                f"orders {result.orders:,}"
            )
        db.engine.dispose()
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{NAME}" WITH (FORCE)'))


def _bulk_insert(total: int, open_count: int, unit_id: int, category_id: int) -> None:
    run = db.session.execute
    run(
        sa.text(
            "INSERT INTO complainants (name, phone, email, address, anonymous, created_at) "
            "VALUES ('压测', '13000000000', '', '', false, now())"
        )
    )
    run(
        sa.text("""
        INSERT INTO cases (number, tracking_code, channel, complainant_id, respondent_unit_id,
            respondent_staff, subject_kind, category_id, urgency, title, content, content_html,
            call_reference, letter_box, public_reply, state, reopen_count, created_at,
            updated_at, version)
        SELECT 'BENCH-' || g, 'BT' || g, 'hotline', 1, :unit, '', 'unit', :category, 'normal',
            'bench', 'bench', '', '', '', '',
            CASE WHEN g <= :open THEN 'handling' ELSE 'closed' END, 0,
            now() - interval '30 days', now(), 1
        FROM generate_series(1, :total) AS g
    """),
        {"unit": unit_id, "category": category_id, "open": open_count, "total": total},
    )
    run(
        sa.text("""
        INSERT INTO assignments (case_id, unit_id, role, dispatched_at, end_reason)
        SELECT id, :unit, 'lead', created_at, '' FROM cases WHERE state = 'handling'
    """),
        {"unit": unit_id},
    )
    # Open clocks: deadlines from ten days ago to three days ahead; closed ones stopped.
    run(
        sa.text("""
        INSERT INTO clocks (case_id, kind, limit_unit, limit_amount, started_at, due_at,
            provisional, prewarn_at, red_at, stopped_at, late)
        SELECT id, 'handle', 'workdays', 15, created_at,
            now() + ((id % 13) - 10) * interval '1 day', false,
            now() + ((id % 13) - 11) * interval '1 day',
            now() + ((id % 13) - 3) * interval '1 day',
            CASE WHEN state = 'closed' THEN created_at + interval '10 days' END,
            CASE WHEN state = 'closed' THEN false END
        FROM cases
    """)
    )
    db.session.commit()


if __name__ == "__main__":
    main()
