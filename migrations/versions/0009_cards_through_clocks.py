"""cards and notices reach their case through the clock

A mass sweep writes a hundred thousand cards and notices; the case_id each repeated
cost PostgreSQL a foreign-key check and an index entry per row, for a value the
clock already holds (clocks.case_id).

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-23 04:05:52.644282

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("supervision_notices", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_supervision_notices_case_id"))
        batch_op.drop_constraint(
            batch_op.f("fk_supervision_notices_case_id_cases"), type_="foreignkey"
        )
        batch_op.drop_column("case_id")

    with op.batch_alter_table("warnings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_warnings_case_id"))
        batch_op.drop_constraint(batch_op.f("fk_warnings_case_id_cases"), type_="foreignkey")
        batch_op.drop_column("case_id")


def downgrade():
    # Put the copies back, filled from the clocks, then make them required again.
    with op.batch_alter_table("warnings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("case_id", sa.INTEGER(), nullable=True))
    with op.batch_alter_table("supervision_notices", schema=None) as batch_op:
        batch_op.add_column(sa.Column("case_id", sa.INTEGER(), nullable=True))
    op.execute(
        "UPDATE warnings SET case_id = "
        "(SELECT clocks.case_id FROM clocks WHERE clocks.id = warnings.clock_id)"
    )
    op.execute(
        "UPDATE supervision_notices SET case_id = (SELECT warnings.case_id FROM warnings "
        "WHERE warnings.id = supervision_notices.warning_id)"
    )
    with op.batch_alter_table("warnings", schema=None) as batch_op:
        batch_op.alter_column("case_id", existing_type=sa.INTEGER(), nullable=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_warnings_case_id_cases"), "cases", ["case_id"], ["id"]
        )
        batch_op.create_index(batch_op.f("ix_warnings_case_id"), ["case_id"], unique=False)
    with op.batch_alter_table("supervision_notices", schema=None) as batch_op:
        batch_op.alter_column("case_id", existing_type=sa.INTEGER(), nullable=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_supervision_notices_case_id_cases"), "cases", ["case_id"], ["id"]
        )
        batch_op.create_index(
            batch_op.f("ix_supervision_notices_case_id"), ["case_id"], unique=False
        )
