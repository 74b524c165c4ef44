"""failed mail kept: the original and the error of a message whose processing raised

Revision ID: 0017
Revises: 0015
Create Date: 2026-11-29 19:50:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("inbound_messages", schema=None) as batch_op:
        batch_op.add_column(sa.Column("raw_message", sa.LargeBinary(), nullable=True))
        batch_op.add_column(
            sa.Column("processing_error", sa.String(length=500), server_default="", nullable=False)
        )


def downgrade():
    with op.batch_alter_table("inbound_messages", schema=None) as batch_op:
        batch_op.drop_column("processing_error")
        batch_op.drop_column("raw_message")
