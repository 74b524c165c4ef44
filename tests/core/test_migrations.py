"""Migrations that rewrite data: the trail's chains (0012), the redo count (0013) and the
closing moments and verdicts the checks (0015) need."""

import json
import uuid
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from app import create_app
from app.extensions import db
from tests.conftest import BACKENDS, PG_ADMIN_URL

T0 = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)


@pytest.fixture(params=BACKENDS)
def scratch_url(request, tmp_path):
    """An empty database on each backend, dropped afterwards."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'm.db'}"
        return
    name = f"complaints_mig_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _insert(conn, table: str, **values) -> int:
    """Insert a row, filling the NOT NULL columns not given with plain values of their type."""
    columns = sa.inspect(conn).get_columns(table)
    row = dict(values)
    for c in columns:
        if c["name"] in row or c["nullable"] or c.get("autoincrement") is True:
            continue
        if c["name"] == "id" or c.get("default") is not None:
            continue
        kind = c["type"].python_type if hasattr(c["type"], "python_type") else str
        row[c["name"]] = {
            int: 1,
            bool: False,
            str: uuid.uuid4().hex[: min(8, getattr(c["type"], "length", None) or 8)],
            datetime: T0,
            dict: "{}",
        }.get(kind, "x")
    names = ", ".join(row)
    marks = ", ".join(f":{k}" for k in row)
    return conn.execute(
        sa.text(f"INSERT INTO {table} ({names}) VALUES ({marks}) RETURNING id"), row
    ).scalar_one()


def _event(conn, case_id, action, n, actor=None, to_state=None, **data):
    _insert(
        conn,
        "events",
        case_id=case_id,
        at=T0 + timedelta(minutes=n),
        actor_id=actor,
        action=action,
        to_state=to_state,
        data=json.dumps(data, ensure_ascii=False),
    )


def test_old_events_get_their_chains_and_counts_come_from_the_trail(scratch_url):
    from flask_migrate import downgrade, upgrade

    from app.core.trail import verify_chains

    app = create_app("testing", SQLALCHEMY_DATABASE_URI=scratch_url)
    with app.app_context():
        upgrade(revision="0011")
        with db.engine.begin() as conn:
            unit = _insert(conn, "units", code="U1", name="人社局", tier=2, kind="department")
            lead = _insert(conn, "users", username="lead", name="李四", unit_id=unit)
            handler = _insert(conn, "users", username="handler", name="王五", unit_id=unit)
            complainant = _insert(conn, "complainants", name="张三")
            valid = {"channel": "hotline", "subject_kind": "unit", "urgency": "normal"}
            case = _insert(conn, "cases", complainant_id=complainant, state="handling", **valid)
            other = _insert(conn, "cases", complainant_id=complainant, state="closed", **valid)
            _event(conn, case, "register", 0, to_state="registered", channel="hotline")
            _event(conn, case, "sign", 1, actor=handler, to_state="handling")
            # AB post: the handler signed off in the away lead's place.
            _event(conn, case, "sign_off", 2, handler, acting_for="lead", acting_for_name="李四")
            _event(conn, case, "visit", 3, to_state="handling", satisfaction="unsatisfied")
            _event(conn, case, "reopen", 4, to_state="screening", reason="新证据")
            _event(conn, other, "register", 0, to_state="registered")
            conn.execute(sa.text("UPDATE cases SET reopen_count = 2 WHERE id = :id"), {"id": case})
        upgrade()
        result = verify_chains()
        assert (result.chains, result.events, result.broken) == (2, 6, [])
        with db.engine.connect() as conn:
            signed_off = conn.execute(
                sa.text("SELECT acting_for_id, data FROM events WHERE action = 'sign_off'")
            ).one()
            counts = conn.execute(
                sa.text("SELECT redo_count, reopen_count FROM cases WHERE id = :id"), {"id": case}
            ).one()
        data = signed_off.data if isinstance(signed_off.data, dict) else json.loads(signed_off.data)
        assert signed_off.acting_for_id == lead and "acting_for" not in data
        assert tuple(counts) == (1, 1)

        with pytest.raises(sa.exc.DBAPIError), db.engine.begin() as conn:
            conn.execute(sa.text("DELETE FROM events"))

        downgrade(revision="0011")
        with db.engine.connect() as conn:
            rows = conn.execute(sa.text("SELECT case_id, data FROM events ORDER BY id")).all()
        assert [r.case_id for r in rows] == [case] * 5 + [other]
        restored = rows[2].data if isinstance(rows[2].data, dict) else json.loads(rows[2].data)
        assert restored["acting_for"] == "lead"
        db.engine.dispose()


def test_checks_find_closing_moments_in_the_trail_and_verdicts_at_the_deadline(scratch_url):
    from flask_migrate import downgrade, upgrade

    from app.cases.models import Case
    from app.deadlines.models import Clock

    app = create_app("testing", SQLALCHEMY_DATABASE_URI=scratch_url)
    with app.app_context():
        upgrade(revision="0014")
        with db.engine.begin() as conn:
            complainant = _insert(conn, "complainants", name="张三")
            valid = {"channel": "hotline", "subject_kind": "unit", "urgency": "normal"}
            closed = _insert(conn, "cases", complainant_id=complainant, state="closed", **valid)
            reopened = _insert(
                conn, "cases", complainant_id=complainant, state="screening", closed_at=T0, **valid
            )
            for n, state in enumerate(("handling", "closed")):
                _insert(
                    conn,
                    "events",
                    subject_type="case",
                    subject_id=closed,
                    at=T0 + timedelta(days=n),
                    action="visit",
                    to_state=state,
                    data="{}",
                )
            clock = _insert(
                conn,
                "clocks",
                case_id=closed,
                kind="handle",
                limit_unit="workdays",
                limit_amount=15,
                started_at=T0,
                due_at=T0,
                stopped_at=T0 + timedelta(hours=1),
            )
        upgrade()
        assert db.session.get(Case, closed).closed_at == T0 + timedelta(days=1)
        assert db.session.get(Case, reopened).closed_at is None
        assert db.session.get(Clock, clock).late is True
        db.session.remove()
        downgrade(revision="0014")
        upgrade()
        db.engine.dispose()


def test_a_value_outside_its_enum_stops_the_checks(scratch_url):
    from flask_migrate import upgrade

    app = create_app("testing", SQLALCHEMY_DATABASE_URI=scratch_url)
    with app.app_context():
        upgrade(revision="0014")
        with db.engine.begin() as conn:
            complainant = _insert(conn, "complainants", name="张三")
            valid = {"channel": "hotline", "subject_kind": "unit", "urgency": "normal"}
            case = _insert(conn, "cases", complainant_id=complainant, state="lost", **valid)
        with pytest.raises(sa.exc.IntegrityError, match="ck_cases_state"):
            upgrade(revision="0015")
        # Nothing of the failed upgrade stays: once the row is put right, it runs again.
        with db.engine.begin() as conn:
            conn.execute(
                sa.text("UPDATE cases SET state = 'screening' WHERE id = :id"), {"id": case}
            )
        upgrade(revision="0015")
        assert db.session.scalar(sa.text("SELECT version_num FROM alembic_version")) == "0015"
        db.session.remove()
        db.engine.dispose()


def test_stored_phones_are_normalized_and_searches_may_be_logged(scratch_url):
    from flask_migrate import downgrade, upgrade

    from app.cases.models import Complainant

    app = create_app("testing", SQLALCHEMY_DATABASE_URI=scratch_url)
    with app.app_context():
        upgrade(revision="0015")
        typed = ["+86 138-1234-5678", "(0571)88888888", "", "+1 415 555 2671"]
        with db.engine.begin() as conn:
            ids = [_insert(conn, "complainants", name="张三", phone=p) for p in typed]
        upgrade()
        stored = [db.session.get(Complainant, i).phone_normalized for i in ids]
        assert stored == ["13812345678", "057188888888", "", "+14155552671"]
        with db.engine.begin() as conn:
            user = _insert(conn, "users", username="op", name="op", password_hash="x")
            # A case found by searching for its complainant: a channel 0019 brought.
            search = {"user_id": user, "subject_type": "case", "subject_id": 1, "at": T0}
            search |= {"channel": "search", "what": ""}
            _insert(conn, "identity_accesses", **search)
        db.session.remove()
        downgrade(revision="0015")
        with db.engine.begin() as conn:
            assert conn.execute(sa.text("SELECT count(*) FROM identity_accesses")).scalar() == 0
            with pytest.raises(sa.exc.IntegrityError, match="ck_identity_accesses_channel"):
                _insert(conn, "identity_accesses", **search)
        upgrade()
        db.engine.dispose()
