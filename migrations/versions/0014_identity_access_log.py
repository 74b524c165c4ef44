"""identity access log

Every view of a complainant's full identity (the case page, the API's case
detail, an attachment download) is logged for the inspectors and the center
lead, who read it per case, newest first (DESIGN §8).

Revision ID: 0014
Revises: 0013

"""

import sqlalchemy as sa
from alembic import op

import app.core.types

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "identity_accesses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", app.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("subject_type", sa.String(length=24), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=12), nullable=False),
        sa.Column("what", sa.String(length=200), nullable=False),
        sa.CheckConstraint(
            "channel IN ('web', 'api', 'attachment')",
            name=op.f("ck_identity_accesses_channel"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_identity_accesses_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_identity_accesses")),
    )
    with op.batch_alter_table("identity_accesses", schema=None) as batch_op:
        batch_op.create_index(
            "ix_identity_accesses_subject", ["subject_type", "subject_id", "at"], unique=False
        )


def downgrade():
    with op.batch_alter_table("identity_accesses", schema=None) as batch_op:
        batch_op.drop_index("ix_identity_accesses_subject")
    op.drop_table("identity_accesses")
