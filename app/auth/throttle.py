"""Failed-login counting per username and per client address, atomic in SQL.

An attempt is counted *before* its password is checked (one upsert, committed at
once), so parallel guesses cannot all pass a "not locked yet" test: the attempt
whose count goes past the limit is refused unchecked, and no more than the limit
are ever checked. A right password takes its attempt back; the failure that
reaches the limit locks the key for ``LOGIN_LOCK_MINUTES``. Counts older than that
window start again. The rows live in the database, not Redis, so the limit holds
when Redis is down.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.dialects import postgresql, sqlite

from app.auth.models import LoginThrottle
from app.core.types import UTCDateTime
from app.extensions import db

T = LoginThrottle.__table__


@dataclass(frozen=True)
class Key:
    """One counted thing: a username (``account``) or a client address (``address``)."""

    scope: str
    key: str

    @property
    def limit(self) -> int:
        name = "LOGIN_MAX_FAILURES" if self.scope == "account" else "LOGIN_MAX_FAILURES_PER_ADDRESS"
        return current_app.config[name]


def keys_for(username: str, address: str | None) -> list[Key]:
    """Return the keys one login attempt counts against."""
    keys = [Key("account", username[:128])]
    if address:
        keys.append(Key("address", address[:128]))
    return keys


def _at(moment: datetime):
    return sa.literal(moment, UTCDateTime())


def _insert():
    dialect = db.session.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(T)


def _lock_period() -> timedelta:
    return timedelta(minutes=current_app.config["LOGIN_LOCK_MINUTES"])


def reserve(keys: list[Key], now: datetime) -> bool:
    """Count one attempt on every key and commit; return False if any key refuses it.

    A key refuses while it is locked, and when this attempt goes past its limit
    (earlier attempts may still be being checked).
    """
    locked = T.c.locked_until > _at(now)
    restart = sa.or_(T.c.locked_until.is_not(None), T.c.window_start < _at(now - _lock_period()))
    allowed = True
    for key in keys:
        stmt = (
            _insert()
            .values(scope=key.scope, key=key.key, attempts=1, window_start=now)
            .on_conflict_do_update(
                index_elements=[T.c.scope, T.c.key],
                set_={
                    "attempts": sa.case(
                        (locked, T.c.attempts), (restart, 1), else_=T.c.attempts + 1
                    ),
                    "window_start": sa.case(
                        (locked, T.c.window_start), (restart, _at(now)), else_=T.c.window_start
                    ),
                    "locked_until": sa.case((locked, T.c.locked_until), else_=sa.null()),
                },
            )
            .returning(T.c.attempts, T.c.locked_until)
        )
        attempts, locked_until = db.session.execute(stmt).one()
        if (locked_until is not None and locked_until > now) or attempts > key.limit:
            allowed = False
    # Visible to every parallel attempt before this one's password is checked.
    db.session.commit()
    return allowed


def record_failure(keys: list[Key], now: datetime) -> None:
    """Lock each key whose count has reached its limit (the attempt stays counted)."""
    for key in keys:
        db.session.execute(
            sa.update(T)
            .where(
                T.c.scope == key.scope,
                T.c.key == key.key,
                T.c.attempts >= key.limit,
                sa.or_(T.c.locked_until.is_(None), T.c.locked_until <= _at(now)),
            )
            .values(locked_until=now + _lock_period())
        )


def record_success(keys: list[Key]) -> None:
    """Clear the account's count and take this attempt back from the address's.

    The address keeps its other failures: one good login must not wipe the count of
    guesses made from the same place at other accounts.
    """
    for key in keys:
        if key.scope == "account":
            values = {"attempts": 0, "locked_until": None}
        else:
            values = {"attempts": sa.case((T.c.attempts > 0, T.c.attempts - 1), else_=0)}
        db.session.execute(
            sa.update(T).where(T.c.scope == key.scope, T.c.key == key.key).values(**values)
        )


def clear_account(username: str) -> None:
    """Lift an account's lock (an administrator reset its password)."""
    db.session.execute(
        sa.update(T)
        .where(T.c.scope == "account", T.c.key == username[:128])
        .values(attempts=0, locked_until=None)
    )
