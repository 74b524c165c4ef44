"""redo count apart from reopen count

A redo (重办, after an unsatisfied return visit) and a reopening by the center
lead were counted together, so one of each already brought a red card. They are
counted apart from now on, backfilled from the trail.

Revision ID: 0013
Revises: 0012

"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def _count(action: str, extra: str = "") -> str:
    return (
        "(SELECT count(*) FROM events WHERE events.subject_type = 'case' "
        f"AND events.subject_id = cases.id AND events.action = '{action}'{extra})"
    )


def upgrade():
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("redo_count", sa.SmallInteger(), server_default="0", nullable=False)
        )
        batch_op.drop_index("ix_cases_redone")
    # An unsatisfied visit is the visit that sent the case back to handling.
    redos = _count("visit", " AND events.to_state = 'handling'")
    op.execute(f"UPDATE cases SET redo_count = {redos}, reopen_count = {_count('reopen')}")
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.create_index(
            "ix_cases_redone",
            ["id"],
            unique=False,
            postgresql_where=sa.text("redo_count >= 2"),
            sqlite_where=sa.text("redo_count >= 2"),
        )


def downgrade():
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_index("ix_cases_redone")
    op.execute("UPDATE cases SET reopen_count = reopen_count + redo_count")
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_column("redo_count")
        batch_op.create_index(
            "ix_cases_redone",
            ["id"],
            unique=False,
            postgresql_where=sa.text("reopen_count >= 2"),
            sqlite_where=sa.text("reopen_count >= 2"),
        )
