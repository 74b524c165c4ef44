"""Shared fixtures: the app on PostgreSQL and SQLite, Redis, demo org and case factories.

Database tests run once per backend. With PostgreSQL or Redis unreachable the
suite falls back to SQLite and fakeredis and says so, unless REQUIRE_SERVICES=1,
in which case it fails instead.
"""

import contextvars
import json
import os
import uuid
from contextlib import ExitStack
from datetime import datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient

from app import create_app
from app.core.types import as_of
from app.deadlines.workdays import SHANGHAI
from app.extensions import db

REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"
PG_ADMIN_URL = os.environ.get(
    "TEST_POSTGRES_URL", "postgresql+psycopg://postgres:postgres@127.0.0.1:5432/postgres"
)
REDIS_TEST_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
REPORT = Path(os.environ.get("SERVICES_REPORT", ".pytest-services.json"))
KEEP_TABLES = {"calendar_days", "alembic_version"}

usage = {"postgresql_tests": 0, "sqlite_tests": 0, "redis_tests": 0, "fakeredis_tests": 0}


def _postgres_reachable() -> bool:
    try:
        engine = sa.create_engine(PG_ADMIN_URL, connect_args={"connect_timeout": 3})
        with engine.connect() as conn:
            conn.execute(sa.text("select 1"))
        engine.dispose()
        return True
    except Exception:
        return False


def _redis_reachable() -> bool:
    from redis import Redis

    try:
        return bool(Redis.from_url(REDIS_TEST_URL, socket_connect_timeout=2).ping())
    except Exception:
        return False


PG_OK = _postgres_reachable()
REDIS_OK = _redis_reachable()


def pytest_report_header(config):
    return [
        f"PostgreSQL: {'yes' if PG_OK else 'NOT reachable: database tests run on SQLite only'}",
        f"Redis: {'yes' if REDIS_OK else 'NOT reachable: job tests use fakeredis'}",
    ]


def pytest_sessionstart(session):
    if REQUIRE_SERVICES and not (PG_OK and REDIS_OK):
        raise pytest.UsageError(
            f"REQUIRE_SERVICES=1 but PostgreSQL reachable={PG_OK}, Redis reachable={REDIS_OK}"
        )


def pytest_terminal_summary(terminalreporter):
    for name, ok, fallback in (
        ("PostgreSQL", PG_OK, "SQLite only"),
        ("Redis", REDIS_OK, "fakeredis"),
    ):
        if not ok:
            terminalreporter.write_line(
                f"NOTE: {name} was not reachable; tests fell back to {fallback}.", yellow=True
            )


def pytest_sessionfinish(session, exitstatus):
    REPORT.write_text(json.dumps(usage, indent=2))


BACKENDS = ["sqlite", "postgresql"] if PG_OK else ["sqlite"]


def _migrate_and_check(url: str) -> None:
    """Build the schema with the migrations and fail on model/migration drift."""
    from alembic import command
    from flask_migrate import upgrade

    app = create_app("testing", SQLALCHEMY_DATABASE_URI=url)
    with app.app_context():
        upgrade()
        config = app.extensions["migrate"].migrate.get_config()
        command.check(config)
        from app.demo.seed import seed_calendar

        seed_calendar()
        db.session.commit()
        db.engine.dispose()


@pytest.fixture(scope="session", params=BACKENDS)
def database_url(request, tmp_path_factory):
    """A migrated, calendar-seeded database on each backend."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
        _migrate_and_check(url)
        yield url
        return
    name = f"complaints_test_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    try:
        _migrate_and_check(url)
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def backend(database_url) -> str:
    return "postgresql" if database_url.startswith("postgresql") else "sqlite"


@pytest.fixture
def app(database_url, backend, tmp_path):
    """The app bound to a clean database; jobs run in-process unless a test sets REDIS_URL."""
    usage[f"{backend}_tests"] += 1
    app = create_app(
        "testing",
        SQLALCHEMY_DATABASE_URI=database_url,
        REDIS_URL="",
        ATTACHMENT_DIR=str(tmp_path / "attachments"),
    )
    with app.app_context():
        yield app
        db.session.remove()
        _empty_tables(backend)
        db.engine.dispose()


def _empty_tables(backend: str) -> None:
    """Empty every table between tests, lifting the trail's guard for that moment only."""
    from app.core.trail import GUARD_DDL, UNGUARD_DDL

    tables = [t for t in db.metadata.sorted_tables if t.name not in KEEP_TABLES]
    with db.engine.begin() as conn:
        for statement in UNGUARD_DDL[backend]:
            conn.execute(sa.text(statement))
        if backend == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in tables)
            conn.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in reversed(tables):
                conn.execute(table.delete())
        for statement in GUARD_DDL[backend]:
            conn.execute(sa.text(statement))


class IsolatedClient(FlaskClient):
    """A test client whose requests run outside the test's app context.

    Flask reuses an app context that is already pushed, which would share ``g``,
    the Babel locale cache and the database session between requests. Running
    each request in an empty contextvars context makes it behave like a request
    to a real server.
    """

    def open(self, *args, **kwargs):
        return contextvars.Context().run(super().open, *args, **kwargs)


@pytest.fixture
def client(app):
    app.test_client_class = IsolatedClient
    return app.test_client()


@pytest.fixture
def org(app):
    """The demo county's units, categories and users (password ``demo1234``), no cases."""
    from app.demo.seed import seed_categories, seed_units, seed_users
    from app.routing.defaults import seed_default_rules

    units = seed_units()
    categories = seed_categories()
    users = seed_users(units)
    seed_default_rules()
    db.session.commit()
    return {"units": units, "categories": categories, "users": users}


@pytest.fixture
def redis_conn(backend):
    """A Redis connection: the real server, or fakeredis where none is reachable."""
    if REDIS_OK:
        from redis import Redis

        conn = Redis.from_url(REDIS_TEST_URL)
        usage["redis_tests"] += 1
    else:
        import fakeredis

        conn = fakeredis.FakeRedis()
        usage["fakeredis_tests"] += 1
    yield conn
    conn.flushdb()


def complaint(**overrides) -> dict:
    """Return a valid complaint against the demo 人社局; override any field."""
    data = {
        "channel": "hotline",
        "complainant": {"name": "张三", "phone": "13812345678", "anonymous": False},
        "respondent_unit_code": "CC-RSJ",
        "category_code": "time_limit",
        "subject_kind": "unit",
        "urgency": "normal",
        "title": "失业保险金申领超期",
        "content": "提交申请一个月没有结果。",
    }
    data.update(overrides)
    return data


# The data each step needs, and who does it (by demo username).
STEPS = {
    "screen": ("operator", {}),
    "dispatch": ("operator", {"unit_code": "CC-RSJ"}),
    "reject": ("operator", {"reason": "不属于受理范围", "advice": "请向法院起诉"}),
    "sign": ("handler", {}),
    "request_return": ("handler", {"reason": "应由乡镇办理", "suggested_unit_code": "CC-CGZ"}),
    "approve_return": ("operator", {"approve": True, "note": ""}),
    "deny_return": ("operator", {"approve": False, "note": "属于你单位职责"}),
    "reply": ("unit_lead", {"text": "已核查并整改。", "finding": "substantiated"}),
    "draft_reply": ("handler", {"text": "拟答复：已核查。", "finding": "substantiated"}),
    "sign_off": ("unit_lead", {"approve": True, "note": ""}),
    "review": ("operator", {"pass": True, "note": ""}),
    "send_back": ("operator", {"pass": False, "note": "答复不完整"}),
    "visit": ("operator", {"satisfaction": "satisfied", "resolved": "yes", "note": ""}),
    "visit_unsatisfied": ("operator", {"satisfaction": "unsatisfied", "resolved": "no"}),
    "reopen": ("center_lead", {"reason": "投诉人提供了新证据"}),
}
ACTION_OF_STEP = {
    "draft_reply": "reply",
    "send_back": "review",
    "visit_unsatisfied": "visit",
    "approve_return": "decide_return",
    "deny_return": "decide_return",
}


@pytest.fixture
def make_case(org):
    """Register a case through the service and drive it through ``steps``.

    For the workflow rules; a test that needs only a case in some state builds it with
    tests/factories.py instead.
    """
    from app.cases.actions import perform_action
    from app.intake.services import register_case

    def _make(*steps, **overrides):
        case = register_case(complaint(**overrides), org["users"]["operator"])
        for step in steps:
            username, data = STEPS[step]
            perform_action(case, ACTION_OF_STEP.get(step, step), org["users"][username], data)
        db.session.commit()
        return case

    return _make


def sh(*args) -> datetime:
    """A moment given in Asia/Shanghai wall time."""
    return datetime(*args, tzinfo=SHANGHAI)


@pytest.fixture
def at():
    """``at(2026, 3, 2, 9, 0)`` makes the services see that moment as now (``as_of``);
    ``at()`` goes back to the real time, as does the end of the test. Requests made
    with the test client run in their own context and see the real time."""
    stack = ExitStack()

    def _set(*args):
        stack.close()
        if not args:
            return None
        moment = sh(*args)
        stack.enter_context(as_of(moment))
        return moment

    yield _set
    stack.close()


def login(client, username: str, password: str = "demo1234"):
    """Log ``client`` in through the login form."""
    response = client.post("/login", data={"username": username, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return response
