"""Migration 0016: existing users get a session generation, existing tokens an expiry."""

import sqlalchemy as sa

from app import create_app
from app.core.types import utcnow
from app.extensions import db
from tests.core.test_migrations import _insert, scratch_url  # noqa: F401  (fixture)


def test_users_get_session_tokens_and_tokens_an_expiry(scratch_url):  # noqa: F811
    from flask_migrate import downgrade, upgrade

    from app.auth.models import ApiToken, User

    app = create_app("testing", SQLALCHEMY_DATABASE_URI=scratch_url)
    with app.app_context():
        upgrade(revision="0015")
        with db.engine.begin() as conn:
            users = [
                _insert(conn, "users", username=f"u{i}", active=True, failed_logins=0)
                for i in range(2)
            ]
            _insert(conn, "api_tokens", user_id=users[0], digest="d" * 64)
        upgrade()
        tokens = {u.session_token for u in db.session.scalars(sa.select(User))}
        assert len(tokens) == 2 and all(len(t) >= 32 for t in tokens)
        token = db.session.scalar(sa.select(ApiToken))
        assert token.expires_at > utcnow() and token.created_by_id is None
        db.session.remove()
        downgrade(revision="0015")
        with db.engine.connect() as conn:
            columns = {c["name"] for c in sa.inspect(conn).get_columns("users")}
        assert "failed_logins" in columns and "session_token" not in columns
        upgrade()
        db.engine.dispose()
