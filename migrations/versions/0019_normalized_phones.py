"""phone numbers compared in one form; identity searches logged

A number typed with +86, 0086, spaces, dashes or brackets was not found by the
caller history, the duplicate check or the worklist search. Each complainant now
keeps the number in the form those compare (app/core/phones.py), indexed, filled
here for the rows already stored.

A search of the worklist by a complainant's phone or name ties a person to their
cases: it is logged like a view of their identity (DESIGN §8), under two new
channels of the access log.

Revision ID: 0019
Revises: 0015

"""

import sqlalchemy as sa
from alembic import op

from app.core.phones import normalize_phone

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None

BATCH = 1000
CHANNELS_BEFORE = "channel IN ('web', 'api', 'attachment')"
CHANNELS_AFTER = "channel IN ('web', 'api', 'attachment', 'search', 'api_search')"


def _normalize_stored() -> None:
    """Fill the compared form for every stored number, a batch of rows at a time."""
    conn = op.get_bind()
    complainants = sa.table(
        "complainants",
        sa.column("id", sa.Integer),
        sa.column("phone", sa.String),
        sa.column("phone_normalized", sa.String),
    )
    last = 0
    while True:
        rows = conn.execute(
            sa.select(complainants.c.id, complainants.c.phone)
            .where(complainants.c.id > last, complainants.c.phone != "")
            .order_by(complainants.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            return
        conn.execute(
            complainants.update()
            .where(complainants.c.id == sa.bindparam("row_id"))
            .values(phone_normalized=sa.bindparam("normalized")),
            [{"row_id": r.id, "normalized": normalize_phone(r.phone)} for r in rows],
        )
        last = rows[-1].id


def _channels(condition: str) -> None:
    with op.batch_alter_table("identity_accesses", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_identity_accesses_channel"), type_="check")
        batch_op.create_check_constraint(batch_op.f("ck_identity_accesses_channel"), condition)


def upgrade():
    with op.batch_alter_table("complainants", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("phone_normalized", sa.String(length=32), server_default="", nullable=False)
        )
        batch_op.create_index(
            batch_op.f("ix_complainants_phone_normalized"), ["phone_normalized"], unique=False
        )
    _normalize_stored()
    _channels(CHANNELS_AFTER)


def downgrade():
    op.execute("DELETE FROM identity_accesses WHERE channel IN ('search', 'api_search')")
    _channels(CHANNELS_BEFORE)
    with op.batch_alter_table("complainants", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_complainants_phone_normalized"))
        batch_op.drop_column("phone_normalized")
