"""notices on their cards

Each yellow or red card brings at most one notice, so the notice's fields move onto
the card: a mass sweep then writes one row per card instead of two, with one
foreign-key check less each.

Revision ID: 0011
Revises: 0010

"""

import sqlalchemy as sa
from alembic import op

import app.core.types

# revision identifiers, used by Alembic.
revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

FIELDS = "number, unit_id, respond_by, responded_at, response, refer_to_inspectors"


def upgrade():
    with op.batch_alter_table("warnings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("number", sa.String(length=60), nullable=True))
        batch_op.add_column(sa.Column("unit_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("respond_by", app.core.types.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(
            sa.Column("responded_at", app.core.types.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("response", sa.Text(), server_default="", nullable=False))
        batch_op.add_column(
            sa.Column(
                "refer_to_inspectors", sa.Boolean(), server_default=sa.false(), nullable=False
            )
        )
    for field in FIELDS.split(", "):
        op.execute(
            f"UPDATE warnings SET {field} = (SELECT n.{field} FROM supervision_notices n "
            "WHERE n.warning_id = warnings.id) "
            "WHERE id IN (SELECT warning_id FROM supervision_notices)"
        )
    with op.batch_alter_table("warnings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_warnings_unit_id"), ["unit_id"], unique=False)
        batch_op.create_unique_constraint(batch_op.f("uq_warnings_number"), ["number"])
        batch_op.create_foreign_key(
            batch_op.f("fk_warnings_unit_id_units"), "units", ["unit_id"], ["id"]
        )
    with op.batch_alter_table("supervision_notices", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_supervision_notices_unit_id"))
    op.drop_table("supervision_notices")


def downgrade():
    op.create_table(
        "supervision_notices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=60), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("warning_id", sa.Integer(), nullable=False),
        sa.Column("issued_at", app.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("respond_by", app.core.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("responded_at", app.core.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("response", sa.Text(), nullable=False),
        sa.Column("refer_to_inspectors", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["units.id"], name=op.f("fk_supervision_notices_unit_id_units")
        ),
        sa.ForeignKeyConstraint(
            ["warning_id"],
            ["warnings.id"],
            name=op.f("fk_supervision_notices_warning_id_warnings"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_supervision_notices")),
        sa.UniqueConstraint("number", name=op.f("uq_supervision_notices_number")),
        sa.UniqueConstraint("warning_id", name=op.f("uq_supervision_notices_warning_id")),
    )
    with op.batch_alter_table("supervision_notices", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_supervision_notices_unit_id"), ["unit_id"], unique=False
        )
    op.execute(
        f"INSERT INTO supervision_notices (kind, issued_at, warning_id, {FIELDS}) "
        "SELECT CASE WHEN level = 'yellow' THEN 'reminder' ELSE 'order' END, issued_at, id, "
        f"{FIELDS} FROM warnings WHERE number IS NOT NULL ORDER BY id"
    )
    with op.batch_alter_table("warnings", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_warnings_unit_id_units"), type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("uq_warnings_number"), type_="unique")
        batch_op.drop_index(batch_op.f("ix_warnings_unit_id"))
        for column in reversed(FIELDS.split(", ")):
            batch_op.drop_column(column)
