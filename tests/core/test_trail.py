"""The trail: append-only in the database itself, hash-chained, and checked by `flask audit`."""

import itertools

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError, IntegrityError

from app.core.trail import GENESIS, GUARD_DDL, UNGUARD_DDL, Event, record_event, verify_chains
from app.demo.seed import seed_demo
from app.extensions import db


def _events(case_id):
    return db.session.scalars(
        sa.select(Event)
        .where(Event.subject_type == "case", Event.subject_id == case_id)
        .order_by(Event.id)
    ).all()


def _verify(app):
    return app.test_cli_runner().invoke(args=["audit", "verify"])


def _as_attacker(backend, statement, **params):
    """Run ``statement`` with the guard triggers dropped, as someone owning the database would."""
    db.session.rollback()  # dropping a trigger waits for every open reader of the table
    with db.engine.begin() as conn:
        for ddl in UNGUARD_DDL[backend]:
            conn.execute(sa.text(ddl))
        conn.execute(sa.text(statement), params)
        for ddl in GUARD_DDL[backend]:
            conn.execute(sa.text(ddl))


def test_each_event_links_to_the_one_before_it(make_case):
    case = make_case("dispatch", "sign")
    events = _events(case.id)
    assert [e.action for e in events] == ["register", "screen", "dispatch", "sign"]
    assert events[0].prev_hash == GENESIS
    for before, after in itertools.pairwise(events):
        assert after.prev_hash == before.hash
    assert len({e.hash for e in events}) == len(events)


@pytest.mark.parametrize("statement", ["UPDATE events SET action = 'x'", "DELETE FROM events"])
def test_the_database_refuses_to_change_the_trail(make_case, statement):
    case = make_case("dispatch")
    before = [(e.id, e.action) for e in _events(case.id)]
    with pytest.raises(DBAPIError, match="append-only"), db.engine.begin() as conn:
        conn.execute(sa.text(statement))
    db.session.expire_all()
    assert [(e.id, e.action) for e in _events(case.id)] == before


def test_the_orm_refuses_too(make_case):
    event = _events(make_case().id)[0]
    event.action = "forged"
    with pytest.raises(RuntimeError, match="append-only"):
        db.session.flush()
    db.session.rollback()


def test_verify_passes_on_the_demo(app):
    seed_demo()
    db.session.commit()
    result = _verify(app)
    assert result.exit_code == 0, result.output
    checked = verify_chains()
    assert checked.events > 50 and checked.chains >= 18 and checked.broken == []
    assert "0 broken" in result.output


def test_verify_names_an_edited_row(app, make_case, backend):
    case = make_case("dispatch", "sign", "reply")
    other = make_case("dispatch")
    middle = _events(case.id)[2]
    _as_attacker(
        backend,
        "UPDATE events SET data = :data WHERE id = :id",
        data='{"unit_code": "CC-ZJJ"}',
        id=middle.id,
    )
    result = _verify(app)
    assert result.exit_code == 1
    assert f"case {case.id}: event {middle.id}: its content does not match" in result.output
    assert f"case {other.id}" not in result.output
    assert "1 broken" in result.output


def test_verify_names_the_row_after_a_removed_one(app, make_case, backend):
    case = make_case("dispatch", "sign", "reply")
    events = _events(case.id)
    _as_attacker(backend, "DELETE FROM events WHERE id = :id", id=events[2].id)
    result = _verify(app)
    assert result.exit_code == 1
    assert f"event {events[3].id}: does not follow event {events[1].id}" in result.output


def test_verify_sees_a_rehashed_edit_in_the_next_row(app, make_case, backend):
    # An attacker who edits a row and recomputes its own hash still breaks the link after it.
    from app.core.trail import digest

    case = make_case("dispatch", "sign")
    events = _events(case.id)
    row = {c.name: getattr(events[1], c.name) for c in Event.__table__.c}
    row["action"] = "reject"
    _as_attacker(
        backend,
        "UPDATE events SET action = 'reject', hash = :hash WHERE id = :id",
        hash=digest(row, row["prev_hash"]),
        id=events[1].id,
    )
    assert f"event {events[2].id}: does not follow" in _verify(app).output


def test_a_chain_cannot_fork(app, make_case):
    # Two writers that both saw the same last event: the second one's link is refused.
    case = make_case()
    last = _events(case.id)[-1]

    def successor(mark: str) -> Event:
        return Event(
            subject_type="case",
            subject_id=case.id,
            action="comment",
            at=last.at,
            data={},
            prev_hash=last.hash,
            hash=mark * 64,
        )

    db.session.add(successor("f"))
    db.session.commit()
    db.session.add(successor("e"))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_any_domain_can_keep_a_chain(app, org):
    operator = org["users"]["operator"]
    first = record_event("referral", 7, operator, "register", to_state="registered")
    second = record_event("referral", 7, None, "accept", data={"case": {"nested": [1, 2]}})
    db.session.commit()
    assert first.prev_hash == GENESIS and second.prev_hash == first.hash
    assert verify_chains().broken == []
