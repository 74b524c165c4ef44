"""What the public tests share: a client of an app with the public limits switched on."""

import uuid

import pytest

from app import create_app
from app.extensions import db, limiter
from tests.conftest import REDIS_OK, REDIS_TEST_URL, IsolatedClient, usage


@pytest.fixture
def limited_client(database_url, org, tmp_path):
    """A client of an app whose public limits are one or two a minute."""
    storage = REDIS_TEST_URL if REDIS_OK else "memory://"
    usage["redis_tests" if REDIS_OK else "fakeredis_tests"] += 1
    app = create_app(
        "testing",
        SQLALCHEMY_DATABASE_URI=database_url,
        RATELIMIT_ENABLED=True,
        RATELIMIT_STORAGE_URI=storage,
        RATELIMIT_KEY_PREFIX=f"test-{uuid.uuid4().hex}",
        PUBLIC_SUBMIT_LIMIT="2 per minute",
        PUBLIC_TRACK_LIMIT="1 per minute",
        ATTACHMENT_DIR=str(tmp_path),
    )
    app.test_client_class = IsolatedClient
    with app.app_context():
        limiter.reset()  # the limiter object is shared by every app built in this process
    yield app.test_client()
    with app.app_context():
        db.engine.dispose()
