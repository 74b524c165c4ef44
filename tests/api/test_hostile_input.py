"""Inputs that once answered 500 over the API: each is now a clear 4xx, and nothing is stored."""

import json

import pytest
import sqlalchemy as sa

from app.auth.services import create_token
from app.cases.models import Assignment, Case
from app.core.validation import DB_INT_MAX
from app.extensions import db
from tests.conftest import complaint


@pytest.fixture
def call(client, org):
    tokens = {name: create_token(user) for name, user in org["users"].items()}
    db.session.commit()

    def _call(method, path, user="operator", raw=None, **kwargs):
        headers = {"Authorization": f"Bearer {tokens[user]}", **kwargs.pop("headers", {})}
        if raw is not None:
            kwargs.update(data=raw, content_type="application/json")
        return client.open(f"/api/v1{path}", method=method, headers=headers, **kwargs)

    return _call


def cases() -> int:
    return db.session.scalar(sa.select(sa.func.count(Case.id)))


@pytest.mark.parametrize(
    "field, value",
    [
        ("urgency", [None, None]),
        ("urgency", {"a": 1}),
        ("subject_kind", False),
        ("subject_kind", ""),
        ("channel", ["hotline"]),
        ("respondent_unit_code", 7),
        ("letter_collected_on", 20260101),
    ],
)
def test_wrong_json_types_in_choice_fields_are_422(call, field, value):
    r = call("POST", "/cases", json=complaint(**{field: value}))
    assert r.status_code == 422, r.json
    assert set(r.json["fields"]) == {field}
    assert cases() == 0


@pytest.mark.parametrize("number", [DB_INT_MAX + 1, 10**30, 9 * 10**4000])
def test_numbers_past_the_database_integer_are_not_found_or_refused(call, make_case, number):
    case = make_case()
    assert call("GET", f"/cases/{number}").status_code == 404
    assert call("GET", f"/cases/{number}/access-log", "center_lead").status_code == 404
    r = call("POST", f"/cases/{number}/actions/screen", json={})
    assert r.status_code == 404 and r.json["error"] == "not_found"
    r = call("GET", f"/cases?page={number}")
    assert r.status_code == 422 and set(r.json["fields"]) == {"page"}
    r = call("POST", f"/cases/{case.id}/actions/merge", json={"case_id": number})
    assert r.status_code == 422 and set(r.json["fields"]) == {"case_id"}
    r = call("POST", f"/cases/{case.id}/actions/merge", raw=f'{{"case_id": {number}}}')
    assert r.status_code in {400, 422}  # past 4,300 digits it is not JSON Python reads
    # A change of the case checks the version: one past the integer is simply not current.
    r = call("POST", f"/cases/{case.id}/actions/screen", json={"version": number})
    assert r.status_code == 409
    # A comment checks none (it conflicts with nothing), so a wild version is no obstacle.
    r = call("POST", f"/cases/{case.id}/actions/comment", json={"text": "x", "version": number})
    assert r.status_code == 200
    db.session.expire_all()
    assert db.session.get(Case, case.id).version == case.version


def test_the_largest_database_integer_is_an_id_that_is_simply_not_there(call):
    assert call("GET", f"/cases/{DB_INT_MAX}").status_code == 404


@pytest.mark.parametrize(
    "raw",
    [
        '{"title": "\\ud800"}',  # a lone surrogate: JSON can spell it, UTF-8 cannot store it
        '{"complainant": {"name": "\\udfff"}}',
        "[" * 100_000 + "]" * 100_000,
        '{"a":' * 50 + "1" + "}" * 50,
        '{"title": NaN}',
        b'{"title": "\xff\xfe"}',
        "[1, 2]",
        "not json",
    ],
)
def test_malformed_bodies_are_400(call, raw):
    r = call("POST", "/cases", raw=raw)
    assert r.status_code == 400, r.json
    assert r.json["error"] == "malformed_request"
    assert cases() == 0


def test_odd_text_in_fields_is_422(call):
    for title in ("a\x00b", "\x1b[31mred", "line\nbreak", "x" * 201, "\x85"):
        r = call("POST", "/cases", json=complaint(title=title))
        assert r.status_code == 422 and set(r.json["fields"]) == {"title"}, title
    # Unusual but valid Unicode is text like any other.
    odd = "e\u0301\u202e\ufeff👩‍👩‍👧"
    r = call("POST", "/cases", json=complaint(title=odd))
    assert r.status_code == 201, r.json
    assert db.session.get(Case, r.json["id"]).title == odd


@pytest.mark.parametrize("field", ["respondent_unit_code", "category_code"])
def test_control_characters_in_codes_past_their_length_are_422(call, field):
    for code in ("X" * 60 + "\x00", "\x00", "CC-RSJ\x00"):
        r = call("POST", "/cases", json=complaint(**{field: code}))
        assert r.status_code == 422 and set(r.json["fields"]) == {field}, code
    assert cases() == 0


def test_codes_in_actions_with_control_characters_are_422(call, make_case):
    case = make_case()
    for body in (
        {"unit_code": "X" * 60 + "\x00"},
        {"unit_code": "CC-RSJ", "assist_unit_codes": ["X" * 60 + "\x00"]},
        {"unit_code": "CC-RSJ", "assist_unit_codes": ["\x00"]},
    ):
        r = call("POST", f"/cases/{case.id}/actions/dispatch", json=body)
        assert r.status_code == 422, (body, r.json)
    r = call("POST", f"/cases/{case.id}/actions/merge", json={"case_number": "N" * 40 + "\x00"})
    assert r.status_code == 422 and set(r.json["fields"]) == {"case_number"}
    db.session.expire_all()
    assert db.session.get(Case, case.id).state == "screening"


def test_assisting_units_are_bounded_and_counted_once(call, make_case):
    case = make_case()
    r = call(
        "POST",
        f"/cases/{case.id}/actions/dispatch",
        json={"unit_code": "CC-RSJ", "assist_unit_codes": ["CC-ZJJ"] * 21},
    )
    assert r.status_code == 422 and r.json["fields"] == {"assist_unit_codes": "At most 20."}
    r = call(
        "POST",
        f"/cases/{case.id}/actions/dispatch",
        json={"unit_code": "CC-RSJ", "assist_unit_codes": ["CC-ZJJ"] * 20},
    )
    assert r.status_code == 200, r.json
    roles = db.session.scalars(sa.select(Assignment.role).where(Assignment.case_id == case.id))
    assert sorted(roles) == ["assist", "lead"]


@pytest.mark.parametrize(
    "value, message",
    [
        ("0001-01-01", "Not before 2000-01-01."),
        ("9999-12-31", "The date cannot be in the future."),
        ("10000-01-01", "Not a date (YYYY-MM-DD)."),
        ("2026-02-30", "Not a date (YYYY-MM-DD)."),
        ("", "This field is required."),
    ],
)
def test_dates_at_the_edges_of_the_calendar_are_422(call, value, message):
    body = complaint(channel="letter", letter_box="县信访接待室投诉箱", letter_collected_on=value)
    r = call("POST", "/cases", json=body)
    assert r.status_code == 422 and r.json["fields"] == {"letter_collected_on": message}
    assert cases() == 0


def test_a_body_larger_than_any_request_needs_is_413(call, app):
    big = json.dumps(complaint(content="x" * app.config["API_MAX_BODY_BYTES"]))
    r = call("POST", "/cases", raw=big)
    assert r.status_code == 413 and r.json["error"] == "request_entity_too_large"
    assert cases() == 0


def test_a_method_a_path_does_not_offer_is_405_with_allow(call, client, make_case):
    case = make_case()
    r = call("DELETE", "/cases")
    assert r.status_code == 405 and r.json["error"] == "method_not_allowed"
    assert set(r.headers["Allow"].split(", ")) >= {"GET", "POST"}
    r = call("PUT", f"/cases/{case.id}")
    assert r.status_code == 405 and "GET" in r.headers["Allow"]
    r = call("GET", f"/cases/{case.id}/actions/screen")
    assert r.status_code == 405 and "POST" in r.headers["Allow"].split(", ")
    r = client.get("/logout")  # and on the web
    assert r.status_code == 405 and "POST" in r.headers["Allow"]
    r = call("GET", "/no-such-thing")
    assert r.status_code == 404 and r.json["message"] == "No such endpoint: /api/v1/no-such-thing"


@pytest.mark.parametrize(
    "query",
    ["state=", "channel=", "sort=", "received_from=", "received_to=", "carded=", "carded=x"],
)
def test_an_empty_or_odd_choice_in_the_case_list_is_refused(call, query):
    r = call("GET", f"/cases?{query}")
    assert r.status_code == 422
    assert set(r.json["fields"]) == {query.split("=")[0]}


def test_empty_free_text_in_the_case_list_means_any(call):
    assert call("GET", "/cases?q=&unit=&category=&carded=false").status_code == 200
