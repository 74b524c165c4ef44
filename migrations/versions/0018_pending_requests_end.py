"""pending requests end

An extension request, a return request or a draft reply that is not decided ends
another way: withdrawn by whoever asked, or lapsed when the case moved on without
it (``ended_at``, and in ``end_reason`` "withdrawn" or the action that moved the
case). A request is decided or ended, never both.

Revision ID: 0018
Revises: 0015

"""

import sqlalchemy as sa
from alembic import op

import app.core.types

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

# table -> the column that holds its decision
TABLES = {"extensions": "approved", "return_requests": "approved", "replies": "signed_off"}


def upgrade():
    for table, decision in TABLES.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(
                sa.Column("ended_at", app.core.types.UTCDateTime(timezone=True), nullable=True)
            )
            batch_op.add_column(
                sa.Column("end_reason", sa.String(length=32), server_default="", nullable=False)
            )
            batch_op.create_check_constraint(
                batch_op.f(f"ck_{table}_decided_or_ended"),
                f"(ended_at IS NULL OR {decision} IS NULL) "
                "AND ((ended_at IS NULL) = (end_reason = ''))",
            )


def downgrade():
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(batch_op.f(f"ck_{table}_decided_or_ended"), type_="check")
            batch_op.drop_column("end_reason")
            batch_op.drop_column("ended_at")
