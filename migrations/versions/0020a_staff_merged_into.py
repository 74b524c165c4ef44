"""a pending staff entry merged into the real one points at it

A name typed at intake that turns out to be someone already on the list is merged: its
case links move to the real entry, and the entry itself stays, inactive, with the id of
the one it was merged into, so that what the trail recorded about it still resolves.

Revision ID: 0020a
Revises: 0020

"""

import sqlalchemy as sa
from alembic import op

revision = "0020a"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("staff", schema=None) as batch_op:
        batch_op.add_column(sa.Column("merged_into_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_staff_merged_into_id_staff"), "staff", ["merged_into_id"], ["id"]
        )
        batch_op.create_check_constraint(
            batch_op.f("ck_staff_merged"),
            "merged_into_id IS NULL OR (NOT active AND NOT confirmed AND merged_into_id <> id)",
        )


def downgrade():
    with op.batch_alter_table("staff", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_staff_merged"), type_="check")
        batch_op.drop_constraint(batch_op.f("fk_staff_merged_into_id_staff"), type_="foreignkey")
        batch_op.drop_column("merged_into_id")
