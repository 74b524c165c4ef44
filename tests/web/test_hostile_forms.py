"""Every web form, posted hostile values by every role: never a 5xx, nothing broken stored.

The forms are found, not listed: every route that takes POST (from the app's URL map, so a
form added later is covered too), and the field names that the app's pages draw. Each form
gets each hostile value in every field, as each role that gets past its permission check.
"""

import re
from urllib.parse import quote

import pytest
import sqlalchemy as sa
from werkzeug.datastructures import MultiDict
from werkzeug.routing import IntegerConverter

from app.auth.models import LoginThrottle
from app.auth.services import set_password
from app.cases.workflow import ACTIONS
from app.core.validation import DB_INT_MAX
from app.extensions import db
from tests.conftest import IsolatedClient

ROLES = ("operator", "handler", "unit_lead", "admin")
STEPS = [(), ("dispatch",), ("dispatch", "sign"), ("dispatch", "sign", "reply", "review")]
# Text that is not any field's right value, in ways that once reached a query or a crash.
HOSTILE = [
    "9" * 30,
    str(DB_INT_MAX + 1),
    "a\x00b",
    "\x01\x1b[31m\x7f\x85",
    "x" * 100_000,
    "9999-12-31",
    "nonsense",
    "e\u0301\u202e\ufeff👩‍👩‍👧",
]
# Bytes that are not UTF-8 (a lone surrogate as UTF-8 would spell it, and worse).
RAW = ["%ED%A0%80%FF%FE%C0%80"]
FIELD = re.compile(r'<(?:input|select|textarea)\b[^>]*\bname="([^"]+)"')
PATH_VALUES = {"action": list(ACTIONS), "day": ["2026-01-05", "9999-12-31", "x%00"]}


def _client(app, role=None):
    app.test_client_class = IsolatedClient
    client = app.test_client()
    if role is not None:
        user = _user(role)
        # A form may have changed a password, deactivated someone or, with wrong current
        # passwords, locked them out for a while: log in as they were.
        set_password(user, "demo1234")
        user.active = True
        db.session.execute(sa.delete(LoginThrottle))
        db.session.commit()
        r = client.post("/login", data={"username": role, "password": "demo1234"})
        assert r.status_code == 302, (role, r.status_code)
    return client


def _user(role):
    from app.auth.models import User

    return db.session.scalar(sa.select(User).where(User.username == role))


def _urls(rule, ids):
    """Concrete URLs for ``rule``: ids of real records, and one past the database's range."""
    urls = [""]
    for part in re.split(r"(<[^>]+>)", rule.rule):
        match = re.fullmatch(r"<(?:([a-z_]+)(?:\([^)]*\))?:)?([a-z_]+)>", part)
        if not match:
            urls = [u + part for u in urls]
            continue
        name = match.group(2)
        if isinstance(rule._converters[name], IntegerConverter):
            values = [*map(str, ids), str(DB_INT_MAX + 1)]
        else:
            values = PATH_VALUES.get(name, ["x", "%00"])
        urls = [u + v for u in urls for v in values]
    return urls


def _routes(app, method):
    return [
        rule
        for rule in app.url_map.iter_rules()
        if method in rule.methods and not rule.rule.startswith(("/api/", "/static"))
    ]


def _field_names(app, ids) -> set[str]:
    """Every field name the app's pages draw, for any role."""
    names = set()
    for role in (None, *ROLES):
        client = _client(app, role)
        for rule in _routes(app, "GET"):
            for url in _urls(rule, ids[:1])[:2]:
                r = client.get(url)
                if r.mimetype == "text/html":
                    names.update(FIELD.findall(r.get_data(as_text=True)))
    return names - {"csrf_token"}


def _bodies(names):
    """One body per hostile value (in every field at once), and one with lists for scalars."""
    for value in HOSTILE:
        yield MultiDict({name: value for name in names})
    for value in RAW:
        yield "&".join(f"{quote(name)}={value}" for name in names)
    yield MultiDict([(name, v) for name in names for v in ("1", "nonsense", "")])


def _post(client, url, body):
    if isinstance(body, str):
        return client.post(url, data=body, content_type="application/x-www-form-urlencoded")
    return client.post(url, data=body)


def _stored_text_is_sound():
    """No text column holds a NUL, a lone surrogate or more than its length."""
    problems = []
    for table in db.metadata.sorted_tables:
        for column in table.columns:
            if not isinstance(column.type, sa.String):
                continue
            for (value,) in db.session.execute(sa.select(column).where(column.is_not(None))):
                if not isinstance(value, str):
                    continue
                length = column.type.length
                if "\x00" in value or re.search("[\ud800-\udfff]", value):
                    problems.append((str(column), value[:40]))
                elif length is not None and len(value) > length:
                    problems.append((str(column), len(value)))
    return problems


def test_every_form_refuses_hostile_values_without_a_5xx(app, org, make_case):
    ids = [make_case(*steps).id for steps in STEPS]
    names = _field_names(app, ids)
    assert {"username", "title", "away_until", "backup_user_id", "reason"} <= names
    answered = []
    for rule in _routes(app, "POST"):
        clients = {role: _client(app, role) for role in (None, *ROLES)}
        for url in _urls(rule, ids):
            reached = 0
            for role, client in clients.items():
                probe = _post(client, url, MultiDict({name: "" for name in names}))
                assert probe.status_code < 500, (role, url)
                if probe.status_code in {302, 401, 403, 404, 405, 409} or reached == 2:
                    continue  # refused before any field was read, or reached enough
                reached += 1
                for body in _bodies(names):
                    r = _post(client, url, body)
                    assert r.status_code < 500, (role, url, str(body)[:80])
                    answered.append((rule.endpoint, r.status_code))
    # The forms were reached, not only refused at the door.
    assert {"auth.login", "auth.away", "intake.hotline", "cases.act"} <= {e for e, _ in answered}
    db.session.rollback()
    assert _stored_text_is_sound() == []


@pytest.mark.parametrize(
    "until, backup",
    [
        ("", "abc"),
        ("", str(DB_INT_MAX + 1)),
        ("", "9" * 30),
        ("2099-01-01", "abc"),
        ("10000-01-01", ""),
        ("2026-02-30", ""),
        ("\x00", "\x00"),
    ],
)
def test_the_away_page_answers_bad_values_with_field_errors(app, org, until, backup):
    client = _client(app, "handler")
    r = client.post("/account/away", data={"away_until": until, "backup_user_id": backup})
    assert r.status_code == 422
    assert 'class="error"' in r.get_data(as_text=True) or "error" in r.get_data(as_text=True)
    db.session.expire_all()
    handler = _user("handler")
    assert handler.away_until is None and handler.backup_user_id is None


def test_the_away_page_takes_no_backup_from_another_unit(app, org):
    client = _client(app, "handler")
    outsider = _user("handler2")  # another unit's handler
    r = client.post("/account/away", data={"away_until": "", "backup_user_id": str(outsider.id)})
    assert r.status_code == 422
    db.session.expire_all()
    assert _user("handler").backup_user_id is None


@pytest.mark.parametrize(
    "start",
    ["9999-12-31T10:00", "0001-01-01T00:00", "1999-12-31T10:00", "2101-01-01T00:00"],
)
def test_the_deadline_calculator_refuses_dates_at_the_edges_of_the_calendar(app, org, start):
    client = _client(app, "operator")
    r = client.get(f"/deadlines/calculator?start={quote(start)}&days=5")
    assert r.status_code == 422
    assert "2000" in r.get_data(as_text=True) and "2100" in r.get_data(as_text=True)
