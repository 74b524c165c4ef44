"""The shared workflow engine on a small table of its own: roles, turns, guards, actors."""

import enum
from dataclasses import dataclass

import pytest

from app.core.errors import Forbidden, InvalidTransition, NotFound
from app.core.trail import Event, events_of
from app.core.workflow import SYSTEM, CitizenActor, Guard, Workflow, decide, row
from app.extensions import db


class Door(enum.StrEnum):
    SHUT = "shut"
    OPEN = "open"
    LOCKED = "locked"


@dataclass
class Thing:
    id: int
    state: str
    owner_id: int | None = None
    has_key: bool = True


@dataclass
class Person:
    id: int
    roles: tuple[str, ...]

    def has_role(self, *roles):
        return bool(set(self.roles) & set(roles))


def _fits(thing, actor, t):
    if t.turn == "owner":
        return actor.id == thing.owner_id
    if t.turn == "link":
        return isinstance(actor, CitizenActor) and actor.subject_id == thing.id
    return True


DOORS = Workflow(
    subject_type="door",
    states=Door,
    state_labels={s: s.value for s in Door},
    transitions=(
        row("open", {Door.SHUT}, Door.OPEN, {"staff"}, turn="owner"),
        row("close", {Door.OPEN}, Door.SHUT, {"staff", "operator", "system"}),
        row("lock", {Door.SHUT}, Door.LOCKED, {"staff"}, guard="key"),
        row("knock", {Door.SHUT, Door.LOCKED}, None, {"citizen"}, turn="link"),
        *decide("vote", Door.SHUT, Door.OPEN, Door.LOCKED, {"staff"}, ("yes", "no")),
    ),
    action_labels={a: a for a in ("open", "close", "lock", "knock", "vote")},
    fits=_fits,
    guards={"key": Guard(lambda thing: thing.has_key, "no key")},
)

OWNER, STRANGER, CLERK = Person(1, ("staff",)), Person(2, ("staff",)), Person(3, ("clerk",))


def test_answers_in_order_unknown_role_state_guard_turn():
    thing = Thing(1, Door.SHUT, owner_id=OWNER.id, has_key=False)
    with pytest.raises(NotFound):
        DOORS.check(thing, "fly", OWNER)
    with pytest.raises(Forbidden):
        DOORS.check(thing, "open", CLERK)
    with pytest.raises(InvalidTransition):
        DOORS.check(thing, "close", OWNER)
    with pytest.raises(InvalidTransition, match="no key"):
        DOORS.check(thing, "lock", OWNER)
    with pytest.raises(Forbidden):
        DOORS.check(thing, "open", STRANGER)
    assert DOORS.check(thing, "open", OWNER).target == Door.OPEN


def test_allowed_lists_only_what_can_succeed():
    thing = Thing(1, Door.SHUT, owner_id=OWNER.id, has_key=False)
    assert DOORS.allowed(thing, OWNER) == ["open", "vote"]
    assert DOORS.allowed(thing, STRANGER) == ["vote"]
    thing.has_key = True
    assert DOORS.allowed(thing, STRANGER) == ["lock", "vote"]


def test_outcome_picks_the_row_of_a_decision():
    thing = Thing(1, Door.SHUT)
    assert DOORS.check(thing, "vote", OWNER, "no").target == Door.LOCKED
    assert DOORS.check(thing, "vote", OWNER, "yes").target == Door.OPEN


def test_the_system_holds_only_the_rows_that_name_it():
    thing = Thing(1, Door.OPEN, owner_id=OWNER.id)
    assert DOORS.allowed(thing, SYSTEM) == ["close"]
    with pytest.raises(Forbidden):
        DOORS.check(Thing(1, Door.SHUT, owner_id=OWNER.id), "open", SYSTEM)


def test_a_citizen_acts_only_on_what_their_link_names():
    thing = Thing(7, Door.LOCKED)
    assert DOORS.allowed(thing, CitizenActor("door", 7)) == ["knock"]
    assert DOORS.allowed(thing, CitizenActor("door", 8)) == []
    with pytest.raises(Forbidden):
        DOORS.check(thing, "knock", CitizenActor("door", 8))


def test_a_table_with_an_unknown_state_or_guard_is_refused_at_once():
    with pytest.raises(ValueError, match="unknown guard"):
        Workflow(
            subject_type="x",
            states=Door,
            state_labels={},
            transitions=[row("a", {Door.SHUT}, Door.OPEN, {"staff"}, guard="nope")],
            action_labels={"a": "a"},
            fits=_fits,
        )
    with pytest.raises(ValueError, match="unknown states"):
        Workflow(
            subject_type="x",
            states=Door,
            state_labels={},
            transitions=[row("a", {"ajar"}, Door.OPEN, {"staff"})],
            action_labels={"a": "a"},
            fits=_fits,
        )


def test_apply_moves_and_records_on_the_trail(app, org):
    thing = Thing(5, Door.SHUT, owner_id=OWNER.id)
    operator = org["users"]["operator"]
    t = DOORS.check(thing, "knock", CitizenActor("door", 5))
    DOORS.apply(thing, t, SYSTEM, {"note": "x"}, at=_now(), target=Door.OPEN)
    DOORS.apply(thing, DOORS.check(thing, "close", operator), operator, {}, at=_now())
    db.session.commit()
    events: list[Event] = db.session.scalars(events_of("door", 5)).all()
    assert [(e.action, e.from_state, e.to_state, e.actor_id) for e in events] == [
        ("knock", "shut", "open", None),
        ("close", "open", "shut", operator.id),
    ]
    assert thing.state == Door.SHUT


def _now():
    from app.core.types import utcnow

    return utcnow()
