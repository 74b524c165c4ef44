"""One append-only, tamper-evident trail (留痕) for every domain (DESIGN §3, §8).

Each event belongs to a subject (``case`` 42, later an accountability case, a
visit ...) and carries a SHA-256 chained to the previous event of that subject:
the hash covers a canonical JSON of the row and the previous hash. Editing a row
breaks its own hash; deleting one breaks its successor's link; ``verify_chains``
(``flask audit verify``) finds both. The database itself refuses UPDATE and DELETE
on the table (triggers installed by the migrations, see ``GUARD_DDL``), so an
application bug cannot rewrite history, only an attacker who drops the triggers,
and the chain shows what they did.

A unique (subject, previous hash) pair keeps each chain a line: two transactions
appending to one subject at once cannot both link to the same predecessor. So that
the second does not fail either, appends to one subject are serialized: a
transaction takes the subject's lock (``hold_chain``) before it reads the head and
keeps it until it ends, and the next writer reads the head that the first one left.
"""

import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from app.core.types import UTCDateTime, utcnow
from app.extensions import db

GENESIS = "0" * 64  # the "previous hash" of a subject's first event
_HEADS_KEY = "trail_heads"
_HELD_KEY = "trail_held"
# The PostgreSQL advisory lock that every appender holds shared and a bulk append
# (``record_events``) holds exclusively: see ``hold_chain``.
_ALL_CHAINS = "trail:*"


class Event(db.Model):
    """One recorded action on a subject: nothing updates or deletes it."""

    __tablename__ = "events"
    __table_args__ = (
        sa.Index("ix_events_subject", "subject_type", "subject_id", "id"),
        sa.UniqueConstraint("subject_type", "subject_id", "prev_hash"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    subject_type: Mapped[str] = mapped_column(sa.String(24))
    subject_id: Mapped[int] = mapped_column(sa.Integer)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    # AB岗: the away colleague the actor stood in for, if any.
    acting_for_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(sa.String(32))
    from_state: Mapped[str | None] = mapped_column(sa.String(20))
    to_state: Mapped[str | None] = mapped_column(sa.String(20))
    data: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    prev_hash: Mapped[str] = mapped_column(sa.String(64))
    hash: Mapped[str] = mapped_column(sa.String(64))

    actor = relationship("User", foreign_keys=[actor_id])
    acting_for = relationship("User", foreign_keys=[acting_for_id])

    def __repr__(self) -> str:
        return f"<Event {self.id} {self.subject_type}:{self.subject_id} {self.action}>"


@sa.event.listens_for(Event, "before_update")
@sa.event.listens_for(Event, "before_delete")
def _refuse_event_change(mapper, connection, target):
    raise RuntimeError("the trail is append-only")


def _canonical_at(at: datetime) -> str:
    return at.astimezone(UTC).isoformat(timespec="microseconds")


def _normalised(data: dict[str, Any] | None) -> dict[str, Any]:
    """Return ``data`` as it will read back from a JSON column (string keys, lists)."""
    return json.loads(json.dumps(data or {}, ensure_ascii=False))


def digest(row: dict[str, Any], prev_hash: str) -> str:
    """Return the SHA-256 of a row's content and its predecessor's hash."""
    payload = {
        "subject_type": row["subject_type"],
        "subject_id": row["subject_id"],
        "at": _canonical_at(row["at"]),
        "actor_id": row.get("actor_id"),
        "acting_for_id": row.get("acting_for_id"),
        "action": row["action"],
        "from_state": row.get("from_state"),
        "to_state": row.get("to_state"),
        "data": row.get("data") or {},
        "prev_hash": prev_hash,
    }
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def _heads(session: Session) -> dict[tuple[str, int], str]:
    return session.info.setdefault(_HEADS_KEY, {})


def _forget_heads(session, *args) -> None:
    session.info.pop(_HEADS_KEY, None)
    session.info.pop(_HELD_KEY, None)


def _lock_key(name: str) -> int:
    """Return a stable signed 64-bit advisory-lock key for ``name``."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


def _take_write_lock_sqlite() -> None:
    """Start this transaction as a writer on SQLite (BEGIN IMMEDIATE), if not one yet.

    SQLite has one writer at a time, but a transaction becomes one only at its first
    write: a head read before that could be overtaken by another writer's commit. The
    driver opens a transaction only before a write, so one already open holds the lock.
    """
    dbapi = db.session.connection().connection.dbapi_connection
    if not dbapi.in_transaction:
        dbapi.execute("BEGIN IMMEDIATE")


def hold_chain(subject_type: str, subject_id: int) -> None:
    """Serialize appends to one subject's chain: wait for its lock, keep it until the end.

    Call it before reading anything an append depends on (``record_event`` does, before
    reading the head). Whoever appends to the same subject meanwhile waits and then reads
    the head this transaction left, so concurrent appends (twenty comments at once) all
    succeed instead of failing on the unique (subject, previous hash) index. On
    PostgreSQL it is a transaction-scoped advisory lock on the subject, taken with the
    shared side of one lock a bulk append takes exclusively; on SQLite, the write lock.
    """
    held = db.session.info.setdefault(_HELD_KEY, set())
    if (subject_type, subject_id) in held:
        return
    dialect = db.session.get_bind().dialect.name
    if dialect == "postgresql":
        db.session.execute(
            sa.text("SELECT pg_advisory_xact_lock_shared(:all), pg_advisory_xact_lock(:one)"),
            {"all": _lock_key(_ALL_CHAINS), "one": _lock_key(f"trail:{subject_type}:{subject_id}")},
        )
    elif dialect == "sqlite":
        _take_write_lock_sqlite()
    held.add((subject_type, subject_id))


def _hold_all_chains() -> None:
    """Hold every chain for a bulk append: one lock instead of one per subject.

    Thousands of per-subject advisory locks would overflow PostgreSQL's lock table; the
    exclusive side of the lock that single appenders share waits for those in flight
    and holds new ones back until this transaction ends.
    """
    dialect = db.session.get_bind().dialect.name
    if dialect == "postgresql":
        db.session.execute(
            sa.text("SELECT pg_advisory_xact_lock(:all)"), {"all": _lock_key(_ALL_CHAINS)}
        )
    elif dialect == "sqlite":
        _take_write_lock_sqlite()


def _head(subject_type: str, subject_id: int) -> str:
    """Return the hash of the subject's last event (this transaction's pending ones first)."""
    heads = _heads(db.session)
    key = (subject_type, subject_id)
    if key not in heads:
        hold_chain(subject_type, subject_id)
        last = db.session.scalar(
            sa.select(Event.hash)
            .where(Event.subject_type == subject_type, Event.subject_id == subject_id)
            .order_by(Event.id.desc())
            .limit(1)
        )
        heads[key] = last or GENESIS
    return heads[key]


def record_event(
    subject_type: str,
    subject_id: int,
    actor,
    action: str,
    *,
    from_state: str | None = None,
    to_state: str | None = None,
    data: dict[str, Any] | None = None,
    at: datetime | None = None,
    acting_for=None,
) -> Event:
    """Append one event to the subject's chain; the caller's commit makes it real."""
    if subject_id is None:
        raise ValueError("flush the subject before recording an event on it")
    row = {
        "subject_type": subject_type,
        "subject_id": subject_id,
        "at": at or utcnow(),
        "actor_id": getattr(actor, "id", None),
        "acting_for_id": getattr(acting_for, "id", None),
        "action": action,
        "from_state": from_state,
        "to_state": to_state,
        "data": _normalised(data),
    }
    prev = _head(subject_type, subject_id)
    event = Event(**row, prev_hash=prev, hash=digest(row, prev))
    db.session.add(event)
    _heads(db.session)[(subject_type, subject_id)] = event.hash
    return event


def record_events(rows: list[dict[str, Any]]) -> int:
    """Append many events in one executemany, each chained to its subject's last one.

    Each row has the keys of ``record_event``'s arguments as columns (``subject_type``,
    ``subject_id``, ``actor_id``, ``action``, ``at``, ``data`` ...).
    """
    if not rows:
        return 0
    db.session.flush()
    _hold_all_chains()
    heads = _heads(db.session)
    wanted: dict[str, set[int]] = {}
    for r in rows:
        if (r["subject_type"], r["subject_id"]) not in heads:
            wanted.setdefault(r["subject_type"], set()).add(r["subject_id"])
    for subject_type, ids in wanted.items():
        found = dict(_last_hashes(subject_type, sorted(ids)))
        for subject_id in ids:
            heads[(subject_type, subject_id)] = found.get(subject_id, GENESIS)
    values = []
    for r in rows:
        row = {
            "actor_id": None,
            "acting_for_id": None,
            "from_state": None,
            "to_state": None,
            **r,
            "data": _normalised(r.get("data")),
        }
        row.setdefault("at", utcnow())
        key = (row["subject_type"], row["subject_id"])
        row["prev_hash"] = heads[key]
        row["hash"] = heads[key] = digest(row, row["prev_hash"])
        values.append(row)
    db.session.execute(sa.insert(Event), values)
    return len(values)


def _last_hashes(subject_type: str, ids: list[int], chunk: int = 5000) -> Iterator[tuple]:
    """Yield (subject id, hash of its last event) for the subjects that have events."""
    for i in range(0, len(ids), chunk):
        last = (
            sa.select(sa.func.max(Event.id))
            .where(Event.subject_type == subject_type, Event.subject_id.in_(ids[i : i + chunk]))
            .group_by(Event.subject_id)
        )
        yield from db.session.execute(
            sa.select(Event.subject_id, Event.hash).where(Event.id.in_(last))
        ).all()


def events_of(subject_type: str, subject_id: int) -> sa.Select:
    """Return a SELECT of one subject's events in the order they happened."""
    return (
        sa.select(Event)
        .where(Event.subject_type == subject_type, Event.subject_id == subject_id)
        .order_by(Event.id)
    )


@dataclass(frozen=True)
class BrokenLink:
    """The first row of a chain whose hash does not check out, and why."""

    subject_type: str
    subject_id: int
    event_id: int
    reason: str

    def __str__(self) -> str:
        return f"{self.subject_type} {self.subject_id}: event {self.event_id}: {self.reason}"


@dataclass
class VerifyResult:
    chains: int = 0
    events: int = 0
    broken: list[BrokenLink] | None = None


def verify_chains(batch: int = 2000) -> VerifyResult:
    """Walk every subject's chain in order and name the first broken row of each."""
    result = VerifyResult(broken=[])
    columns = [c for c in Event.__table__.c]
    stmt = sa.select(*columns).order_by(Event.subject_type, Event.subject_id, Event.id)
    key = None
    prev_hash = GENESIS
    prev_id = None
    broken_key = None
    for r in _stream(stmt, batch):
        row = r._asdict()
        this_key = (row["subject_type"], row["subject_id"])
        if this_key != key:
            key, prev_hash, prev_id = this_key, GENESIS, None
            result.chains += 1
        result.events += 1
        if broken_key == key:
            continue  # only the first break of a chain is named
        reason = None
        if row["prev_hash"] != prev_hash:
            reason = (
                f"does not follow event {prev_id} (a row before it was removed or changed)"
                if prev_id is not None
                else "is not the start of its chain (earlier rows were removed)"
            )
        elif digest(row, row["prev_hash"]) != row["hash"]:
            reason = "its content does not match its hash (the row was edited)"
        if reason is not None:
            result.broken.append(BrokenLink(*key, row["id"], reason))
            broken_key = key
        prev_hash, prev_id = row["hash"], row["id"]
    return result


def _stream(stmt, batch: int) -> Iterable:
    with db.engine.connect() as conn:
        result = conn.execution_options(yield_per=batch).execute(stmt)
        yield from result


# Statements that make the database refuse to change or remove trail rows; the
# migrations install them, and nothing in the application drops them.
GUARD_DDL = {
    "postgresql": [
        """CREATE OR REPLACE FUNCTION trail_append_only() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
          RAISE EXCEPTION 'the trail is append-only (% on %)', TG_OP, TG_TABLE_NAME
            USING ERRCODE = 'insufficient_privilege';
        END $$""",
        "CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON events "
        "FOR EACH ROW EXECUTE FUNCTION trail_append_only()",
        "CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON events "
        "FOR EACH STATEMENT EXECUTE FUNCTION trail_append_only()",
    ],
    "sqlite": [
        "CREATE TRIGGER events_no_update BEFORE UPDATE ON events "
        "BEGIN SELECT RAISE(ABORT, 'the trail is append-only'); END",
        "CREATE TRIGGER events_no_delete BEFORE DELETE ON events "
        "BEGIN SELECT RAISE(ABORT, 'the trail is append-only'); END",
    ],
}
UNGUARD_DDL = {
    "postgresql": [
        "DROP TRIGGER IF EXISTS events_append_only ON events",
        "DROP TRIGGER IF EXISTS events_no_truncate ON events",
        "DROP FUNCTION IF EXISTS trail_append_only()",
    ],
    "sqlite": [
        "DROP TRIGGER IF EXISTS events_no_update",
        "DROP TRIGGER IF EXISTS events_no_delete",
    ],
}


def init_app(app) -> None:
    """Forget cached chain heads when a transaction ends, so none outlives its rows."""
    for name in ("after_commit", "after_soft_rollback"):
        if not sa.event.contains(Session, name, _forget_heads):
            sa.event.listen(Session, name, _forget_heads)
