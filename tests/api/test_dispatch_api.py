"""Over the API, a dispatch where nobody can sign needs ``confirm_no_signer``."""

import pytest
import sqlalchemy as sa

from app.auth.services import create_token
from app.cases.models import Assignment
from app.extensions import db
from tests.conftest import complaint


@pytest.fixture
def call(client, org):
    tokens = {name: create_token(user) for name, user in org["users"].items()}
    db.session.commit()

    def _call(user, method, path, **kw):
        headers = {"Authorization": f"Bearer {tokens[user]}"}
        return client.open(f"/api/v1{path}", method=method, headers=headers, **kw)

    return _call


def test_dispatch_where_nobody_signs_is_refused_unless_confirmed(call):
    body = complaint(respondent_unit_code="CC-SQX", category_code="sloth")
    case_id = call("operator", "POST", "/cases", json=body).json["id"]
    path = f"/cases/{case_id}/actions/dispatch"
    r = call("operator", "POST", path, json={"unit_code": "CC-SQX"})
    assert r.status_code == 422
    assert set(r.json["fields"]) == {"confirm_no_signer"}
    assert db.session.scalar(sa.select(sa.func.count(Assignment.id))) == 0
    r = call("operator", "POST", path, json={"unit_code": "CC-SQX", "confirm_no_signer": "1"})
    assert r.status_code == 422 and set(r.json["fields"]) == {"confirm_no_signer"}
    r = call("operator", "POST", path, json={"unit_code": "CC-SQX", "confirm_no_signer": True})
    assert r.status_code == 200 and r.json["state"] == "dispatched"
    assert r.json["events"][-1]["data"]["no_signer"] is True


def test_the_discipline_office_works_its_case_over_the_api(call):
    body = complaint(respondent_unit_code="CC-ZJJ", category_code="bribery", urgency="urgent")
    case_id = call("operator", "POST", "/cases", json=body).json["id"]
    r = call("operator", "POST", f"/cases/{case_id}/actions/dispatch", json={"unit_code": "CC-JW"})
    assert r.status_code == 200
    assert call("inspector", "GET", f"/cases/{case_id}").json["allowed_actions"] == []
    r = call("jw_handler", "POST", f"/cases/{case_id}/actions/sign", json={})
    assert r.status_code == 200 and r.json["state"] == "handling"
    assert r.json["complainant"]["masked"] is True


def test_openapi_declares_the_confirmation(call):
    doc = call("operator", "GET", "/openapi.json").json
    text = str(doc)
    assert "confirm_no_signer" in text


def test_passing_down_is_only_to_a_unit_below(call):
    case_id = call("operator", "POST", "/cases", json=complaint()).json["id"]
    call("operator", "POST", f"/cases/{case_id}/actions/dispatch", json={"unit_code": "CC-RSJ"})
    call("handler", "POST", f"/cases/{case_id}/actions/sign", json={})
    path = f"/cases/{case_id}/actions/sub_dispatch"
    for code in ("CC-ZJJ", "CC-TSZX", "CC-JW"):
        r = call("handler", "POST", path, json={"unit_code": code})
        assert r.status_code == 422 and set(r.json["fields"]) == {"unit_code"}, code
    r = call("handler", "POST", path, json={"unit_code": "CC-CGZ-SBS"})
    assert r.status_code == 200
    assert [a["unit_code"] for a in r.json["assignments"]] == ["CC-RSJ", "CC-CGZ-SBS"]
