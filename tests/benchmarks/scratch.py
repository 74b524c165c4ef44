"""What the benchmarks share: a scratch PostgreSQL database with the demo county, and
bulk-inserted cases (generate_series, one statement)."""

from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa

from app import create_app
from app.cases.workflow import FINAL_STATES
from app.core.constraints import one_of
from app.extensions import db

ADMIN_URL = "postgresql+psycopg://postgres:postgres@127.0.0.1:5432/postgres"


@contextmanager
def scratch_county(name: str, admin_url: str = ADMIN_URL) -> Iterator[tuple[dict, dict]]:
    """Create database ``name``, migrate it, seed the demo units, categories, users and
    calendar, and yield (units, categories) inside an app context; drop it afterwards."""
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=admin_url.rsplit("/", 1)[0] + f"/{name}")
    try:
        with app.app_context():
            from flask_migrate import upgrade

            from app.demo.seed import seed_calendar, seed_categories, seed_units, seed_users

            upgrade()
            seed_calendar()
            units = seed_units()
            categories = seed_categories()
            seed_users(units)
            db.session.commit()
            yield units, categories
            db.session.remove()
            db.engine.dispose()
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def insert_cases(
    count: int, unit_id: int, category_id: int, *, prefix: str, state: str, created_at: str
) -> None:
    """Insert ``count`` cases of one complainant; ``state`` and ``created_at`` are SQL
    expressions of ``g``, the case's position (1..count). A case in a final state is
    closed ten days after it came in."""
    closed_at = (
        f"CASE WHEN {one_of(f'({state})', FINAL_STATES)} "
        f"THEN ({created_at}) + interval '10 days' END"
    )
    db.session.execute(
        sa.text(
            "INSERT INTO complainants (name, phone, email, address, anonymous, created_at) "
            "VALUES ('压测', '13000000000', '', '', false, now())"
        )
    )
    db.session.execute(
        sa.text(f"""
        INSERT INTO cases (number, tracking_code, channel, complainant_id, respondent_unit_id,
            respondent_staff, subject_kind, category_id, urgency, title, content, content_html,
            call_reference, letter_box, public_reply, state, reopen_count, created_at,
            updated_at, closed_at, version)
        SELECT :prefix || '-' || g, :prefix || g, 'hotline',
            (SELECT max(id) FROM complainants), :unit, '', 'unit', :category, 'normal',
            'bench', 'bench', '', '', '', '', {state}, 0, {created_at}, now(), {closed_at}, 1
        FROM generate_series(1, :count) AS g
    """),
        {"prefix": prefix, "unit": unit_id, "category": category_id, "count": count},
    )
