"""official documents

Every paper the system issues (decision notices, service receipts, 催办通知书,
督办单, monthly bulletins) is one row: the data it was made from, its PDF and DOCX
with each one's SHA-256, and the state of the job that renders it (DESIGN §7).

Revision ID: 0021
Revises: 0020a

"""

import sqlalchemy as sa
from alembic import op

import app.core.types

revision = "0021"
down_revision = "0020a"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "documents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("subject_type", sa.String(length=24), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=60), server_default="", nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=10), server_default="queued", nullable=False),
        sa.Column("progress", sa.Integer(), server_default="0", nullable=False),
        sa.Column("error", sa.Text(), server_default="", nullable=False),
        sa.Column("pdf", sa.LargeBinary(), nullable=True),
        sa.Column("pdf_sha256", sa.String(length=64), nullable=True),
        sa.Column("docx", sa.LargeBinary(), nullable=True),
        sa.Column("docx_sha256", sa.String(length=64), nullable=True),
        sa.Column("renderer", sa.String(length=80), server_default="", nullable=False),
        sa.Column("requested_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", app.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("claimed_at", app.core.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("rendered_at", app.core.types.UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "kind IN ('decision', 'reminder', 'order', 'service_receipt', 'bulletin')",
            name=op.f("ck_documents_kind"),
        ),
        sa.CheckConstraint(
            "status IN ('queued', 'rendering', 'done', 'failed')",
            name=op.f("ck_documents_status"),
        ),
        sa.CheckConstraint("progress BETWEEN 0 AND 100", name=op.f("ck_documents_progress")),
        sa.CheckConstraint(
            "(status IN ('done')) = (pdf IS NOT NULL AND docx IS NOT NULL AND pdf_sha256 IS "
            "NOT NULL AND docx_sha256 IS NOT NULL AND rendered_at IS NOT NULL)",
            name=op.f("ck_documents_rendered"),
        ),
        sa.CheckConstraint(
            "NOT (status IN ('failed')) OR error <> ''", name=op.f("ck_documents_failed")
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_id"], ["users.id"], name=op.f("fk_documents_requested_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_documents")),
        sa.UniqueConstraint(
            "kind",
            "subject_type",
            "subject_id",
            name=op.f("uq_documents_kind_subject_type_subject_id"),
        ),
    )
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.create_index("ix_documents_status", ["status"], unique=False)


def downgrade():
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.drop_index("ix_documents_status")
    op.drop_table("documents")
