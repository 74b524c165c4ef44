"""sessions, login throttles and token expiry

Each user gets a session generation (``session_token``) that every session and
remember cookie carries: logout, a password change, a reset and a deactivation
replace it and so end them all. Failed logins are counted per username and per
client address in ``login_throttles`` (one atomic upsert per attempt) instead of
on the user row, so unknown usernames lock too; the user columns go. API tokens
get an expiry (existing ones: 90 days from now) and the admin who created them.

Revision ID: 0016
Revises: 0015

"""

import secrets
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from alembic import op

import app.core.types

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "login_throttles",
        sa.Column("scope", sa.String(length=8), nullable=False),
        sa.Column("key", sa.String(length=128), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("window_start", app.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("locked_until", app.core.types.UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint("attempts >= 0", name=op.f("ck_login_throttles_attempts")),
        sa.CheckConstraint(
            "scope IN ('account', 'address')", name=op.f("ck_login_throttles_scope")
        ),
        sa.PrimaryKeyConstraint("scope", "key", name=op.f("pk_login_throttles")),
    )
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("session_token", sa.String(length=64), nullable=True))
        batch_op.drop_constraint(batch_op.f("ck_users_failed_logins"), type_="check")
        batch_op.drop_column("failed_logins")
        batch_op.drop_column("locked_until")
    conn = op.get_bind()
    users = sa.table("users", sa.column("id", sa.Integer), sa.column("session_token"))
    for (user_id,) in conn.execute(sa.select(users.c.id)).all():
        conn.execute(
            users.update()
            .where(users.c.id == user_id)
            .values(session_token=secrets.token_urlsafe(24))
        )
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.alter_column("session_token", existing_type=sa.String(length=64), nullable=False)

    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("expires_at", app.core.types.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("created_by_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_api_tokens_created_by_id_users"), "users", ["created_by_id"], ["id"]
        )
    tokens = sa.table(
        "api_tokens", sa.column("expires_at", app.core.types.UTCDateTime(timezone=True))
    )
    conn.execute(tokens.update().values(expires_at=datetime.now(UTC) + timedelta(days=90)))
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.alter_column(
            "expires_at",
            existing_type=app.core.types.UTCDateTime(timezone=True),
            nullable=False,
        )


def downgrade():
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_api_tokens_created_by_id_users"), type_="foreignkey")
        batch_op.drop_column("created_by_id")
        batch_op.drop_column("expires_at")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("failed_logins", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(
            sa.Column("locked_until", app.core.types.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.create_check_constraint(batch_op.f("ck_users_failed_logins"), "failed_logins >= 0")
        batch_op.drop_column("session_token")
    op.drop_table("login_throttles")
