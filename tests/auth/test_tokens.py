"""API tokens: a lifetime, a list without secrets, revocation; page and command line."""

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.auth.models import ApiToken
from app.auth.services import create_token, new_token
from app.auth.tokens import issue_token, revoke_token, token_state
from app.core.errors import ValidationFailed
from app.core.trail import events_of
from app.core.types import utcnow
from app.extensions import db
from tests.conftest import login


def _me(client, token: str) -> int:
    return client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code


def _count() -> int:
    return db.session.scalar(sa.select(sa.func.count(ApiToken.id)))


def test_a_token_expires_after_its_lifetime(client, org, app):
    row, secret = new_token(org["users"]["operator"], "sync")
    assert row.expires_at - utcnow() > timedelta(days=app.config["API_TOKEN_DAYS"] - 1)
    db.session.commit()
    assert _me(client, secret) == 200
    row.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert _me(client, secret) == 401 and token_state(row) == "expired"


def test_a_revoked_token_is_401_and_the_revocation_is_audited(client, org):
    admin = org["users"]["admin"]
    row, secret = issue_token({"username": "operator", "name": "sync", "days": "7"}, admin)
    db.session.commit()
    assert _me(client, secret) == 200
    assert revoke_token(row, admin) and not revoke_token(row, admin)
    db.session.commit()
    assert _me(client, secret) == 401
    actions = [e.action for e in db.session.scalars(events_of("user", row.user_id))]
    assert actions == ["token_created", "token_revoked"]
    assert secret not in str([e.data for e in db.session.scalars(events_of("user", row.user_id))])


def test_a_deactivated_users_tokens_are_revoked_for_good(client, org):
    from app.auth.users import deactivate_user, reactivate_user

    secret = create_token(org["users"]["operator"])
    other = create_token(org["users"]["center_lead"])
    db.session.commit()
    deactivate_user(org["users"]["operator"], org["users"]["admin"])
    db.session.commit()
    assert _me(client, secret) == 401 and _me(client, other) == 200
    reactivate_user(org["users"]["operator"], org["users"]["admin"])
    db.session.commit()
    assert _me(client, secret) == 401


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"username": "", "name": "x", "days": "30"}, "username"),
        ({"username": "nobody", "name": "x", "days": "30"}, "username"),
        ({"username": "operator", "name": "x" * 81, "days": "30"}, "name"),
        ({"username": "operator", "name": "x", "days": "0"}, "days"),
        ({"username": "operator", "name": "x", "days": "366"}, "days"),
        ({"username": "operator", "name": "x", "days": "abc"}, "days"),
        ({"username": "operator", "name": "x", "days": str(2**70)}, "days"),
        ({"username": "operator", "name": "a\x00b", "days": "3"}, "name"),
    ],
)
def test_bad_token_input_is_refused_and_nothing_stored(app, org, data, field):
    with pytest.raises(ValidationFailed) as refused:
        issue_token(data, org["users"]["admin"])
    assert field in refused.value.fields
    db.session.rollback()
    assert _count() == 0


def test_the_pages_show_the_secret_once_and_never_again(client, org):
    login(client, "admin")
    r = client.post(
        "/admin/tokens/new", data={"username": "operator", "name": "同步", "days": "30"}
    )
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and r.headers["Cache-Control"] == "no-store"
    secret = html.split('id="token-secret">')[1].split("<")[0]
    assert _me(client, secret) == 200
    row = db.session.scalar(sa.select(ApiToken))
    assert row.created_by_id == org["users"]["admin"].id
    for page in ("/admin/tokens", f"/admin/users/{row.user_id}", "/admin/tokens?state=live"):
        listed = client.get(page).get_data(as_text=True)
        assert "同步" in listed and secret not in listed
    assert "同步" not in client.get("/admin/tokens?state=revoked").get_data(as_text=True)
    ask = client.get(f"/admin/tokens/{row.id}/revoke")
    asked = ask.get_data(as_text=True)
    assert ask.status_code == 200 and "使用该令牌的程序随即无法再访问本系统" in asked
    assert "401" not in asked.split('id="confirm"')[1]  # said in words, not as a status code
    assert _me(client, secret) == 200  # asking revokes nothing
    assert client.post(f"/admin/tokens/{row.id}/revoke").status_code == 303
    assert _me(client, secret) == 401


def test_the_token_form_keeps_input_and_stores_nothing_on_error(client, org):
    login(client, "admin")
    r = client.post("/admin/tokens/new", data={"username": "operator", "name": "同步", "days": "x"})
    html = r.get_data(as_text=True)
    assert r.status_code == 422 and 'value="同步"' in html and "整数" in html
    assert _count() == 0
    assert client.get("/admin/tokens/999/revoke").status_code == 404
    assert client.post(f"/admin/tokens/{2**40}/revoke").status_code == 404
    for query in ("state=nope", "user=%00", "page=abc"):
        assert client.get(f"/admin/tokens?{query}").status_code == 200


def test_a_token_form_sent_again_creates_no_second_token(client, org):
    login(client, "admin")
    page = client.get("/admin/tokens/new?user=operator").get_data(as_text=True)
    once = re.search(r'name="once" type="hidden" value="([^"]+)"', page).group(1)
    data = {"username": "operator", "name": "热线对接", "days": "30", "once": once}
    created = client.post("/admin/tokens/new", data=data)
    assert created.status_code == 200 and _count() == 1
    # A reload of the page that showed the secret posts the same form again.
    again = client.post("/admin/tokens/new", data=data, follow_redirects=True)
    assert again.request.path == "/admin/tokens" and _count() == 1
    assert "已创建" in again.get_data(as_text=True)
    # A form shown anew creates the next one.
    fresh = client.get("/admin/tokens/new").get_data(as_text=True)
    other = re.search(r'name="once" type="hidden" value="([^"]+)"', fresh).group(1)
    assert other != once
    assert client.post("/admin/tokens/new", data={**data, "once": other}).status_code == 200
    assert _count() == 2


def test_non_admins_cannot_see_or_revoke_tokens(client, org):
    row, _secret = new_token(org["users"]["operator"], "sync")
    db.session.commit()
    login(client, "operator")
    assert client.get("/admin/tokens").status_code == 403
    assert client.post(f"/admin/tokens/{row.id}/revoke").status_code == 403
    db.session.expire_all()
    assert row.revoked_at is None


def test_the_command_line_creates_lists_and_revokes(app, org):
    runner = app.test_cli_runner()
    made = runner.invoke(args=["tokens", "create", "operator", "--name", "etl", "--days", "10"])
    assert made.exit_code == 0, made.output
    secret = made.output.strip()
    row = db.session.scalar(sa.select(ApiToken))
    assert timedelta(days=9) < row.expires_at - utcnow() <= timedelta(days=10)
    listed = runner.invoke(args=["tokens", "list", "--state", "live"])
    assert "operator" in listed.output and "etl" in listed.output and secret not in listed.output
    bad = runner.invoke(args=["tokens", "create", "operator", "--days", "9999"])
    assert bad.exit_code != 0 and _count() == 1
    assert runner.invoke(args=["tokens", "create", "ghost"]).exit_code != 0
    default = runner.invoke(args=["tokens", "create", "operator"])
    assert default.exit_code == 0 and _count() == 2
    assert runner.invoke(args=["tokens", "revoke", str(row.id)]).exit_code == 0
    assert runner.invoke(args=["tokens", "revoke", str(row.id)]).exit_code != 0
    assert runner.invoke(args=["tokens", "revoke", "99999"]).exit_code != 0
    db.session.expire_all()
    assert token_state(row) == "revoked"


def test_the_command_line_manages_users_under_the_policy(app, org):
    runner = app.test_cli_runner()

    def create(password: str):
        new = ["newbie", "--name", "新人", "--role", "operator", "--unit", "CC-TSZX"]
        return runner.invoke(args=["users", "create", *new, "--password", password])

    weak = create("12345678")
    assert weak.exit_code != 0
    made = create("Chengchuan-2026!")
    assert made.exit_code == 0, made.output
    assert runner.invoke(args=["users", "deactivate", "newbie"]).exit_code == 0
    assert runner.invoke(args=["users", "reactivate", "newbie"]).exit_code == 0
    bad = runner.invoke(args=["users", "reset-password", "newbie", "--password", "newbie-2026"])
    assert bad.exit_code != 0
    good = runner.invoke(args=["users", "reset-password", "newbie", "--password", "Huangshan#88"])
    assert good.exit_code == 0, good.output
