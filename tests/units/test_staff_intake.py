"""Intake and screening name the people complained about from their unit's list."""

import pytest
import sqlalchemy as sa

from app.auth.services import create_token
from app.cases.models import Case, CaseStaff
from app.extensions import db
from app.units.models import Staff
from tests.conftest import complaint, login
from tests.htmlpage import parse

HOTLINE = {
    "phone": "13812345678",
    "name": "张三",
    "respondent_unit_code": "CC-RSJ",
    "subject_kind": "staff",
    "respondent_staff": "窗口那位姓王的",
    "category_code": "attitude",
    "urgency": "normal",
    "title": "窗口人员态度恶劣",
    "content": "办事时被呵斥。",
}


def cases() -> int:
    return db.session.scalar(sa.select(sa.func.count(Case.id)))


def entries() -> int:
    return db.session.scalar(sa.select(sa.func.count(Staff.id)))


def the_case() -> Case:
    return db.session.scalar(sa.select(Case).order_by(Case.id.desc()))


def test_the_hotline_form_offers_each_units_staff_under_it(client, staff):
    login(client, "operator")
    root = parse(client.get("/intake/hotline").get_data(as_text=True))
    picker = root.find("select", name="respondent_staff_ids")
    assert "multiple" in picker.attrs
    assert picker.get("data-unit-select") == "respondent_unit_code"
    options = {o.get("value"): o.get("data-unit") for o in picker.find_all("option")}
    assert options[str(staff["王某某"].id)] == "CC-RSJ"
    assert options[str(staff["张某某"].id)] == "CC-ZWFW"
    assert root.find("input", name="new_staff_name") is not None
    assert root.find("label", for_="respondent_staff_ids") is not None


def test_an_operator_picks_the_person_on_a_call(client, staff):
    login(client, "operator")
    data = {**HOTLINE, "respondent_staff_ids": [str(staff["王某某"].id), str(staff["刘某某"].id)]}
    assert client.post("/intake/hotline", data=data).status_code == 303
    case = the_case()
    assert case.staff == [staff["王某某"], staff["刘某某"]]
    assert case.respondent_staff == "窗口那位姓王的"  # the words as said, kept
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    root = parse(page)
    shown = root.find("dd", id="case-staff").text
    assert "王某某（就业和失业保险股股长）" in shown and "刘某某" in shown
    assert "窗口那位姓王的" in page
    assert "指明：王某某（就业和失业保险股股长）、刘某某" in page  # on the timeline


def test_a_name_not_on_the_list_becomes_a_pending_entry(client, staff):
    login(client, "operator")
    data = {**HOTLINE, "new_staff_name": "钱某", "new_staff_post": "导办员"}
    assert client.post("/intake/hotline", data=data).status_code == 303
    entry = the_case().staff[0]
    assert (entry.name, entry.post, entry.confirmed, entry.unit.code) == (
        "钱某",
        "导办员",
        False,
        "CC-RSJ",
    )
    assert "待确认" in client.get(f"/cases/{the_case().id}").get_data(as_text=True)


@pytest.mark.parametrize(
    "extra, field",
    [
        ({"respondent_staff_ids": "OTHER_UNIT"}, "respondent_staff_ids"),
        ({"respondent_staff_ids": "abc"}, "respondent_staff_ids"),
        ({"respondent_staff_ids": str(2**31)}, "respondent_staff_ids"),
        ({"respondent_staff_ids": "9" * 30}, "respondent_staff_ids"),
        ({"respondent_staff_ids": "999999"}, "respondent_staff_ids"),
        ({"new_staff_name": "x" * 41}, "new_staff_name"),
        ({"new_staff_name": "钱\x00某"}, "new_staff_name"),
        ({"new_staff_name": "", "new_staff_post": "科员"}, "new_staff_name"),
        ({"new_staff_name": "钱某", "new_staff_post": "y" * 61}, "new_staff_post"),
    ],
)
def test_a_bad_pick_is_shown_beside_its_field_and_nothing_is_stored(client, staff, extra, field):
    login(client, "operator")
    if extra.get("respondent_staff_ids") == "OTHER_UNIT":
        extra = {"respondent_staff_ids": str(staff["张某某"].id)}  # 政务服务中心, not 人社局
    before = entries()
    r = client.post("/intake/hotline", data={**HOTLINE, **extra})
    assert r.status_code == 422
    root = parse(r.get_data(as_text=True))
    assert root.find("div", id=f"{field}-error") is not None, field
    assert root.find("input", name="title").get("value") == HOTLINE["title"]  # kept
    assert cases() == 0 and entries() == before


def test_the_other_units_person_is_named_in_the_message(client, staff):
    login(client, "operator")
    data = {**HOTLINE, "respondent_staff_ids": str(staff["张某某"].id)}
    html = client.post("/intake/hotline", data=data).get_data(as_text=True)
    assert "张某某（三号窗口工作人员）不在澄川县人力资源和社会保障局的名单中。" in html


def test_a_letter_names_its_person_too(client, staff):
    login(client, "operator")
    data = {
        **HOTLINE,
        "letter_box": "县信访接待室投诉箱",
        "letter_collected_on": "2026-11-20",
        "address": "城关镇东街12号",
        "respondent_unit_code": "CC-CGZ",
        "respondent_staff_ids": str(staff["周某某"].id),
        "new_staff_name": "冯某",
    }
    r = client.post("/intake/letter", data=data, content_type="multipart/form-data")
    assert r.status_code == 303, r.get_data(as_text=True)[:3000]
    assert [s.name for s in the_case().staff] == ["周某某", "冯某"]
    data["respondent_staff_ids"] = str(staff["王某某"].id)  # 人社局's, not the town's
    r = client.post("/intake/letter", data=data, content_type="multipart/form-data")
    assert r.status_code == 422 and cases() == 1


def test_the_public_form_names_nobody_as_a_record(client, staff):
    r = client.post(
        "/public/complaints/new",
        data={
            "name": "市民",
            "phone": "13812345678",
            "respondent_unit_code": "CC-RSJ",
            "category_code": "attitude",
            "title": "窗口态度差",
            "content": "说话难听。",
            "respondent_staff_ids": str(staff["王某某"].id),
            "new_staff_name": "钱某",
        },
    )
    assert r.status_code in (200, 302, 303)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CaseStaff)) == 0
    assert entries() == len(staff)


def test_classify_picks_and_changes_the_staff(client, staff, make_case):
    case = make_case()
    login(client, "operator")
    root = parse(client.get(f"/cases/{case.id}").get_data(as_text=True))
    picker = root.find("select", id="classify-respondent_staff_ids")
    assert picker.get("data-unit-select") == "classify-respondent_unit_code"
    base = {
        "version": case.version,
        "respondent_unit_code": "CC-RSJ",
        "category_code": "attitude",
        "subject_kind": "staff",
        "urgency": "normal",
        "respondent_staff": "",
    }
    data = {**base, "respondent_staff_ids": str(staff["王某某"].id), "new_staff_name": "钱某"}
    assert client.post(f"/cases/{case.id}/classify", data=data).status_code == 303
    db.session.expire_all()
    assert [s.name for s in case.staff] == ["王某某", "钱某"]
    # The form shows who is named; sent with another unit's person, it is refused.
    root = parse(client.get(f"/cases/{case.id}").get_data(as_text=True))
    chosen = root.find("select", id="classify-respondent_staff_ids").find_all("option")
    assert [o.get("value") for o in chosen if "selected" in o.attrs] == [str(staff["王某某"].id)]
    data = {**base, "version": case.version, "respondent_staff_ids": str(staff["张某某"].id)}
    r = client.post(f"/cases/{case.id}/classify", data=data)
    assert r.status_code == 422
    assert parse(r.get_data(as_text=True)).find("div", id="classify-respondent_staff_ids-error")
    r = client.post(
        f"/cases/{case.id}/classify",
        data={**base, "version": case.version, "new_staff_post": "科员"},
    )
    assert r.status_code == 422
    assert parse(r.get_data(as_text=True)).find("div", id="classify-new_staff_name-error")
    db.session.expire_all()
    assert [s.name for s in case.staff] == ["王某某", "钱某"]
    # Moved to another unit with nobody picked: nobody is named.
    data = {**base, "version": case.version, "respondent_unit_code": "CC-ZWFW"}
    assert client.post(f"/cases/{case.id}/classify", data=data).status_code == 303
    db.session.expire_all()
    assert case.staff == []


@pytest.fixture
def api(client, org, staff):
    token = create_token(org["users"]["operator"])
    db.session.commit()

    def call(method, path, **kw):
        return client.open(
            f"/api/v1{path}", method=method, headers={"Authorization": f"Bearer {token}"}, **kw
        )

    return call


def test_the_api_names_staff_on_creation_and_shows_them(api, staff):
    body = complaint(
        channel="api",
        respondent_staff_ids=[staff["王某某"].id],
        respondent_staff_new=[{"name": "钱某", "post": None}],
    )
    r = api("POST", "/cases", json=body)
    assert r.status_code == 201, r.json
    detail = api("GET", f"/cases/{r.json['id']}").json
    assert detail["staff"] == [
        {
            "id": staff["王某某"].id,
            "name": "王某某",
            "post": "就业和失业保险股股长",
            "confirmed": True,
        },
        {"id": detail["staff"][1]["id"], "name": "钱某", "post": "", "confirmed": False},
    ]
    assert "name_staff" in [e["action"] for e in detail["events"]]


@pytest.mark.parametrize(
    "extra",
    [
        {"respondent_staff_ids": ["1"]},
        {"respondent_staff_ids": [True]},
        {"respondent_staff_ids": 5},
        {"respondent_staff_ids": [2**31]},
        {"respondent_staff_ids": [0]},
        {"respondent_staff_ids": list(range(1, 22))},
        {"respondent_staff_ids": "OTHER_UNIT"},
        {"respondent_staff_new": [{"name": ""}]},
        {"respondent_staff_new": [{"name": "x" * 41}]},
        {"respondent_staff_new": [{"name": "钱\u0000"}]},
        {"respondent_staff_new": [{"name": "钱", "unit": "CC-ZJJ"}]},
        {"respondent_staff_new": ["钱某"]},
        {"respondent_staff_new": {"name": "钱某"}},
        {"respondent_staff_new": [{"name": "钱"}] * 11},
    ],
)
def test_the_api_refuses_bad_picks_and_stores_nothing(api, staff, extra):
    if extra.get("respondent_staff_ids") == "OTHER_UNIT":
        extra = {"respondent_staff_ids": [staff["张某某"].id]}
    r = api("POST", "/cases", json=complaint(channel="api", **extra))
    assert r.status_code == 422, r.json
    assert any(k.startswith(tuple(extra)) for k in r.json["fields"]), r.json
    assert cases() == 0 and entries() == len(staff)


def test_the_api_classify_keeps_or_replaces_the_staff(api, staff, make_case):
    case = make_case()
    path = f"/cases/{case.id}/actions/classify"
    body = {"respondent_unit_code": "CC-RSJ", "category_code": "attitude"}
    r = api("POST", path, json={**body, "respondent_staff_ids": [staff["王某某"].id]})
    assert r.status_code == 200, r.json
    assert [s["name"] for s in r.json["staff"]] == ["王某某"]
    r = api("POST", path, json=body)  # left out: kept
    assert [s["name"] for s in r.json["staff"]] == ["王某某"]
    r = api("POST", path, json={**body, "respondent_staff_ids": [staff["张某某"].id]})
    assert r.status_code == 422 and "respondent_staff_ids" in r.json["fields"]
    r = api("POST", path, json={**body, "respondent_staff_new": [{"name": "钱某", "x": 1}]})
    assert r.status_code == 422
    r = api("POST", path, json={**body, "respondent_staff_ids": []})  # given empty: cleared
    assert r.json["staff"] == []
