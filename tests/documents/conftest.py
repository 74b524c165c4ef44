"""The renderers' tests need the app's settings (the fonts), not a database."""

import pytest

from app import create_app


@pytest.fixture(scope="module")
def render_app(tmp_path_factory):
    """An app context for rendering; no test here touches its (empty) database."""
    url = f"sqlite:///{tmp_path_factory.mktemp('render') / 'unused.db'}"
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=url)
    with app.app_context():
        yield app
