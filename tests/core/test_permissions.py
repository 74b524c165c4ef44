"""roles_required: one check for web pages (Flask-Login) and API views (bearer token)."""

import pytest
from flask import g

from app.api.auth import token_required
from app.auth.services import create_token
from app.core.permissions import roles_required
from app.extensions import db
from tests.conftest import login


@pytest.fixture
def probes(app):
    """Two throwaway views guarded by role values given as plain strings."""

    @app.get("/probe")
    @roles_required("inspector", "center_lead")
    def web_probe():
        return "ok"

    @app.get("/api/probe")
    @token_required
    @roles_required("inspector", message="Inspectors only.")
    def api_probe():
        return {"user": g.api_user.username}

    @app.get("/api/misplaced")
    @roles_required("inspector")
    @token_required
    def misplaced_probe():
        return "never"


def test_web_view_runs_for_a_role_it_names(client, org, probes):
    login(client, "inspector")
    assert client.get("/probe").get_data(as_text=True) == "ok"


def test_web_view_is_403_for_another_role(client, org, probes):
    login(client, "operator")
    assert client.get("/probe").status_code == 403


def test_web_view_sends_an_anonymous_visitor_to_login(client, probes):
    r = client.get("/probe")
    assert r.status_code == 302 and r.headers["Location"] == "/login?next=%2Fprobe"


def test_api_view_uses_the_token_user(client, org, probes):
    headers = {"Authorization": f"Bearer {create_token(org['users']['inspector'])}"}
    db.session.commit()
    assert client.get("/api/probe", headers=headers).json == {"user": "inspector"}


def test_api_view_is_a_json_403_with_its_message(client, org, probes):
    headers = {"Authorization": f"Bearer {create_token(org['users']['operator'])}"}
    db.session.commit()
    r = client.get("/api/probe", headers=headers)
    assert r.status_code == 403
    assert r.json == {"error": "forbidden", "message": "Inspectors only."}


def test_api_check_above_the_token_check_fails_closed(client, org, probes):
    headers = {"Authorization": f"Bearer {create_token(org['users']['inspector'])}"}
    db.session.commit()
    with pytest.raises(RuntimeError, match="below token_required"):
        client.get("/api/misplaced", headers=headers)


def test_no_roles_is_a_mistake():
    with pytest.raises(ValueError):
        roles_required()
