"""one tamper-evident trail for every domain

Events belong to a subject (type and id) instead of a case, name the away
colleague an actor stood in for (AB岗) in a column instead of their data, and
carry a SHA-256 chained to the previous event of their subject. The database
refuses UPDATE and DELETE on them from now on.

Revision ID: 0012
Revises: 0011

"""

import hashlib
import json
from datetime import UTC

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

GENESIS = "0" * 64

GUARDS = {
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
UNGUARDS = {
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


def _digest(row: dict, prev_hash: str) -> str:
    """The chain's hash as app/core/trail.py computes it (frozen here on purpose)."""
    payload = {
        "subject_type": row["subject_type"],
        "subject_id": row["subject_id"],
        "at": row["at"].astimezone(UTC).isoformat(timespec="microseconds"),
        "actor_id": row["actor_id"],
        "acting_for_id": row["acting_for_id"],
        "action": row["action"],
        "from_state": row["from_state"],
        "to_state": row["to_state"],
        "data": row["data"] or {},
        "prev_hash": prev_hash,
    }
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def _events_table():
    import app.core.types

    return sa.table(
        "events",
        sa.column("id", sa.Integer),
        sa.column("case_id", sa.Integer),
        sa.column("subject_type", sa.String),
        sa.column("subject_id", sa.Integer),
        sa.column("at", app.core.types.UTCDateTime()),
        sa.column("actor_id", sa.Integer),
        sa.column("acting_for_id", sa.Integer),
        sa.column("action", sa.String),
        sa.column("from_state", sa.String),
        sa.column("to_state", sa.String),
        sa.column("data", sa.JSON),
        sa.column("prev_hash", sa.String),
        sa.column("hash", sa.String),
    )


def upgrade():
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("subject_type", sa.String(length=24), nullable=True))
        batch_op.add_column(sa.Column("subject_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("acting_for_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("prev_hash", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("hash", sa.String(length=64), nullable=True))

    bind = op.get_bind()
    events = _events_table()
    users = dict(bind.execute(sa.text("SELECT username, id FROM users")).all())
    rows = bind.execute(sa.select(events).order_by(events.c.case_id, events.c.id)).mappings()
    prev = {}
    updates = []
    for r in rows:
        data = dict(r["data"] or {})
        acting_for = data.pop("acting_for", None)
        data.pop("acting_for_name", None)
        row = {
            **r,
            "subject_type": "case",
            "subject_id": r["case_id"],
            "acting_for_id": users.get(acting_for) if acting_for else None,
            "data": json.loads(json.dumps(data, ensure_ascii=False)),
        }
        prev_hash = prev.get(r["case_id"], GENESIS)
        row["prev_hash"] = prev_hash
        row["hash"] = prev[r["case_id"]] = _digest(row, prev_hash)
        updates.append(
            {
                "b_id": r["id"],
                "subject_type": "case",
                "subject_id": r["case_id"],
                "acting_for_id": row["acting_for_id"],
                "data": row["data"],
                "prev_hash": prev_hash,
                "hash": row["hash"],
            }
        )
    if updates:
        bind.execute(
            events.update()
            .where(events.c.id == sa.bindparam("b_id"))
            .values(
                subject_type=sa.bindparam("subject_type"),
                subject_id=sa.bindparam("subject_id"),
                acting_for_id=sa.bindparam("acting_for_id"),
                data=sa.bindparam("data"),
                prev_hash=sa.bindparam("prev_hash"),
                hash=sa.bindparam("hash"),
            ),
            updates,
        )

    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.alter_column("subject_type", existing_type=sa.String(length=24), nullable=False)
        batch_op.alter_column("subject_id", existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column("prev_hash", existing_type=sa.String(length=64), nullable=False)
        batch_op.alter_column("hash", existing_type=sa.String(length=64), nullable=False)
        batch_op.drop_index(batch_op.f("ix_events_case_id"))
        batch_op.drop_constraint(batch_op.f("fk_events_case_id_cases"), type_="foreignkey")
        batch_op.drop_column("case_id")
        batch_op.create_foreign_key(
            batch_op.f("fk_events_acting_for_id_users"), "users", ["acting_for_id"], ["id"]
        )
        batch_op.create_index(
            "ix_events_subject", ["subject_type", "subject_id", "id"], unique=False
        )
        batch_op.create_unique_constraint(
            batch_op.f("uq_events_subject_type_subject_id_prev_hash"),
            ["subject_type", "subject_id", "prev_hash"],
        )

    for statement in GUARDS.get(bind.dialect.name, []):
        op.execute(statement)


def downgrade():
    bind = op.get_bind()
    for statement in UNGUARDS.get(bind.dialect.name, []):
        op.execute(statement)
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("case_id", sa.Integer(), nullable=True))
    events = _events_table()
    names = dict(bind.execute(sa.text("SELECT id, username FROM users")).all())
    full = dict(bind.execute(sa.text("SELECT id, name FROM users")).all())
    rows = bind.execute(
        sa.select(events.c.id, events.c.subject_id, events.c.acting_for_id, events.c.data).where(
            events.c.subject_type == "case"
        )
    ).all()
    updates = []
    for event_id, subject_id, acting_for_id, data in rows:
        data = dict(data or {})
        if acting_for_id is not None:
            data.update(
                acting_for=names.get(acting_for_id), acting_for_name=full.get(acting_for_id)
            )
        updates.append({"b_id": event_id, "case_id": subject_id, "data": data})
    if updates:
        bind.execute(
            events.update()
            .where(events.c.id == sa.bindparam("b_id"))
            .values(case_id=sa.bindparam("case_id"), data=sa.bindparam("data")),
            updates,
        )
    bind.execute(events.delete().where(events.c.subject_type != "case"))
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("uq_events_subject_type_subject_id_prev_hash"), type_="unique"
        )
        batch_op.drop_index("ix_events_subject")
        batch_op.drop_constraint(batch_op.f("fk_events_acting_for_id_users"), type_="foreignkey")
        batch_op.alter_column("case_id", existing_type=sa.Integer(), nullable=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_events_case_id_cases"), "cases", ["case_id"], ["id"]
        )
        batch_op.create_index(batch_op.f("ix_events_case_id"), ["case_id"], unique=False)
        batch_op.drop_column("hash")
        batch_op.drop_column("prev_hash")
        batch_op.drop_column("acting_for_id")
        batch_op.drop_column("subject_id")
        batch_op.drop_column("subject_type")
