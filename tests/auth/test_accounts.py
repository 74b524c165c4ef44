"""Account administration, the password policy and one's own password."""

import re

import pytest
import sqlalchemy as sa

from app.auth.models import Role, User
from app.auth.passwords import policy_errors
from app.auth.users import (
    change_password,
    create_account,
    deactivate_user,
    reactivate_user,
    reset_password,
    update_account,
)
from app.core.errors import Forbidden, ValidationFailed
from app.core.trail import Event, events_of, verify_chains
from app.extensions import db
from tests.conftest import login

GOOD = "Chengchuan-2026!"


def account(org, **overrides) -> dict:
    data = {
        "username": "qianqi",
        "name": "钱七",
        "unit_id": str(org["units"]["CC-RSJ"].id),
        "roles": ["handler"],
        "email": "",
        "phone": "",
        "backup_user_id": "",
        "password": GOOD,
        "password_confirm": GOOD,
    }
    data.update(overrides)
    return data


def _user(username: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.username == username))


def _actions(user: User) -> list[str]:
    return [e.action for e in db.session.scalars(events_of("user", user.id))]


@pytest.mark.parametrize(
    "password",
    [
        "12345678",
        "1234567890123",
        "short1!",
        "password123",
        "aaaaaaaaaaaa",
        "qianqi-2026-x",
        "abcdefghij",
        "demo1234",
    ],
)
def test_the_policy_refuses_weak_passwords(app, password):
    assert policy_errors(password, "qianqi")


def test_the_policy_accepts_a_decent_password(app):
    assert policy_errors(GOOD, "qianqi") == []
    assert policy_errors("长城-长江-黄河-2026", "li") == []


def test_the_demo_password_still_works_in_dev_and_test(client, org):
    login(client, "operator", "demo1234")


def test_admin_creates_an_account_that_signs_in(client, org):
    admin = org["users"]["admin"]
    user = create_account(account(org), admin)
    db.session.commit()
    assert user.roles == {Role.HANDLER} and user.unit.code == "CC-RSJ"
    assert _actions(user) == ["user_created"]
    login(client, "qianqi", GOOD)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"username": ""}, "username"),
        ({"username": "operator"}, "username"),
        ({"username": "有空格 的名字"}, "username"),
        ({"username": "x" * 65}, "username"),
        ({"name": ""}, "name"),
        ({"name": "名" * 81}, "name"),
        ({"roles": []}, "roles"),
        ({"roles": ["emperor"]}, "roles"),
        ({"roles": ["admin", "operator"]}, "roles"),
        ({"roles": "handler"}, None),  # a single value is read as one role: accepted
        ({"unit_id": ""}, "unit_id"),  # a handler needs a unit
        ({"unit_id": "999999"}, "unit_id"),
        ({"unit_id": "abc"}, "unit_id"),
        ({"unit_id": str(2**40)}, "unit_id"),
        ({"email": "not-an-address"}, "email"),
        ({"phone": "call me"}, "phone"),
        ({"password": "12345678", "password_confirm": "12345678"}, "password"),
        ({"password": GOOD, "password_confirm": GOOD + "x"}, "password_confirm"),
        ({"backup_user_id": "999999"}, "backup_user_id"),
        ({"name": "钱\x00七"}, "name"),
    ],
)
def test_bad_account_input_is_refused_and_nothing_is_stored(app, org, overrides, field):
    data = account(org, **overrides)
    if field is None:
        create_account(data, org["users"]["admin"])
        return
    with pytest.raises(ValidationFailed) as refused:
        create_account(data, org["users"]["admin"])
    assert field in refused.value.fields
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count(User.id))) == len(org["users"])


def test_a_backup_must_be_an_active_colleague_of_the_same_unit(app, org):
    admin = org["users"]["admin"]
    other_unit = org["users"]["handler2"]
    with pytest.raises(ValidationFailed) as refused:
        create_account(account(org, backup_user_id=str(other_unit.id)), admin)
    assert "backup_user_id" in refused.value.fields
    colleague = org["users"]["handler"]
    user = create_account(account(org, backup_user_id=str(colleague.id)), admin)
    assert user.backup_user is colleague


def test_admin_edits_roles_unit_and_backup_with_an_audit_entry(app, org):
    admin, handler = org["users"]["admin"], org["users"]["handler"]
    lead = org["users"]["unit_lead"]
    data = account(org, name="赵承办", roles=["handler", "unit_lead"])
    data["backup_user_id"] = str(lead.id)
    update_account(handler, data, admin)
    db.session.commit()
    assert handler.roles == {Role.HANDLER, Role.UNIT_LEAD} and handler.backup_user is lead
    event = db.session.scalars(events_of("user", handler.id)).all()[-1]
    assert event.action == "user_updated" and event.actor_id == admin.id
    assert set(event.data["changed"]) == {"roles", "backup_user_id"}
    assert "password" not in str(event.data)


def test_an_admin_cannot_lock_themselves_out(app, org):
    admin = org["users"]["admin"]
    with pytest.raises(Forbidden):
        deactivate_user(admin, admin)
    for roles in (["operator"], ["admin", "inspector"]):
        data = account(org, name=admin.name, roles=roles, unit_id=str(admin.unit_id))
        with pytest.raises(ValidationFailed) as refused:
            update_account(admin, data, admin)
        assert "roles" in refused.value.fields
    data = account(org, name="郑新名", roles=["admin"], unit_id=str(admin.unit_id))
    update_account(admin, data, admin)
    assert admin.name == "郑新名"


def test_deactivation_releases_backups_and_reactivation_restores_login(client, org):
    admin, handler, lead = (org["users"][n] for n in ("admin", "handler", "unit_lead"))
    lead.backup_user_id = handler.id
    db.session.commit()
    deactivate_user(handler, admin)
    db.session.commit()
    assert lead.backup_user_id is None and not handler.active
    r = client.post("/login", data={"username": "handler", "password": "demo1234"})
    assert r.status_code == 401 and "用户名或密码错误" in r.get_data(as_text=True)
    reactivate_user(handler, admin)
    db.session.commit()
    login(client, "handler")
    assert _actions(handler) == ["user_deactivated", "user_reactivated"]
    assert verify_chains().broken == []


def test_reset_lifts_a_lock_and_sets_a_policy_password(client, org):
    for _ in range(5):
        client.post("/login", data={"username": "handler", "password": "wrong-pass"})
    handler = org["users"]["handler"]
    with pytest.raises(ValidationFailed):
        reset_password(handler, {"password": "handler123", "password_confirm": "handler123"}, None)
    db.session.rollback()
    reset_password(handler, {"password": GOOD, "password_confirm": GOOD}, org["users"]["admin"])
    db.session.commit()
    login(client, "handler", GOOD)


def test_change_password_needs_the_current_one_and_the_policy(app, org):
    user = org["users"]["handler"]
    cases = [
        ({"current_password": "", "password": GOOD, "password_confirm": GOOD}, "current_password"),
        (
            {"current_password": "wrong-one", "password": GOOD, "password_confirm": GOOD},
            "current_password",
        ),
        ({"current_password": "demo1234", "password": "1234567890"}, "password"),
        (
            {"current_password": "demo1234", "password": GOOD, "password_confirm": "other"},
            "password_confirm",
        ),
    ]
    for data, field in cases:
        with pytest.raises(ValidationFailed) as refused:
            change_password(user, data, "10.0.0.1")
        assert field in refused.value.fields, data
        db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count(Event.id))) == 0
    before = user.session_token
    change_password(
        user, {"current_password": "demo1234", "password": GOOD, "password_confirm": GOOD}
    )
    db.session.commit()
    assert user.session_token != before and _actions(user) == ["password_changed"]


def test_wrong_current_passwords_count_like_failed_logins(app, org):
    user = org["users"]["handler"]
    for _ in range(5):
        with pytest.raises(ValidationFailed):
            change_password(user, {"current_password": "wrong"}, "10.0.0.1")
        db.session.rollback()
    with pytest.raises(ValidationFailed) as refused:
        change_password(user, {"current_password": "demo1234"}, "10.0.0.1")
    assert "登录失败次数过多" in refused.value.fields["current_password"]


# The pages ---------------------------------------------------------------------------


ADMIN_PAGES = [
    ("get", "/admin/users"),
    ("get", "/admin/users/new"),
    ("post", "/admin/users/new"),
    ("get", "/admin/users/{uid}"),
    ("post", "/admin/users/{uid}"),
    ("get", "/admin/users/{uid}/deactivate"),
    ("post", "/admin/users/{uid}/deactivate"),
    ("post", "/admin/users/{uid}/reactivate"),
    ("get", "/admin/users/{uid}/password"),
    ("post", "/admin/users/{uid}/password"),
    ("get", "/admin/tokens"),
    ("get", "/admin/tokens/new"),
    ("post", "/admin/tokens/new"),
]


@pytest.mark.parametrize("username", ["operator", "handler", "center_lead", "leader"])
def test_only_admins_manage_accounts(client, org, username):
    uid = org["users"]["handler2"].id
    login(client, username)
    for method, path in ADMIN_PAGES:
        r = getattr(client, method)(path.format(uid=uid), data={"name": "x"})
        assert r.status_code == 403, (method, path)
    db.session.expire_all()
    assert org["users"]["handler2"].active and org["users"]["handler2"].name == "孙承办"


def test_anonymous_visitors_are_sent_to_login(client, org):
    for method, path in [*ADMIN_PAGES, ("get", "/account/password")]:
        r = getattr(client, method)(path.format(uid=1))
        assert r.status_code == 302 and "/login" in r.headers["Location"], path


def test_the_users_list_searches_and_filters(client, org):
    login(client, "admin")
    html = client.get("/admin/users?q=承办").get_data(as_text=True)
    assert 'data-username="handler"' in html and 'data-username="operator"' not in html
    html = client.get("/admin/users?role=unit_lead").get_data(as_text=True)
    assert 'data-username="unit_lead"' in html and 'data-username="handler"' not in html
    rsj = org["units"]["CC-RSJ"].id
    html = client.get(f"/admin/users?unit_id={rsj}&state=active").get_data(as_text=True)
    assert 'data-username="handler"' in html and 'data-username="handler2"' not in html
    for query in ("q=%25", "role=x", "unit_id=abc", f"unit_id={2**63}", "page=-1", "q=\x00"):
        assert client.get(f"/admin/users?{query}").status_code == 200, query


def test_the_create_form_keeps_what_was_typed_beside_the_errors(client, org):
    login(client, "admin")
    data = account(org, password="12345678", password_confirm="12345678", email="nope")
    r = client.post("/admin/users/new", data=data)
    html = r.get_data(as_text=True)
    assert r.status_code == 422
    assert 'value="qianqi"' in html and 'value="钱七"' in html and 'value="nope"' in html
    assert "不能全是数字" in html and "电子邮件" in html
    assert re.search(
        r'<input checked id="roles-\d" name="roles" type="checkbox" value="handler">', html
    )
    assert _user("qianqi") is None
    r = client.post("/admin/users/new", data=account(org))
    assert r.status_code == 303 and _user("qianqi") is not None


def test_admin_pages_edit_deactivate_after_asking_and_reset(client, org):
    login(client, "admin")
    uid = org["users"]["handler"].id
    page = client.get(f"/admin/users/{uid}").get_data(as_text=True)
    assert "赵承办" in page and "停用" in page
    ask = client.get(f"/admin/users/{uid}/deactivate")
    assert ask.status_code == 200 and "confirm-yes" in ask.get_data(as_text=True)
    db.session.expire_all()
    assert org["users"]["handler"].active  # asking changes nothing
    assert client.post(f"/admin/users/{uid}/deactivate").status_code == 303
    db.session.expire_all()
    assert not org["users"]["handler"].active
    r = client.post(f"/admin/users/{uid}/password", data={"password": "x", "password_confirm": "x"})
    assert r.status_code == 422 and "至少" in r.get_data(as_text=True)
    r = client.post(
        f"/admin/users/{uid}/password", data={"password": GOOD, "password_confirm": GOOD}
    )
    assert r.status_code == 303
    history = client.get(f"/admin/users/{uid}").get_data(as_text=True)
    assert "已停用" in history and "管理员重置密码" in history
    r = client.post(f"/admin/users/{uid}", data=account(org, roles=["nope"], name="新名字"))
    assert r.status_code == 422 and 'value="新名字"' in r.get_data(as_text=True)
    db.session.expire_all()
    assert org["users"]["handler"].name == "赵承办"


@pytest.mark.parametrize("path", ["/admin/users/999999", "/admin/users/99999999999999999999"])
def test_unknown_users_are_404(client, org, path):
    login(client, "admin")
    assert client.get(path).status_code == 404
    assert client.post(path + "/deactivate").status_code == 404


def test_own_password_page_keeps_errors_beside_fields(client, org):
    login(client, "handler")
    r = client.post(
        "/account/password",
        data={"current_password": "wrong", "password": GOOD, "password_confirm": GOOD},
    )
    html = r.get_data(as_text=True)
    assert r.status_code == 422 and "当前密码不正确" in html
    assert "至少 10 个字符" in client.get("/account/password").get_data(as_text=True)


ODD_VALUES = ["", "\x00", "x" * 5000, "１２", "-1", str(2**70), "<script>", "😀" * 50, "a\r\nb"]


def test_no_odd_value_makes_an_account_page_fail(client, org):
    login(client, "admin")
    uid = org["users"]["handler2"].id
    forms = {
        "/admin/users/new": [*account(org)],
        f"/admin/users/{uid}": [*account(org)],
        f"/admin/users/{uid}/password": ["password", "password_confirm"],
        "/admin/tokens/new": ["username", "name", "days"],
    }
    for path, fields in forms.items():
        for value in ODD_VALUES:
            r = client.post(path, data={f: value for f in fields})
            assert r.status_code < 500, (path, value)
            assert (
                client.get(f"/admin/users?q={value}&role={value}&state={value}").status_code == 200
            )
            assert client.get(f"/admin/tokens?user={value}&state={value}").status_code == 200
    assert db.session.scalar(sa.select(sa.func.count(User.id))) == len(org["users"])
    client.post("/logout")
    login(client, "handler")
    for value in ODD_VALUES:
        data = {"current_password": value, "password": value, "password_confirm": value}
        assert client.post("/account/password", data=data).status_code == 422
