"""Login: failures counted atomically per username and per address, the same for
unknown and real users, in answer, in count and in time."""

import statistics
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from werkzeug.security import generate_password_hash

from app.auth import passwords
from app.auth.models import LoginThrottle
from app.auth.services import authenticate
from app.core.types import utcnow
from app.extensions import db
from tests.conftest import IsolatedClient, login

WRONG = "用户名或密码错误"
LOCKED = "登录失败次数过多"


def _attempts(scope: str, key: str) -> int:
    db.session.expire_all()
    row = db.session.get(LoginThrottle, (scope, key))
    return row.attempts if row else 0


def _post(client, username, password, addr="10.0.0.1"):
    return client.post(
        "/login",
        data={"username": username, "password": password},
        environ_base={"REMOTE_ADDR": addr},
    )


def test_unknown_and_real_users_get_the_same_answers_and_lock_alike(client, org):
    for name in ("handler", "nobody-here"):
        for _ in range(5):
            r = _post(client, name, "wrong-pass-1")
            assert r.status_code == 401 and WRONG in r.get_data(as_text=True)
        r = _post(client, name, "wrong-pass-1")
        assert r.status_code == 401 and LOCKED in r.get_data(as_text=True)
    # Locked: even the right password is refused, without saying whether it was right.
    r = _post(client, "handler", "demo1234")
    assert r.status_code == 401 and LOCKED in r.get_data(as_text=True)


def test_the_lock_lapses_and_a_success_clears_the_count(client, org, app):
    for _ in range(5):
        _post(client, "handler", "wrong-pass-1")
    lock = db.session.get(LoginThrottle, ("account", "handler"))
    assert lock.locked_until > utcnow()
    lock.locked_until = utcnow() - timedelta(seconds=1)
    db.session.commit()
    # The lock has lapsed: counting starts again at one, and the right password works.
    r = _post(app.test_client(), "handler", "demo1234")
    assert r.status_code == 302
    assert _attempts("account", "handler") == 0
    assert _attempts("address", "10.0.0.1") == 5  # the address keeps its failures


def test_an_address_is_throttled_across_usernames(client, org, app):
    app.config["LOGIN_MAX_FAILURES_PER_ADDRESS"] = 7
    for i in range(7):
        assert WRONG in _post(client, f"guess{i}", "wrong-pass-1").get_data(as_text=True)
    r = _post(client, "operator", "demo1234")
    assert r.status_code == 401 and LOCKED in r.get_data(as_text=True)
    # Another address is not affected.
    assert _post(app.test_client(), "operator", "demo1234", addr="10.0.0.2").status_code == 302


def test_a_good_login_does_not_wipe_the_address_count(client, org, app):
    app.config["LOGIN_MAX_FAILURES_PER_ADDRESS"] = 4
    for i in range(3):
        _post(client, f"guess{i}", "wrong-pass-1")
    assert _post(app.test_client(), "operator", "demo1234").status_code == 302
    assert _attempts("address", "10.0.0.1") == 3
    r = _post(client, "guess9", "wrong-pass-1")
    assert WRONG in r.get_data(as_text=True)
    assert LOCKED in _post(client, "guess10", "wrong-pass-1").get_data(as_text=True)


def test_the_throttle_holds_without_redis(client, org, app):
    """The counts live in the database: a Redis URL that answers nothing changes nothing."""
    app.config["REDIS_URL"] = "redis://127.0.0.1:1/0"
    for _ in range(5):
        _post(client, "handler", "wrong-pass-1")
    assert LOCKED in _post(client, "handler", "demo1234").get_data(as_text=True)


@pytest.mark.parametrize("username", ["handler", "no-such-user"])
def test_sixty_parallel_guesses_check_at_most_the_limit(app, org, username, monkeypatch):
    """Sixty threads guess at once; exactly LOGIN_MAX_FAILURES passwords are checked."""
    checked = []
    real = passwords.check_password_hash
    lock = threading.Lock()

    def counting(stored, password):
        with lock:
            checked.append(password)
        time.sleep(0.02)  # keep the checks overlapping, as a slow hash does
        return real(stored, password)

    monkeypatch.setattr(passwords, "check_password_hash", counting)
    barrier = threading.Barrier(60)

    def guess(i):
        with app.app_context():
            barrier.wait()
            try:
                return authenticate(username, f"wrong-{i:02d}-password", f"10.1.{i}.1")[1]
            finally:
                db.session.commit()
                db.session.remove()

    with ThreadPoolExecutor(60) as pool:
        answers = list(pool.map(guess, range(60)))
    limit = app.config["LOGIN_MAX_FAILURES"]
    assert len(checked) == limit
    assert sum(WRONG in a for a in answers) == limit
    assert sum(LOCKED in a for a in answers) == 60 - limit
    # The account is now locked: the right password is refused too.
    user, reason = authenticate(username, "demo1234", "10.9.9.9")
    db.session.commit()
    assert user is None and LOCKED in reason


def _median_ms(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def test_unknown_and_known_users_take_the_same_time(app, org, monkeypatch):
    """Medians of interleaved wrong logins differ by less than 20%.

    The hash is made slow enough to dominate, as in production (scrypt there; a costly
    PBKDF2 here to keep the test short). tests/benchmarks/login_timing.py measures scrypt.
    """
    # Costly enough that the hash, not a busy machine's scheduling, makes the time.
    method = "pbkdf2:sha256:200000"
    app.config["PASSWORD_HASH_METHOD"] = method
    app.config["LOGIN_MAX_FAILURES"] = 10_000
    app.config["LOGIN_MAX_FAILURES_PER_ADDRESS"] = 10_000
    passwords._dummy_hash.cache_clear()
    org["users"]["handler"].password_hash = generate_password_hash("demo1234", method=method)
    db.session.commit()

    def attempt(name):
        def run():
            authenticate(name, "wrong-password-x", "10.3.3.3")
            db.session.commit()

        return run

    known, unknown = [], []
    for _ in range(3):  # warm up caches and connections
        attempt("handler")(), attempt("ghost")()
    for turn in range(15):
        # Each goes first in turn, so that neither always follows the other's caches.
        pair = [(known, "handler"), (unknown, "ghost")]
        for times, name in pair if turn % 2 else pair[::-1]:
            times.append(_median_ms(attempt(name), 1))
    k, u = statistics.median(known), statistics.median(unknown)
    assert abs(k - u) / max(k, u) < 0.2, (k, u)


def test_login_cookie_works_and_wrong_form_input_is_refused(client, org):
    login(client, "operator")
    assert client.get("/cases").status_code == 200
    other = IsolatedClient(client.application, client.response_wrapper)
    assert other.post("/login", data={"username": "", "password": ""}).status_code == 400
    assert other.post("/login", data={"username": "x" * 65, "password": "y"}).status_code == 400
    r = other.post("/login", data={"username": "operator\x00", "password": "demo1234"})
    assert r.status_code == 401
