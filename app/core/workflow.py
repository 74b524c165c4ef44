"""One workflow engine for every state machine (cases, accountability, visits, ...).

A domain declares its states, a table of rows (action, sources, target, roles,
whose turn, guard) and a ``fits(subject, person, row)`` hook that says whether a
person's unit or link gives them the turn the row needs. The engine answers the
two questions every screen and service asks, in one place: may this actor do
this now (``check``), and what may they do now (``allowed``), and it records each
move on the trail in the same transaction (``apply``).
"""

import enum
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from flask_babel import lazy_gettext as _l

from app.core.errors import Forbidden, InvalidTransition, NotFound
from app.core.trail import Event, record_event


class Actor(Protocol):
    """Whoever acts: a staff user, the system itself, or a citizen holding a link."""

    id: int | None

    def has_role(self, *roles: str) -> bool: ...


class SystemActor:
    """The system acting on its own: sweeps, jobs, intake that moves a case along.

    It holds the single role ``system``, so a table grants it exactly the rows
    that name that role, like any other actor.
    """

    id = None
    name = "system"
    role = "system"

    def has_role(self, *roles: str) -> bool:
        return self.role in roles

    def __repr__(self) -> str:
        return "<SystemActor>"


SYSTEM = SystemActor()


@dataclass(frozen=True)
class CitizenActor:
    """A member of the public acting through a signed link for one subject.

    ``subject_type`` and ``subject_id`` say what the link was issued for; a
    domain's ``fits`` hook compares them with the subject acted on.
    """

    subject_type: str
    subject_id: int
    id = None
    name = "citizen"
    role = "citizen"

    def has_role(self, *roles: str) -> bool:
        return self.role in roles


class Turn(enum.StrEnum):
    """Whose turn a row is, beyond the role: each domain's ``fits`` reads it."""

    ANY = "any"  # holding the role is enough


@dataclass(frozen=True)
class Transition:
    """One row: ``action`` moves a subject from any of ``sources`` to ``target``.

    A ``target`` of None means "back to the state it had before", which the
    service reads from the record of the step being undone and passes to
    ``apply``. ``outcome`` tells apart the rows of one action that lead to
    different states (a decision's yes and no). ``guard`` names a condition on
    the subject that must hold besides the state.
    """

    action: str
    sources: frozenset[str]
    target: str | None
    roles: frozenset[str]
    turn: str = Turn.ANY
    outcome: str | None = None
    guard: str | tuple[str, ...] | None = None

    @property
    def guard_names(self) -> tuple[str, ...]:
        if self.guard is None:
            return ()
        return (self.guard,) if isinstance(self.guard, str) else self.guard


def row(action, sources, target, roles, **kw) -> Transition:
    """Build a row from plain iterables."""
    return Transition(action, frozenset(sources), target, frozenset(roles), **kw)


def stay(action, states, roles, **kw) -> tuple[Transition, ...]:
    """Rows for an action that leaves the state as it is, one per state."""
    return tuple(row(action, {state}, state, roles, **kw) for state in states)


def decide(action, source, yes, no, roles, outcomes, **kw) -> tuple[Transition, ...]:
    """The two rows of a yes/no decision: ``outcomes[0]`` leads to ``yes``, the other to ``no``."""
    return (
        row(action, {source}, yes, roles, outcome=outcomes[0], **kw),
        row(action, {source}, no, roles, outcome=outcomes[1], **kw),
    )


@dataclass(frozen=True)
class Guard:
    """A condition a row needs besides the state, and the refusal shown when it fails.

    A guard ``about_actor`` is asked ``holds(subject, actor)`` with whoever really acts
    (a stand-in included), and failing it is a 403: the subject is ready, this actor
    may not (nobody approves their own work). Others are asked ``holds(subject)``, and
    failing is a 409: the subject is not ready for the action.
    """

    holds: Callable[..., bool]
    refusal: Any
    about_actor: bool = False


class Workflow:
    """A state machine over one kind of subject, read by the UI, the services and the API."""

    def __init__(
        self,
        *,
        subject_type: str,
        states: type[enum.StrEnum],
        state_labels: Mapping[str, Any],
        transitions: Iterable[Transition],
        action_labels: Mapping[str, Any],
        fits: Callable[[Any, Actor, Transition], bool],
        guards: Mapping[str, Guard] | None = None,
        stand_ins: Callable[[Actor], list] | None = None,
        not_now: Any = None,
    ):
        self.subject_type = subject_type
        self.states = states
        self.state_labels = state_labels
        self.transitions = tuple(transitions)
        self.action_labels = action_labels
        self.fits = fits
        self.guards = dict(guards or {})
        # Under the AB post rule (AB岗) the backup of an away colleague does their work.
        self.stand_ins = stand_ins or (lambda actor: [])
        self.actions = tuple(dict.fromkeys(t.action for t in self.transitions))
        # The refusal of an action in the wrong state, naming the kind of subject.
        self.not_now = not_now or _l("This action is not allowed while the case is “%(state)s”.")
        self._validate()

    def _validate(self) -> None:
        """Refuse a table that names an unknown state, guard or label: fail at import."""
        known = set(self.states)
        for t in self.transitions:
            unknown = (set(t.sources) | ({t.target} if t.target else set())) - known
            if unknown:
                raise ValueError(f"{self.subject_type}.{t.action}: unknown states {unknown}")
            for name in t.guard_names:
                if name not in self.guards:
                    raise ValueError(f"{self.subject_type}.{t.action}: unknown guard {name!r}")
        missing = set(self.actions) - set(self.action_labels)
        if missing:
            raise ValueError(f"{self.subject_type}: actions without a label {missing}")

    def rows(self, action: str) -> list[Transition]:
        """Return every row of the table for ``action``."""
        return [t for t in self.transitions if t.action == action]

    def _failed_guard(self, subject, t: Transition, actor=None) -> Guard | None:
        """Return the first guard of ``t`` that fails (about the actor when one is given)."""
        for name in t.guard_names:
            guard = self.guards[name]
            if actor is None and not guard.about_actor and not guard.holds(subject):
                return guard
            if actor is not None and guard.about_actor and not guard.holds(subject, actor):
                return guard
        return None

    def _may_hold(self, actor, roles) -> bool:
        return actor.has_role(*roles) or any(c.has_role(*roles) for c in self.stand_ins(actor))

    def acting_as(self, subject, actor, t: Transition):
        """Return whom ``actor`` acts as for this row: themselves, an away colleague, or None."""
        if actor.has_role(*t.roles) and self.fits(subject, actor, t):
            return actor
        for colleague in self.stand_ins(actor):
            if colleague.has_role(*t.roles) and self.fits(subject, colleague, t):
                return colleague
        return None

    def check(self, subject, action: str, actor, outcome: str | None = None) -> Transition:
        """Return the row that lets ``actor`` do ``action`` now, or raise.

        The order of checks decides the answer: an unknown action is 404, a role
        that never does this action is 403, the wrong state is 409, a failed guard
        is 409, and a turn that belongs to someone else is 403.
        """
        rows = self.rows(action)
        if not rows:
            raise NotFound(_l("Unknown action: %(action)s", action=action))
        rows = [t for t in rows if self._may_hold(actor, t.roles)]
        if not rows:
            raise Forbidden(_l("Your role may not do this."))
        state = self.states(subject.state)
        in_state = [t for t in rows if state in t.sources and outcome in (None, t.outcome)]
        if not in_state:
            raise InvalidTransition(str(self.not_now) % {"state": self.state_labels[state]})
        guarded = [t for t in in_state if self._failed_guard(subject, t) is None]
        if not guarded:
            raise InvalidTransition(self._failed_guard(subject, in_state[0]).refusal)
        refused = [self._failed_guard(subject, t, actor) for t in guarded]
        if all(refused):
            raise Forbidden(refused[0].refusal)
        guarded = [t for t, failed in zip(guarded, refused, strict=True) if failed is None]
        # Acting in one's own capacity comes first; standing in for an away colleague second.
        for t in guarded:
            if actor.has_role(*t.roles) and self.fits(subject, actor, t):
                return t
        for t in guarded:
            if self.acting_as(subject, actor, t) is not None:
                return t
        raise Forbidden(_l("Your unit has no such part in this case."))

    def allowed(self, subject, actor) -> list[str]:
        """Return the actions ``actor`` may take on ``subject`` now, in table order."""
        state = self.states(subject.state)
        allowed: list[str] = []
        for t in self.transitions:
            if (
                t.action not in allowed
                and state in t.sources
                and self._failed_guard(subject, t) is None
                and self._failed_guard(subject, t, actor) is None
                and self.acting_as(subject, actor, t) is not None
            ):
                allowed.append(t.action)
        return allowed

    def apply(
        self,
        subject,
        t: Transition,
        actor,
        data: dict[str, Any],
        at: datetime,
        target: str | None = None,
    ) -> Event:
        """Move ``subject`` along row ``t`` (to ``target`` for a "go back" row) and record it."""
        target = t.target or target
        if target is None:
            raise ValueError(f"transition {t.action!r} needs an explicit target")
        from_state = subject.state
        principal = self.acting_as(subject, actor, t)
        subject.state = target
        if hasattr(subject, "updated_at"):
            subject.updated_at = at
        return self._record(subject, t, actor, principal, data, at, from_state, target)

    def note(self, subject, t: Transition, actor, data: dict[str, Any], at: datetime) -> Event:
        """Record a row that adds to ``subject`` without changing it (a comment).

        The subject itself is not written, so its version does not move: such a row
        conflicts with nothing, and nothing conflicts with it.
        """
        if t.target is not None and t.target not in t.sources:
            raise ValueError(f"transition {t.action!r} moves its subject; apply it")
        principal = self.acting_as(subject, actor, t)
        return self._record(subject, t, actor, principal, data, at, subject.state, subject.state)

    def _record(self, subject, t, actor, principal, data, at, from_state, to_state) -> Event:
        return record_event(
            self.subject_type,
            subject.id,
            actor,
            t.action,
            from_state=from_state,
            to_state=to_state,
            data=data,
            at=at,
            acting_for=principal if principal is not None and principal is not actor else None,
        )
