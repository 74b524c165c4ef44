"""staff of each unit as records; the head of the discipline office as a role

The person complained about was free text, so nothing could be kept per person. Each
unit now has its staff (name, post, active), and a case names the staff it is about
through case_staff; the free text stays as it was typed. The discipline office gets
its head (discipline_head), who approves decisions and decides appeals.

Revision ID: 0020
Revises: 0019

"""

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None

ROLES_BEFORE = (
    "role IN ('operator', 'center_lead', 'handler', 'unit_lead', 'inspector', 'leader', 'admin')"
)
ROLES_AFTER = (
    "role IN ('operator', 'center_lead', 'handler', 'unit_lead', 'inspector', "
    "'discipline_head', 'leader', 'admin')"
)


def upgrade():
    op.create_table(
        "staff",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("post", sa.String(length=60), server_default="", nullable=False),
        sa.Column("active", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("confirmed", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.CheckConstraint("name <> ''", name=op.f("ck_staff_name")),
        sa.ForeignKeyConstraint(["unit_id"], ["units.id"], name=op.f("fk_staff_unit_id_units")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff")),
        sa.UniqueConstraint("unit_id", "name", "post", name=op.f("uq_staff_unit_id_name_post")),
    )
    op.create_index(op.f("ix_staff_unit_id"), "staff", ["unit_id"], unique=False)
    op.create_table(
        "case_staff",
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_case_staff_case_id_cases")
        ),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["staff.id"], name=op.f("fk_case_staff_staff_id_staff")
        ),
        sa.PrimaryKeyConstraint("case_id", "staff_id", name=op.f("pk_case_staff")),
    )
    op.create_index(op.f("ix_case_staff_staff_id"), "case_staff", ["staff_id"], unique=False)
    with op.batch_alter_table("user_roles", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_user_roles_role"), type_="check")
        batch_op.create_check_constraint(batch_op.f("ck_user_roles_role"), ROLES_AFTER)


def downgrade():
    op.execute("DELETE FROM user_roles WHERE role = 'discipline_head'")
    with op.batch_alter_table("user_roles", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_user_roles_role"), type_="check")
        batch_op.create_check_constraint(batch_op.f("ck_user_roles_role"), ROLES_BEFORE)
    op.drop_index(op.f("ix_case_staff_staff_id"), table_name="case_staff")
    op.drop_table("case_staff")
    op.drop_index(op.f("ix_staff_unit_id"), table_name="staff")
    op.drop_table("staff")
