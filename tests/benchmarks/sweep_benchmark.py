"""Benchmark of the supervision sweep on PostgreSQL (a script, not a test).

    .venv/bin/python -m tests.benchmarks.sweep_benchmark [--cases 1000000] [--open 100000]
        [--profile] [--admin-url postgresql+psycopg://user:password@host:port/postgres]

Creates a scratch database, bulk-inserts the cases and their handle clocks with
SQL (generate_series), open ones with deadlines spread from ten days past to
three days ahead (two hours either side of the day), vacuums and checkpoints as a
database in service would be, then times three sweeps:

- first: the mass sweep that finds every card due at once;
- second: run again at once, which must issue nothing;
- steady state: five minutes of simulated time later, after autovacuum would have
  caught up, which issues the few hundred cards that fell due meanwhile.

Each line gives the time (commit included), the statements sent and what was
issued. ``--profile`` also prints the time of every statement.
"""

import argparse
import time
from datetime import timedelta

import sqlalchemy as sa

from app.core.types import utcnow
from app.extensions import db
from tests.benchmarks.scratch import ADMIN_URL, insert_cases, scratch_county

NAME = "complaints_sweep_bench"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--open", type=int, default=100_000)
    parser.add_argument("--profile", action="store_true", help="print every statement's time")
    parser.add_argument("--admin-url", default=ADMIN_URL, help="a PostgreSQL maintenance database")
    args = parser.parse_args()
    with scratch_county(NAME, args.admin_url) as (units, categories):
        started = time.perf_counter()
        _bulk_insert(args.cases, args.open, units["CC-RSJ"].id, categories["sloth"].id)
        print(
            f"inserted {args.cases:,} cases ({args.open:,} open) in "
            f"{time.perf_counter() - started:.1f} s"
        )
        _settle()
        if args.profile:
            _profile_statements()
        first = utcnow()
        _timed("first sweep", first)
        _timed("second sweep", first)
        _settle()  # what autovacuum does in five minutes after a mass insert
        _timed("steady state (+5 min)", first + timedelta(minutes=5))


def _timed(label: str, now) -> None:
    from app.supervision.sweep import run_sweep

    started = time.perf_counter()
    result = run_sweep(now)
    db.session.commit()
    elapsed = time.perf_counter() - started
    cards = result.prewarn + result.yellow + result.red
    print(
        f"{label}: {elapsed:.2f} s, {result.statements} statements, {cards:,} cards "
        f"(prewarn {result.prewarn:,}, yellow {result.yellow:,}, red {result.red:,}), "
        f"cleared {result.cleared:,}, notices {result.reminders + result.orders:,} "
        f"(reminders {result.reminders:,}, orders {result.orders:,}), "
        f"messages {result.messages:,}"
    )


def _settle() -> None:
    """Vacuum, analyze and checkpoint, so a sweep is not timed against leftover work."""
    db.session.commit()
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(sa.text("VACUUM ANALYZE"))
        conn.execute(sa.text("CHECKPOINT"))


def _profile_statements() -> None:
    @sa.event.listens_for(db.engine, "before_cursor_execute")
    def _before(conn, _cursor, _statement, _parameters, _context, _many):
        conn.info["started"] = time.perf_counter()

    @sa.event.listens_for(db.engine, "after_cursor_execute")
    def _after(conn, _cursor, statement, _parameters, _context, _many):
        elapsed = (time.perf_counter() - conn.info.pop("started")) * 1000
        print(f"  {elapsed:8.1f} ms  {' '.join(statement.split())[:110]}")


def _bulk_insert(total: int, open_count: int, unit_id: int, category_id: int) -> None:
    insert_cases(
        total,
        unit_id,
        category_id,
        prefix="BENCH",
        state=f"CASE WHEN g <= {int(open_count)} THEN 'handling' ELSE 'closed' END",
        created_at="now() - interval '30 days'",
    )
    run = db.session.execute
    run(
        sa.text("""
        INSERT INTO assignments (case_id, unit_id, role, dispatched_at, end_reason)
        SELECT id, :unit, 'lead', created_at, '' FROM cases WHERE state = 'handling'
    """),
        {"unit": unit_id},
    )
    # Open clocks: deadlines from ten days ago to three days ahead, each day's spread over
    # four hours around the time of day of the insert, so that every five minutes a few
    # hundred pre-warnings, yellow and red cards fall due. Closed ones stopped.
    run(
        sa.text("""
        INSERT INTO clocks (case_id, kind, limit_unit, limit_amount, started_at, due_at,
            provisional, prewarn_at, red_at, stopped_at, late)
        SELECT id, 'handle', 'workdays', 15, created_at, due, false,
            due - interval '1 day', due + interval '7 days',
            CASE WHEN state = 'closed' THEN created_at + interval '10 days' END,
            CASE WHEN state = 'closed' THEN false END
        FROM (
            SELECT id, state, created_at,
                now() + ((id % 13) - 10) * interval '1 day'
                    + ((id / 13) % 240 - 120) * interval '1 minute' AS due
            FROM cases
        ) AS c
    """)
    )
    db.session.commit()


if __name__ == "__main__":
    main()
