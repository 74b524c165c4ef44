"""Benchmark of recomputing open deadlines after a calendar change (a script, not a test).

    .venv/bin/python -m tests.benchmarks.calendar_benchmark [--open 10000]

Creates a scratch PostgreSQL database with OPEN cases whose handle clocks started in
December 2026 and so reach into 2027, which has no calendar data (provisional). It
then times entering 2027 by hand (every clock is recomputed and every case gets an
event), and editing one day in the middle of December (a part of them move again).
"""

import argparse
import time
from datetime import date

import sqlalchemy as sa

from app.extensions import db
from tests.benchmarks.scratch import insert_cases, scratch_county

NAME = "complaints_calendar_bench"
SCHEDULE_2027 = {
    "year": 2027,
    "holidays": "2027-01-01 元旦\n2027-02-05..2027-02-11 春节\n",
    "makeup_days": "2027-02-14 春节\n",
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--open", type=int, default=10_000)
    args = parser.parse_args()
    with scratch_county(NAME) as (units, categories):
        from app.core.trail import GUARD_DDL, UNGUARD_DDL
        from app.deadlines.calendar_admin import enter_year, recompute_open_clocks, set_day
        from app.deadlines.models import Clock

        _bulk_insert(args.open, units["CC-RSJ"].id, categories["sloth"].id)
        # Deadlines as the services would have computed them: provisional into 2027.
        recompute_open_clocks(date(2026, 12, 1), date(2026, 12, 31))
        # Start from an empty trail: a scratch database, so lift its guard for a moment.
        for ddl in (*UNGUARD_DDL["postgresql"], "DELETE FROM events", *GUARD_DDL["postgresql"]):
            db.session.execute(sa.text(ddl))
        db.session.commit()
        provisional = db.session.scalar(
            sa.select(sa.func.count()).where(Clock.provisional.is_(True))
        )
        print(f"{args.open:,} open clocks started in December 2026, {provisional:,} provisional")
        for label, change in (
            ("enter 2027 by hand", lambda: enter_year(SCHEDULE_2027)),
            (
                "make 2026-12-15 a day off",
                lambda: set_day({"day": "2026-12-15", "kind": "off", "note": "bench"}),
            ),
        ):
            started = time.perf_counter()
            result = change()
            db.session.commit()
            elapsed = time.perf_counter() - started
            print(
                f"{label}: {elapsed:.2f} s, {result.examined:,} clocks examined, "
                f"{result.moved:,} moved on {len(result.cases):,} cases (one event each)"
            )


def _bulk_insert(count: int, unit_id: int, category_id: int) -> None:
    insert_cases(
        count,
        unit_id,
        category_id,
        prefix="CAL",
        state="'handling'",
        created_at="timestamptz '2026-12-01 01:00+00' + (g % 28) * interval '1 day'",
    )
    run = db.session.execute
    run(
        sa.text("""
        INSERT INTO clocks (case_id, kind, limit_unit, limit_amount, started_at, due_at,
            provisional)
        SELECT id, 'handle', 'workdays', 15, created_at, created_at, false FROM cases
    """)
    )
    db.session.commit()


if __name__ == "__main__":
    main()
