"""Concurrent work on one case: comments never collide; changes of the case still do."""

import threading

import pytest
import sqlalchemy as sa

from app.auth.models import User
from app.cases.actions import perform_action
from app.cases.models import Case
from app.core.errors import Conflict, InvalidTransition
from app.core.trail import Event, verify_chains
from app.extensions import db


@pytest.fixture
def queued_jobs(app, redis_conn):
    """Send jobs to Redis as in production: run in-process, each would hold a second
    connection from the pool while its request still holds the first."""
    app.config["REDIS_URL"] = "redis://test"
    app.extensions["redis"] = redis_conn
    yield
    app.extensions.pop("redis")


def _in_parallel(app, n: int, work) -> list:
    """Run ``work(i)`` in ``n`` threads released at once; return the errors raised."""
    errors = []
    barrier = threading.Barrier(n)

    def run(i):
        with app.app_context():
            try:
                barrier.wait(timeout=20)
                work(i)
            except Exception as error:  # collected and asserted by the caller
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads)
    return errors


def test_twenty_comments_at_once_all_succeed_and_the_chain_holds(app, make_case, org, queued_jobs):
    case = make_case("dispatch")
    case_id, version = case.id, case.version
    authors = [org["users"]["operator"].id, org["users"]["handler"].id]

    def comment(i):
        # Each loaded the case at the same version, as twenty open pages would have.
        user = db.session.get(User, authors[i % 2])
        mine = db.session.get(Case, case_id)
        perform_action(mine, "comment", user, {"text": f"意见{i}"}, expected_version=version)
        db.session.commit()

    assert _in_parallel(app, 20, comment) == []
    texts = db.session.scalars(
        sa.select(Event.data).where(Event.subject_id == case_id, Event.action == "comment")
    ).all()
    assert sorted(t["text"] for t in texts) == sorted(f"意见{i}" for i in range(20))
    result = verify_chains()
    assert result.broken == []
    db.session.expire_all()
    # A comment changes nothing on the case: its version stayed where the pages saw it.
    assert db.session.get(Case, case_id).version == version


def test_a_comment_is_taken_on_a_page_loaded_before_a_change(make_case, org):
    case = make_case("dispatch")
    seen = case.version
    perform_action(case, "sign", org["users"]["handler"], {}, expected_version=seen)
    db.session.commit()
    perform_action(case, "comment", org["users"]["operator"], {"text": "请加快"}, seen)
    db.session.commit()
    assert case.events[-1].action == "comment" and case.version == seen + 1


def test_concurrent_signatures_still_conflict(app, make_case, org, queued_jobs):
    case = make_case("dispatch")
    case_id, version = case.id, case.version
    handler_id = org["users"]["handler"].id

    def sign(i):
        user = db.session.get(User, handler_id)
        mine = db.session.get(Case, case_id)
        perform_action(mine, "sign", user, {}, expected_version=version)
        db.session.commit()

    errors = _in_parallel(app, 4, sign)
    # One signs; each other one is told the case changed under it, never a second signature.
    assert len(errors) == 3
    assert all(isinstance(e, Conflict | InvalidTransition) for e in errors), errors
    signs = db.session.scalar(
        sa.select(sa.func.count()).where(Event.subject_id == case_id, Event.action == "sign")
    )
    assert signs == 1
    assert verify_chains().broken == []
