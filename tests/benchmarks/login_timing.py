"""Benchmark of wrong logins: a real account against an unknown name (a script, not a test).

    .venv/bin/python -m tests.benchmarks.login_timing [--runs 40] [--method scrypt]

On a scratch PostgreSQL database with the demo users, posts wrong passwords to /login
for ``handler`` and for a name that does not exist, interleaved, with the production
hash method, and prints the medians and their difference (the answer must not tell
one from the other). Then sixty threads guess one account's password at once and it
prints how many passwords were actually checked (the limit, no more).
"""

import argparse
import statistics
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

from flask import current_app
from werkzeug.security import generate_password_hash

from app.auth import passwords
from app.auth.services import authenticate
from app.extensions import db
from tests.benchmarks.scratch import scratch_county

NAME = "complaints_login_bench"


def _percentile(values: list[float], q: float) -> float:
    return sorted(values)[min(len(values) - 1, int(q * len(values)))]


def timing(runs: int, method: str) -> None:
    app = current_app._get_current_object()
    app.config.update(
        PASSWORD_HASH_METHOD=method,
        LOGIN_MAX_FAILURES=10**6,
        LOGIN_MAX_FAILURES_PER_ADDRESS=10**6,
    )
    passwords._dummy_hash.cache_clear()
    from app.auth.models import User

    user = db.session.scalar(db.select(User).where(User.username == "handler"))
    user.password_hash = generate_password_hash("demo1234", method=method)
    db.session.commit()
    client = app.test_client()
    samples: dict[str, list[float]] = {"handler": [], "no-such-user": []}
    for i in range(runs + 3):
        for name in samples:
            start = time.perf_counter()
            r = client.post("/login", data={"username": name, "password": f"wrong-{i}-pass"})
            elapsed = (time.perf_counter() - start) * 1000
            assert r.status_code == 401
            if i >= 3:  # the first rounds warm up connections and caches
                samples[name].append(elapsed)
    medians = {name: statistics.median(v) for name, v in samples.items()}
    for name, values in samples.items():
        print(
            f"{name:>14}: median {medians[name]:7.1f} ms  p10 {_percentile(values, 0.1):7.1f}"
            f"  p90 {_percentile(values, 0.9):7.1f}  ({len(values)} runs, {method})"
        )
    known, unknown = medians["handler"], medians["no-such-user"]
    print(f"difference of the medians: {abs(known - unknown) / max(known, unknown):.1%}")


def parallel(threads: int) -> None:
    app = current_app._get_current_object()
    app.config.update(LOGIN_MAX_FAILURES=5, LOGIN_MAX_FAILURES_PER_ADDRESS=50)
    checked = []
    real = passwords.check_password_hash

    def counting(stored, password):
        checked.append(password)
        return real(stored, password)

    passwords.check_password_hash = counting
    barrier = threading.Barrier(threads)

    def guess(i: int) -> str | None:
        with app.app_context():
            barrier.wait()
            try:
                return authenticate("unit_lead", f"wrong-{i}", f"10.8.{i}.1")[1]
            finally:
                db.session.commit()
                db.session.remove()

    try:
        start = time.perf_counter()
        with ThreadPoolExecutor(threads) as pool:
            answers = list(pool.map(guess, range(threads)))
        took = time.perf_counter() - start
    finally:
        passwords.check_password_hash = real
    print(
        f"{threads} parallel wrong passwords in {took:.2f} s: {len(checked)} checked "
        f"(limit {app.config['LOGIN_MAX_FAILURES']}), "
        f"answers: {dict(Counter(answers))}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--method", default="scrypt")
    parser.add_argument("--threads", type=int, default=60)
    args = parser.parse_args()
    with scratch_county(NAME):
        timing(args.runs, args.method)
        parallel(args.threads)


if __name__ == "__main__":
    main()
