"""Logout, a password change, a reset and a deactivation end every session and remember
cookie of the user; a cookie saved before is refused when replayed."""

import pytest

from app.extensions import db
from tests.conftest import IsolatedClient

NEW_PASSWORD = "Chengchuan-2026!"


def _client(app) -> IsolatedClient:
    app.test_client_class = IsolatedClient
    return app.test_client()


def _login(app, username="handler", password="demo1234", remember=True) -> IsolatedClient:
    c = _client(app)
    data = {"username": username, "password": password}
    if remember:
        data["remember"] = "y"
    r = c.post("/login", data=data)
    assert r.status_code == 302, r.get_data(as_text=True)[:300]
    return c


def _cookies(c) -> dict[str, str]:
    return {name: c.get_cookie(name).value for name in ("session", "remember_token")}


def _replay(app, name: str, value: str) -> int:
    """Send one saved cookie from a fresh browser; return the status of the worklist."""
    c = _client(app)
    c.set_cookie(name, value)
    return c.get("/cases").status_code


def signed_in(app, saved: dict[str, str]) -> dict[str, bool]:
    return {name: _replay(app, name, value) == 200 for name, value in saved.items()}


def test_saved_cookies_work_until_logout_and_never_after(app, org):
    c = _login(app)
    saved = _cookies(c)
    assert signed_in(app, saved) == {"session": True, "remember_token": True}
    assert c.post("/logout").status_code == 302
    assert signed_in(app, saved) == {"session": False, "remember_token": False}
    assert c.get("/cases").status_code == 302


def test_each_login_has_its_own_remember_cookie(app, org):
    first = _cookies(_login(app))["remember_token"]
    second = _cookies(_login(app))["remember_token"]
    assert first != second
    # Both devices stay signed in until one of them signs out.
    assert _replay(app, "remember_token", first) == 200
    assert _replay(app, "remember_token", second) == 200


def test_a_password_change_ends_the_other_sessions_but_not_this_one(app, org):
    here, elsewhere = _login(app), _login(app)
    saved = _cookies(elsewhere)
    r = here.post(
        "/account/password",
        data={
            "current_password": "demo1234",
            "password": NEW_PASSWORD,
            "password_confirm": NEW_PASSWORD,
        },
    )
    assert r.status_code == 303
    assert here.get("/cases").status_code == 200
    assert elsewhere.get("/cases").status_code == 302
    assert signed_in(app, saved) == {"session": False, "remember_token": False}
    _login(app, password=NEW_PASSWORD)


@pytest.mark.parametrize("action", ["deactivate", "password"])
def test_an_admin_ends_a_users_live_sessions(app, org, action):
    victim = _login(app)
    saved = _cookies(victim)
    admin = _login(app, "admin", remember=False)
    uid = org["users"]["handler"].id
    if action == "deactivate":
        r = admin.post(f"/admin/users/{uid}/deactivate")
    else:
        r = admin.post(
            f"/admin/users/{uid}/password",
            data={"password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD},
        )
    assert r.status_code == 303
    assert victim.get("/cases").status_code == 302
    assert signed_in(app, saved) == {"session": False, "remember_token": False}
    db.session.expire_all()
    assert org["users"]["handler"].active is (action != "deactivate")


def test_a_session_id_without_the_generation_is_refused(app, org):
    from app.auth.services import load_user

    user = org["users"]["handler"]
    assert load_user(str(user.id)) is None
    assert load_user(f"{user.id}.wrong.0") is None
    assert load_user(f"{user.id}.{user.session_token}.x") is user
    assert load_user("9" * 40 + ".a.b") is None
    assert load_user("") is None
