"""The account forms: whom they offer as backup, which fields they mark required, and
what they keep when the service refuses them."""

import pytest
import sqlalchemy as sa

from app.auth.models import User
from app.auth.users import create_account, deactivate_user
from app.core.errors import ValidationFailed
from app.extensions import db
from tests.auth.test_accounts import account
from tests.conftest import login
from tests.htmlpage import accessibility_problems, control_named, error_beside, parse, value_of

# Everyone of the demo who may stand in for a colleague: not the admin, not the leader.
STAND_INS = {
    "operator",
    "center_lead",
    "handler",
    "unit_lead",
    "handler2",
    "inspector",
    "jw_head",
    "jw_handler",
    "jw_lead",
}


def backup_options(html: str) -> dict:
    select = parse(html).find("select", name="backup_user_id")
    return {o.get("value"): o for o in select.find_all("option") if o.get("value")}


def offered_usernames(html: str) -> set[str]:
    return {db.session.get(User, int(v)).username for v in backup_options(html)}


def block_of(form, name: str):
    """Return the ``div.field`` that holds the control called ``name``."""
    control = control_named(form, name)
    return next(a for a in control.ancestors() if "field" in (a.get("class") or "").split())


def test_the_new_form_offers_as_backup_only_whom_the_service_takes(client, org):
    admin = org["users"]["admin"]
    gone = create_account(account(org, username="gone", name="离职者"), admin)
    deactivate_user(gone, admin)
    db.session.commit()
    login(client, "admin")
    html = client.get("/admin/users/new").get_data(as_text=True)
    assert offered_usernames(html) == STAND_INS
    assert 'data-unit-select="unit_id"' in html and "/static/backup-picker.js" in html
    for value, option in backup_options(html).items():
        person = db.session.get(User, int(value))
        assert option.get("data-unit") == str(person.unit_id)
        assert person.unit.code in option.parent.get("label")
        # Each one offered is taken for a new account of their unit.
        data = account(org, username="probe", unit_id=str(person.unit_id), backup_user_id=value)
        assert create_account(data, admin).backup_user_id == person.id
        db.session.rollback()
    # Those left out are refused, even for a new colleague of their own unit.
    for person in (admin, org["users"]["leader"], gone):
        data = account(org, unit_id=str(person.unit_id), backup_user_id=str(person.id))
        with pytest.raises(ValidationFailed) as refused:
            create_account(data, admin)
        assert "backup_user_id" in refused.value.fields, person.username
        db.session.rollback()


def test_the_edit_form_offers_the_stand_ins_of_the_users_unit(client, org):
    login(client, "admin")
    operator, handler = org["users"]["operator"], org["users"]["handler"]
    assert offered_usernames(client.get(f"/admin/users/{operator.id}").get_data(as_text=True)) == {
        "center_lead"  # of the center, whose administrator is no backup
    }
    assert offered_usernames(client.get(f"/admin/users/{handler.id}").get_data(as_text=True)) == {
        "unit_lead"
    }


FORMS = {
    # page: (its form's id, the fields it requires, the fields it does not)
    "/admin/users/new": (
        "user-form",
        {"username", "name", "roles", "password", "password_confirm"},
        {"unit_id", "email", "phone", "backup_user_id"},
    ),
    "/admin/users/{uid}": (
        "user-form",
        {"name", "roles"},
        {"unit_id", "email", "phone", "backup_user_id"},
    ),
    "/admin/users/{uid}/password": ("reset-form", {"password", "password_confirm"}, set()),
    "/admin/tokens/new": ("token-form", {"username", "name"}, {"days"}),
}


@pytest.mark.parametrize("path", sorted(FORMS))
def test_required_fields_are_marked_and_optional_ones_are_not(client, org, path):
    form_id, required, optional = FORMS[path]
    login(client, "admin")
    html = client.get(path.format(uid=org["users"]["handler"].id)).get_data(as_text=True)
    assert not accessibility_problems(html)
    form = parse(html).find("form", id=form_id)
    assert "novalidate" in form.attrs  # the app's messages, not the browser's
    for name in required:
        assert "required" in block_of(form, name).get("class").split(), name
        boxes = form.find_all("input", name=name)
        if name == "roles":  # a group of checkboxes needs one, not each
            assert not [b for b in boxes if "required" in b.attrs]
        else:
            assert "required" in boxes[0].attrs and boxes[0].get("aria-required") == "true", name
    for name in optional:
        assert "required" not in block_of(form, name).get("class").split(), name


@pytest.mark.parametrize("path", sorted(FORMS))
def test_an_empty_form_gets_at_most_one_message_per_field(client, org, path):
    form_id, required, _optional = FORMS[path]
    login(client, "admin")
    r = client.post(path.format(uid=org["users"]["handler"].id), data={})
    html = r.get_data(as_text=True)
    assert r.status_code == 422 and not accessibility_problems(html)
    form = parse(html).find("form", id=form_id)
    for name in required:
        assert len(block_of(form, name).find_all("div", class_="error")) <= 1, name
    for name in required - {"roles", "password", "password_confirm"}:
        assert error_beside(form, name) == "此项为必填项。", name


def test_a_refused_new_account_keeps_what_was_typed(client, org):
    elsewhere = org["users"]["handler2"]  # 住建局, not 人社局
    data = account(
        org,
        roles=["handler", "unit_lead"],
        email="qianqi@example.net",
        phone="13812345678",
        backup_user_id=str(elsewhere.id),
    )
    login(client, "admin")
    r = client.post("/admin/users/new", data=data)
    assert r.status_code == 422
    form = parse(r.get_data(as_text=True)).find("form", id="user-form")
    assert error_beside(form, "backup_user_id") == "请选择同一单位的在用同事。"
    for name in ("username", "name", "unit_id", "email", "phone", "backup_user_id"):
        assert value_of(form, name) == data[name], name
    checked = [n.get("value") for n in form.find_all("input", name="roles") if "checked" in n.attrs]
    assert checked == ["handler", "unit_lead"]
    assert db.session.scalar(sa.select(User).where(User.username == "qianqi")) is None


def test_ones_own_away_page_offers_the_same_stand_ins(client, org):
    login(client, "operator")
    assert offered_usernames(client.get("/account/away").get_data(as_text=True)) == {"center_lead"}
    admin = org["users"]["admin"]
    r = client.post("/account/away", data={"away_until": "", "backup_user_id": str(admin.id)})
    assert r.status_code == 422
    db.session.expire_all()
    assert org["users"]["operator"].backup_user_id is None
