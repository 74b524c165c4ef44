"""The JSON API: the golden path with tokens, and every error code."""

import pytest
import sqlalchemy as sa

from app.auth.services import create_token
from app.cases.models import Case, Complainant
from app.extensions import db
from tests.conftest import complaint


@pytest.fixture
def api(client, org):
    tokens = {name: create_token(user) for name, user in org["users"].items()}
    db.session.commit()

    class Api:
        def call(self, method, path, user="operator", **kwargs):
            headers = kwargs.pop("headers", {})
            if user:
                headers.setdefault("Authorization", f"Bearer {tokens[user]}")
            return client.open(f"/api/v1{path}", method=method, headers=headers, **kwargs)

        def get(self, path, user="operator", **kw):
            return self.call("GET", path, user, **kw)

        def post(self, path, user="operator", **kw):
            return self.call("POST", path, user, **kw)

        def act(self, case_id, action, user="operator", **body):
            return self.post(f"/cases/{case_id}/actions/{action}", user, json=body)

    return Api()


def counts():
    return (
        db.session.scalar(sa.select(sa.func.count(Case.id))),
        db.session.scalar(sa.select(sa.func.count(Complainant.id))),
    )


def test_golden_path_over_the_api(api):
    r = api.post("/cases", json=complaint(channel="api"))
    assert r.status_code == 201, r.json
    case = r.json
    assert set(case) >= {"id", "number", "tracking_code", "state"} and case["state"] == "screening"
    cid = case["id"]
    assert api.act(cid, "dispatch", unit_code="CC-RSJ").json["state"] == "dispatched"
    # Before it is signed the sign clock is the one that matters, not the handle clock.
    listed = next(c for c in api.get("/cases", "handler").json["items"] if c["id"] == cid)
    assert listed["status"] == "dispatched" and listed["deadline"]["kind"] == "sign"
    detail = api.get(f"/cases/{cid}", "handler").json
    assert {c["kind"] for c in detail["clocks"] if c["stopped_at"] is None} == {"sign", "handle"}
    assert all(c["due_at"] for c in detail["clocks"])
    assert detail["complainant"]["phone"] == "138****5678"
    assert "tracking_code" not in detail
    assert api.act(cid, "sign", "handler").json["state"] == "handling"
    r = api.act(cid, "reply", "handler", text="已整改", finding="partly_substantiated")
    assert r.json["state"] == "handling"  # a handler's reply waits for the unit lead
    assert r.json["status"] == "awaiting_sign_off"  # which the list says too, with its clock
    assert "sign_off" not in r.json["allowed_actions"]
    listed = next(c for c in api.get("/cases", "unit_lead").json["items"] if c["id"] == cid)
    assert listed["status"] == "awaiting_sign_off" and listed["state"] == "handling"
    handle = next(c for c in detail["clocks"] if c["kind"] == "handle")
    assert listed["deadline"] == {"kind": "handle", "due_at": handle["due_at"], "overdue": False}
    r = api.act(cid, "sign_off", "unit_lead", approve=True, note="")
    assert r.json["state"] == "replied"
    assert api.act(cid, "review", **{"pass": True, "note": "ok"}).json["state"] == "visiting"
    r = api.act(cid, "visit", satisfaction="basically_satisfied", resolved="yes", note="")
    assert r.status_code == 200 and r.json["state"] == "closed"
    final = api.get(f"/cases/{cid}").json
    assert [e["action"] for e in final["events"]] == [
        "register",
        "screen",
        "dispatch",
        "sign",
        "reply",
        "sign_off",
        "review",
        "visit",
    ]
    assert final["finding"] == "partly_substantiated"
    assert final["complainant"]["phone"] == "13812345678"


def test_me_units_and_categories(api):
    me = api.get("/me", "handler").json
    assert me["username"] == "handler" and me["roles"] == ["handler"]
    assert me["unit"]["code"] == "CC-RSJ"
    units = {u["code"]: u for u in api.get("/units").json["items"]}
    assert units["CC-SQX-LC"]["tier"] == 4 and units["CC-SQX-LC"]["parent_code"] == "CC-SQX"
    codes = [c["code"] for c in api.get("/categories").json["items"]]
    assert "bribery" in codes and len(codes) == 12


def test_list_filters_by_state_and_paginates(api, make_case):
    for _ in range(3):
        make_case()
    make_case("dispatch")
    r = api.get("/cases?state=screening&per_page=2&page=2")
    assert r.status_code == 200
    assert r.json["total"] == 3 and r.json["pages"] == 2 and len(r.json["items"]) == 1
    assert api.get("/cases?state=dispatched", "handler").json["total"] == 1
    assert api.get("/cases", "handler2").json["total"] == 0


@pytest.mark.parametrize(
    "headers", [{}, {"Authorization": "Bearer nope"}, {"Authorization": "Basic abc"}]
)
def test_missing_or_bad_token_is_401(api, headers):
    r = api.get("/me", user=None, headers=headers)
    assert r.status_code == 401
    assert r.json["error"] == "unauthorized" and r.headers["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("body", [b"{not json", b"[1, 2]", b'"text"', b"\xff\xfe"])
def test_malformed_body_is_400_and_stores_nothing(api, body):
    before = counts()
    r = api.post("/cases", data=body, content_type="application/json")
    assert r.status_code == 400 and r.json["error"] == "malformed_request"
    assert counts() == before


@pytest.mark.parametrize(
    ("change", "bad_fields"),
    [
        ({"title": None, "content": None}, {"title", "content"}),
        ({"respondent_unit_code": "NOPE"}, {"respondent_unit_code"}),
        ({"category_code": "nope"}, {"category_code"}),
        ({"title": 5, "urgency": "asap"}, {"title", "urgency"}),
        (
            {"complainant": {"name": "x", "phone": "123", "anonymous": "yes"}},
            {"complainant.anonymous", "complainant.phone"},
        ),
        ({"complainant": "张三"}, {"complainant"}),
        ({"channel": "fax"}, {"channel"}),
        ({"title": "x" * 201}, {"title"}),
        ({"extra": 1}, {"extra"}),
    ],
)
def test_invalid_fields_are_422_naming_each_and_store_nothing(api, change, bad_fields):
    before = counts()
    body = complaint(**change)
    body = {k: v for k, v in body.items() if v is not None}
    r = api.post("/cases", json=body)
    assert r.status_code == 422, r.json
    assert r.json["error"] == "validation_failed"
    assert set(r.json["fields"]) == bad_fields
    assert counts() == before


def test_non_center_user_may_not_register(api):
    r = api.post("/cases", "handler", json=complaint())
    assert r.status_code == 403 and r.json["error"] == "forbidden"


def test_admin_may_not_list_cases(api):
    assert api.get("/cases", "admin").status_code == 403


def test_other_units_case_is_404(api, make_case):
    case = make_case("dispatch")
    for path in (f"/cases/{case.id}", "/cases/999999"):
        r = api.get(path, "handler2")
        assert r.status_code == 404 and r.json["error"] == "not_found"
    assert api.act(case.id, "sign", "handler2").status_code == 404


def test_unknown_action_and_path_are_404(api, make_case):
    case = make_case()
    assert api.act(case.id, "teleport").status_code == 404
    assert api.get("/nothing-here").status_code == 404


def test_wrong_state_is_409_and_changes_nothing(api, make_case):
    case = make_case()
    r = api.act(case.id, "sign", "operator")
    assert r.status_code == 403
    r = api.act(case.id, "visit", satisfaction="satisfied", resolved="yes")
    assert r.status_code == 409 and r.json["error"] == "invalid_transition"
    assert api.get(f"/cases/{case.id}").json["state"] == "screening"


def test_stale_version_is_409(api, make_case):
    case = make_case()
    version = api.get(f"/cases/{case.id}").json["version"]
    assert api.act(case.id, "dispatch", unit_code="CC-RSJ", version=version).status_code == 200
    r = api.act(case.id, "reject", reason="x", version=version)
    assert r.status_code == 409 and r.json["error"] == "conflict"
    r = api.post(
        f"/cases/{case.id}/actions/sign", "handler", json={}, headers={"If-Match": str(version)}
    )
    assert r.status_code == 409


def test_action_field_errors_are_422(api, make_case):
    case = make_case("dispatch", "sign")
    r = api.act(case.id, "reply", "handler", text="", finding="maybe")
    assert r.status_code == 422 and set(r.json["fields"]) == {"text", "finding"}
    r = api.act(case.id, "reply", "handler", text="ok", finding="substantiated", colour="red")
    assert r.status_code == 422 and "colour" in r.json["fields"]
    r = api.act(case.id, "reply", "handler", text="ok", finding="substantiated", version="x")
    assert r.status_code == 422 and "version" in r.json["fields"]
    assert r.json["message"] == "Case version: Must be a whole number."
    assert api.get(f"/cases/{case.id}", "handler").json["state"] == "handling"


def test_review_pass_must_be_boolean(api, make_case):
    case = make_case("dispatch", "sign", "reply")
    r = api.act(case.id, "review", **{"pass": "yes"})
    assert r.status_code == 422 and "pass" in r.json["fields"]


def test_bad_list_parameters_are_422(api):
    r = api.get("/cases?state=lost&page=x&per_page=1000")
    assert r.status_code == 422 and set(r.json["fields"]) == {"state", "page", "per_page"}


def test_openapi_document_describes_the_api(api):
    from openapi_spec_validator import validate

    doc = api.get("/openapi.json", user=None).json
    validate(doc)  # raises on any violation of the OpenAPI 3.0 schema
    assert doc["openapi"].startswith("3.")
    assert {"/me", "/units", "/categories", "/cases", "/cases/{case_id}"} <= set(doc["paths"])
    from app.cases.workflow import ACTIONS

    for action in ACTIONS:  # one operation per action, each with its own body
        operation = doc["paths"][f"/cases/{{case_id}}/actions/{action}"]["post"]
        assert {"400", "401", "403", "404", "409", "413", "422"} <= set(operation["responses"])
        body = operation["requestBody"]["content"]["application/json"]["schema"]
        assert body == {"$ref": f"#/components/schemas/Action_{action}"}
        assert operation["requestBody"]["required"] == bool(
            doc["components"]["schemas"][f"Action_{action}"].get("required")
        )
    new_case = doc["components"]["schemas"]["NewCase"]
    assert {"channel", "complainant", "title", "content"} == set(new_case["required"])
    # An e-mail names no unit: the operator classifies it while screening.
    assert (
        "unless the channel is email"
        in new_case["properties"]["respondent_unit_code"]["description"]
    )


def test_return_request_over_the_api(api, make_case):
    case = make_case("dispatch")
    r = api.act(
        case.id, "request_return", "handler", reason="应由乡镇办理", suggested_unit_code="CC-CGZ"
    )
    assert r.status_code == 200 and r.json["state"] == "return_requested"
    r = api.act(case.id, "decide_return", approve="no")
    assert r.status_code == 422 and "approve" in r.json["fields"]
    r = api.act(case.id, "decide_return", approve=False, note="属于你单位职责")
    assert r.json["state"] == "dispatched"
    r = api.act(case.id, "request_return", "handler", reason="x", suggested_unit_code="NOPE")
    assert r.status_code == 422 and "suggested_unit_code" in r.json["fields"]


def test_idempotency_key_makes_retries_return_the_first_case(api):
    body = complaint(channel="api")
    headers = {"Idempotency-Key": "call-7781"}
    first = api.post("/cases", json=body, headers=dict(headers))
    again = api.post("/cases", json=body, headers=dict(headers))
    assert first.status_code == again.status_code == 201
    assert again.json["id"] == first.json["id"]
    assert again.headers["Idempotent-Replayed"] == "true"
    assert counts()[0] == 1
    other = api.post("/cases", json={**body, "title": "另一件"}, headers=dict(headers))
    assert other.status_code == 409 and counts()[0] == 1
    # Keys belong to their user: the same key from someone else is a new request.
    assert api.post("/cases", "center_lead", json=body, headers=dict(headers)).status_code == 201
    assert api.post("/cases", json=body, headers={"Idempotency-Key": " "}).status_code == 422


def test_concurrent_posts_with_one_key_create_one_case(app, api):
    import threading

    results = []
    barrier = threading.Barrier(4)

    def post():
        barrier.wait(timeout=10)
        r = api.post("/cases", json=complaint(), headers={"Idempotency-Key": "same"})
        results.append((r.status_code, r.json["id"]))

    threads = [threading.Thread(target=post) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert len(results) == 4 and {s for s, _ in results} == {201}
    assert len({case_id for _, case_id in results}) == 1
    assert counts()[0] == 1


def test_messages_are_in_the_system_language_whatever_the_api_speaks(api, make_case):
    """The API answers in English, but what the complainant and the unit read is Chinese."""
    from app.notifications.models import Notification

    case = make_case()
    assert api.act(case.id, "resolve_directly", text="已当场答复。").status_code == 200
    other = make_case()
    assert api.act(other.id, "dispatch", unit_code="CC-RSJ").status_code == 200
    subjects = set(db.session.scalars(sa.select(Notification.subject)))
    assert f"关于您的投诉（编号 {case.number}）的答复" in subjects
    assert not [s for s in subjects if s.isascii() or "Reply" in s or "case" in s.lower()]
