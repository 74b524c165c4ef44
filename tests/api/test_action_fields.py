"""Each action's fields are declared once: the web form, the API and OpenAPI agree with it."""

import re

import pytest
from flask_babel import force_locale

from app.api.schema import action_fields, action_required
from app.auth.services import create_token
from app.cases.forms import ACTION_FORMS
from app.cases.specs import SPECS
from app.cases.workflow import ACTIONS
from app.core.fields import (
    Choice,
    Decision,
    IdList,
    IdReference,
    Integer,
    Reference,
    ReferenceList,
    Text,
)
from app.core.validation import DB_INT_MAX
from app.extensions import db
from app.units.naming import MAX_NEW, NewStaffField
from tests.conftest import login


def limits(field) -> dict:
    """The limits a field declares, in the words of JSON schema."""
    expected = {}
    if isinstance(field, Text | Reference):
        expected["maxLength"] = field.max_length
    if isinstance(field, Integer):
        expected["minimum"] = field.low() if callable(field.low) else field.low
        expected["maximum"] = field.high() if callable(field.high) else field.high
    if isinstance(field, IdReference):
        expected["minimum"], expected["maximum"] = 1, DB_INT_MAX
    if isinstance(field, Text | Reference) and field.required:
        expected["minLength"] = 1
    if not field.required:
        expected["nullable"] = True  # null is the same as leaving it out
    if isinstance(field, Choice):
        expected["enum"] = field.values + ([] if field.required else [None])
    if isinstance(field, ReferenceList | IdList):
        expected["maxItems"] = field.max_items
    if isinstance(field, NewStaffField):
        expected["maxItems"] = MAX_NEW
    return expected


def described(schema: dict) -> dict:
    keys = ("maxLength", "minLength", "minimum", "maximum", "enum", "maxItems", "nullable")
    return {k: schema[k] for k in keys if k in schema}


def drawn(html: str) -> dict:
    """The limits a web form field carries in its HTML, in the words of JSON schema."""
    found = {}
    for attribute, key in (("maxlength", "maxLength"), ("min", "minimum"), ("max", "maximum")):
        match = re.search(rf' {attribute}="(\d+)"', html)
        if match:
            found[key] = int(match.group(1))
    return found


@pytest.fixture
def tokens(org):
    made = {name: create_token(user) for name, user in org["users"].items()}
    db.session.commit()
    return made


def act(client, token, target, action, **body):
    return client.post(
        f"/api/v1/cases/{target}/actions/{action}",
        json=body,
        headers={"Authorization": f"Bearer {token}"},
    )


def test_every_action_has_one_spec(app):
    assert set(SPECS) == set(ACTIONS) == set(ACTION_FORMS)
    api_only = {(a, n) for a, s in SPECS.items() for n, f in s.fields.items() if f.api_only}
    assert api_only == {("merge", "case_id")}


def test_form_api_and_openapi_are_the_spec(app, client):
    document = client.get("/api/v1/openapi.json").json
    with app.test_request_context(), force_locale("en"):  # the API speaks English
        for action, spec in SPECS.items():
            # A field may take more than one box on the web (a person typed: name and post).
            web = {n for f in spec.fields.values() if not f.api_only for n in f.form_fields()}
            form = ACTION_FORMS[action](formdata=None)
            assert {f.name for f in form} - {"csrf_token", "version"} == web, action
            assert set(action_fields(action)) == set(spec.fields), action
            assert action_required(action) == spec.required, action
            body = document["components"]["schemas"][f"Action_{action}"]
            assert set(body["properties"]) - {"version"} == set(spec.fields), action
            assert body.get("required", []) == spec.required, action
            assert body["additionalProperties"] is False
            for name, field in spec.fields.items():
                assert described(body["properties"][name]) == limits(field), (action, name)
                assert described(action_fields(action)[name]) == limits(field), (action, name)
                assert body["properties"][name]["title"] == str(field.label)
                if name not in web:
                    continue
                choices = getattr(form[name], "choices", None) or []
                offered = [str(c.value) for c in choices]
                # What a form can draw: the limits of one value, not the JSON type's.
                unsaid = {"enum", "maxItems", "minLength", "nullable"}
                expected = {k: v for k, v in limits(field).items() if k not in unsaid}
                if isinstance(field, Reference) and field.picker:
                    expected = {}  # a select offers only what exists
                assert drawn(str(form[name]())) == expected, (action, name)
                if isinstance(field, Choice):
                    assert offered == field.values, (action, name)
                if isinstance(field, Decision):
                    assert offered == [field.yes[0], field.no[0]], (action, name)
                if isinstance(field, ReferenceList):
                    assert body["properties"][name]["type"] == "array"


def test_extension_days_maximum_follows_the_config(app, client, make_case, tokens, monkeypatch):
    case = make_case("dispatch", "sign")
    monkeypatch.setitem(app.config, "MAX_EXTENSION_DAYS", 20)
    schema = client.get("/api/v1/openapi.json").json["components"]["schemas"]
    assert schema["Action_request_extension"]["properties"]["days"]["maximum"] == 20
    r = act(client, tokens["handler"], case.id, "request_extension", days=21, reason="核查")
    assert r.status_code == 422 and r.json["fields"]["days"] == "Between 1 and 20 working days."
    monkeypatch.setitem(app.config, "MAX_EXTENSION_DAYS", 15)
    r = act(client, tokens["handler"], case.id, "request_extension", days=18, reason="核查")
    assert r.status_code == 422
    monkeypatch.setitem(app.config, "MAX_EXTENSION_DAYS", 20)
    r = act(client, tokens["handler"], case.id, "request_extension", days=18, reason="核查")
    assert r.status_code == 200, r.json
    case = make_case("dispatch", "sign")
    login(client, "handler")
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert re.search(r'<input[^>]* max="20"[^>]* name="days"', page)


def test_a_bad_field_over_the_api_is_named_by_its_label_once(client, make_case, tokens):
    case = make_case("dispatch", "sign")
    r = act(client, tokens["handler"], case.id, "request_extension", days=99, reason="核查")
    assert r.status_code == 422
    # The API speaks English: the message names the field by its English label, once;
    # ``fields`` is keyed by the code name and does not repeat the label.
    assert r.json["fields"] == {"days": "Between 1 and 15 working days."}
    assert r.json["message"] == "Working days needed: Between 1 and 15 working days."
    assert "days:" not in r.json["message"]


def test_a_bad_field_on_the_web_is_shown_beside_it_with_its_chinese_label(client, make_case):
    case = make_case("dispatch", "sign")
    login(client, "handler")
    r = client.post(
        f"/cases/{case.id}/request_extension",
        data={"days": "99", "reason": "需现场核查", "version": case.version},
    )
    html = r.get_data(as_text=True)
    assert r.status_code == 422
    assert html.count("申请延期工作日数：须为 1 至 15 个工作日。") == 1  # the flash
    # Beside the field, and tied to it for screen readers.
    beside = '<div class="error" id="request_extension-days-error">须为 1 至 15 个工作日。</div>'
    assert beside in html
    # The range hint and the message, both read out with the field.
    assert 'aria-describedby="request_extension-days-hint request_extension-days-error"' in html
    assert "days:" not in html and "days：" not in html
    assert 'value="99"' in html and "需现场核查</textarea>" in html  # what was typed stays
    db.session.expire_all()
    assert not case.extensions


def test_merge_takes_the_case_number_or_the_id(client, make_case, tokens):
    original, by_number, by_id = make_case(), make_case(), make_case()
    token = tokens["operator"]
    r = act(client, token, by_number.id, "merge", case_number=original.number)
    assert r.status_code == 200 and r.json["state"] == "merged", r.json
    r = act(client, token, by_id.id, "merge", case_id=original.id)
    assert r.status_code == 200 and r.json["state"] == "merged", r.json
    r = act(client, token, original.id, "merge")
    assert r.status_code == 422 and set(r.json["fields"]) == {"case_number"}
    assert r.json["message"] == "Number of the original case: This field is required."
    r = act(client, token, original.id, "merge", case_number="CC1999-000001")
    assert r.json["fields"] == {"case_number": "No such case."}
