"""The identity access log (DESIGN §8): every view of a complainant in full is one row,
masked views and lists none; inspectors and the center lead read it per case."""

import pytest
import sqlalchemy as sa

from app.attachments.storage import store_attachment
from app.auth.services import create_token
from app.core.access_log import IdentityAccess, log_identity_access
from app.extensions import db
from tests.conftest import login
from tests.factories import create_case, create_category, create_unit

SCAN = b"\xff\xd8\xff\xe0" + b"\x00" * 200


def entries(case_id=None) -> list[IdentityAccess]:
    """Return the log rows (of one case, if given), oldest first."""
    db.session.expire_all()
    stmt = sa.select(IdentityAccess).order_by(IdentityAccess.id)
    if case_id is not None:
        stmt = stmt.where(
            IdentityAccess.subject_type == "case", IdentityAccess.subject_id == case_id
        )
    return list(db.session.scalars(stmt))


def bearer(user) -> dict:
    token = create_token(user)
    db.session.commit()
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def inserts():
    """Count the INSERT statements sent to the database while the test runs."""
    sent = []

    def count(conn, cursor, statement, *args):
        if statement.lstrip().upper().startswith("INSERT"):
            sent.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", count)
    yield sent
    sa.event.remove(db.engine, "before_cursor_execute", count)


def test_operator_opening_the_case_page_is_one_web_row(client, org, make_case, inserts):
    case = make_case()
    login(client, "operator")
    inserts.clear()
    page = client.get(f"/cases/{case.id}")
    assert page.status_code == 200 and "13812345678" in page.get_data(as_text=True)
    assert len(inserts) == 1, inserts
    [row] = entries()
    assert (row.subject_type, row.subject_id, row.channel) == ("case", case.id, "web")
    assert row.user_id == org["users"]["operator"].id and row.at is not None


def test_each_opening_is_a_row_of_its_own(client, make_case):
    case = make_case()
    login(client, "operator")
    client.get(f"/cases/{case.id}")
    client.get(f"/cases/{case.id}")
    assert [r.channel for r in entries(case.id)] == ["web", "web"]


def test_handler_sees_the_complainant_masked_and_writes_nothing(client, make_case):
    case = make_case("dispatch")
    login(client, "handler")
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "138****5678" in page and "13812345678" not in page
    assert entries() == []


def test_inspector_opening_the_case_page_is_logged(client, org, make_case):
    case = make_case("dispatch")
    login(client, "inspector")
    assert client.get(f"/cases/{case.id}").status_code == 200
    assert [r.user_id for r in entries(case.id)] == [org["users"]["inspector"].id]


def test_api_case_detail_for_an_operator_is_one_api_row(client, org, make_case):
    case = make_case()
    r = client.get(f"/api/v1/cases/{case.id}", headers=bearer(org["users"]["operator"]))
    assert r.status_code == 200 and r.json["complainant"]["phone"] == "13812345678"
    [row] = entries(case.id)
    assert row.channel == "api" and row.user_id == org["users"]["operator"].id


def test_api_case_detail_masked_for_a_handler_writes_nothing(client, org, make_case):
    case = make_case("dispatch")
    r = client.get(f"/api/v1/cases/{case.id}", headers=bearer(org["users"]["handler"]))
    assert r.status_code == 200 and r.json["complainant"]["masked"] is True
    assert entries() == []


def test_api_action_answer_carries_the_detail_and_is_logged(client, org, make_case):
    case = make_case()
    r = client.post(
        f"/api/v1/cases/{case.id}/actions/dispatch",
        json={"unit_code": "CC-RSJ"},
        headers=bearer(org["users"]["operator"]),
    )
    assert r.status_code == 200 and r.json["complainant"]["phone"] == "13812345678"
    assert [row.channel for row in entries(case.id)] == ["api"]


def test_attachment_download_is_one_attachment_row(client, org, make_case):
    case = make_case()
    attachment = store_attachment(SCAN, "身份证.jpg", "image/jpeg", case=case)
    db.session.commit()
    login(client, "operator")
    with client.get(f"/attachments/{attachment.id}") as download:
        assert download.status_code == 200 and download.data == SCAN
    [row] = entries(case.id)
    assert (row.channel, row.what, row.user_id) == (
        "attachment",
        "身份证.jpg",
        org["users"]["operator"].id,
    )


def test_lists_write_nothing(client, org):
    unit, category = create_unit(), create_category()
    for _ in range(50):
        create_case("dispatched", unit=unit, category=category)
    db.session.commit()
    login(client, "operator")
    page = client.get("/cases?state=all")
    assert page.status_code == 200 and page.get_data(as_text=True).count("/cases/") >= 25
    r = client.get("/api/v1/cases?per_page=50", headers=bearer(org["users"]["operator"]))
    assert r.status_code == 200 and len(r.json["items"]) == 50
    assert entries() == []


@pytest.mark.parametrize("username", ["inspector", "center_lead"])
def test_log_page_lists_who_saw_the_complainant(client, org, make_case, username):
    case = make_case()
    login(client, "operator")
    client.get(f"/cases/{case.id}")
    client.post("/logout")
    login(client, username)
    show = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert f"/cases/{case.id}/access-log" in show
    r = client.get(f"/cases/{case.id}/access-log")
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    operator = org["users"]["operator"]
    assert operator.name in html and operator.unit.name in html
    assert "投诉件页面" in html  # the web channel's label
    assert html.count('data-channel="web"') == 2  # the operator's view, then the reader's own


def test_log_page_is_newest_first_and_paginated(app, client, org, make_case, at):
    case = make_case()
    operator, inspector = org["users"]["operator"], org["users"]["inspector"]
    at(2026, 3, 2, 9, 0)
    log_identity_access(operator, "case", case.id, "web")
    at(2026, 3, 3, 9, 0)
    log_identity_access(inspector, "case", case.id, "api")
    at(2026, 3, 4, 9, 0)
    log_identity_access(operator, "case", case.id, "attachment", "p1.jpg")
    at()
    db.session.commit()
    app.config["ACCESS_LOG_PAGE_SIZE"] = 2
    login(client, "center_lead")
    first = client.get(f"/cases/{case.id}/access-log").get_data(as_text=True)
    assert first.index("2026-03-04 09:00") < first.index("2026-03-03 09:00")
    assert "2026-03-02" not in first and "p1.jpg" in first and "下载附件" in first
    second = client.get(f"/cases/{case.id}/access-log?page=2").get_data(as_text=True)
    assert "2026-03-02 09:00" in second and "2026-03-04" not in second


@pytest.mark.parametrize("username", ["operator", "handler", "unit_lead", "leader", "admin"])
def test_log_page_is_refused_to_other_roles(client, make_case, username):
    case = make_case("dispatch")
    login(client, username)
    assert client.get(f"/cases/{case.id}/access-log").status_code == 403
    if username != "admin":
        show = client.get(f"/cases/{case.id}").get_data(as_text=True)
        assert "access-log" not in show


def test_log_page_of_an_unknown_case_is_404(client, org):
    login(client, "inspector")
    assert client.get("/cases/999999/access-log").status_code == 404


def test_log_page_sends_an_anonymous_visitor_to_login(client, make_case):
    case = make_case()
    r = client.get(f"/cases/{case.id}/access-log")
    assert r.status_code == 302
    assert r.headers["Location"].startswith("/login")
    assert entries() == []


def test_api_log_for_the_center_lead_newest_first(client, org, make_case):
    case = make_case()
    client.get(f"/api/v1/cases/{case.id}", headers=bearer(org["users"]["operator"]))
    login(client, "inspector")
    client.get(f"/cases/{case.id}")
    r = client.get(
        f"/api/v1/cases/{case.id}/access-log", headers=bearer(org["users"]["center_lead"])
    )
    assert r.status_code == 200
    assert [(e["user"], e["channel"]) for e in r.json["items"]] == [
        ("inspector", "web"),
        ("operator", "api"),
    ]
    assert r.json["items"][0]["unit_code"] == org["users"]["inspector"].unit.code
    assert (r.json["page"], r.json["total"], r.json["pages"]) == (1, 2, 1)


@pytest.mark.parametrize("username", ["operator", "handler", "admin"])
def test_api_log_is_a_json_403_for_other_roles(client, org, make_case, username):
    case = make_case("dispatch")
    r = client.get(f"/api/v1/cases/{case.id}/access-log", headers=bearer(org["users"][username]))
    assert r.status_code == 403
    assert r.json["error"] == "forbidden" and r.json["message"]


def test_api_log_checks_paging_and_the_case(client, org, make_case):
    case = make_case()
    headers = bearer(org["users"]["inspector"])
    r = client.get(f"/api/v1/cases/{case.id}/access-log?per_page=0", headers=headers)
    assert r.status_code == 422 and set(r.json["fields"]) == {"per_page"}
    r = client.get("/api/v1/cases/999999/access-log", headers=headers)
    assert r.status_code == 404 and r.json["error"] == "not_found"
    assert client.get(f"/api/v1/cases/{case.id}/access-log").status_code == 401


def test_openapi_documents_the_access_log(client):
    document = client.get("/api/v1/openapi.json").json
    operation = document["paths"]["/cases/{case_id}/access-log"]["get"]
    assert {"200", "401", "403", "404"} <= set(operation["responses"])
    channels = document["components"]["schemas"]["AccessLogEntry"]["properties"]["channel"]
    assert channels["enum"] == ["web", "api", "attachment", "search", "api_search"]
