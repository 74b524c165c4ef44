"""Declared fields read input once: converted values, or one labelled message per bad field."""

import pytest
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from app import create_app
from app.core.errors import ValidationFailed
from app.core.fields import Decision, Integer, ReferenceList, Spec, Text

LIMIT = {"high": 3}
UNITS = {"A": "unit A", "B": "unit B"}
SPEC = Spec(
    Integer("days", _l("Working days needed"), low=1, high=lambda: LIMIT["high"], required=True),
    Text("reason", _l("Why more time is needed"), max_length=10, multiline=True, required=True),
    Decision("approve", _l("Decision"), yes=("approve", "yes"), no=("reject", "no")),
    ReferenceList(
        "assist", _l("Assisting units (optional)"), lookup=UNITS.get, not_found=lambda c: c
    ),
)


@pytest.fixture(scope="module")
def app():
    app = create_app("testing", SQLALCHEMY_DATABASE_URI="sqlite://")
    with app.app_context():
        yield app


def test_values_are_checked_and_converted(app):
    values = SPEC.read(
        {"days": 2, "reason": " 核查\n现场 ", "approve": False, "assist": ["B", "B"]}
    )
    assert values == {"days": 2, "reason": "核查\n现场", "approve": False, "assist": ["unit B"]}


def test_a_form_posts_text_and_json_holds_its_types(app):
    posted = {"days": " 2 ", "reason": " 核查 ", "approve": "approve", "assist": ["B", ""]}
    data = {name: field.from_form(posted[name]) for name, field in SPEC.fields.items()}
    assert data == {"days": 2, "reason": " 核查 ", "approve": True, "assist": ["B"]}
    assert SPEC.fields["days"].from_form("") is None
    assert SPEC.fields["days"].from_form("two") == "two"  # left for read() to refuse
    with force_locale("en"), pytest.raises(ValidationFailed) as error:
        SPEC.read({"days": "2", "reason": "x", "approve": True, "assist": ""})
    assert error.value.fields == {
        "days": "Must be a whole number.",
        "assist": "Must be a list of codes.",
    }


def test_a_list_is_bounded_and_each_code_checked(app):
    with force_locale("en"), pytest.raises(ValidationFailed) as error:
        SPEC.read({"days": 2, "reason": "x", "approve": True, "assist": ["A"] * 21})
    assert error.value.fields == {"assist": "At most 20."}
    for code in ("A" * 41, "A\x00", "\ud800"):
        with force_locale("en"), pytest.raises(ValidationFailed) as error:
            SPEC.read({"days": 2, "reason": "x", "approve": True, "assist": [code]})
        assert set(error.value.fields) == {"assist"}, code
    assert SPEC.json_schema()["properties"]["assist"]["maxItems"] == 20


def test_limits_given_as_callables_are_read_when_used(app):
    LIMIT["high"] = 5
    try:
        assert SPEC.read({"days": 5, "reason": "x", "approve": True})["days"] == 5
        assert SPEC.json_schema()["properties"]["days"]["maximum"] == 5
    finally:
        LIMIT["high"] = 3
    assert SPEC.json_schema()["properties"]["days"]["maximum"] == 3


def test_the_message_names_the_first_bad_field_by_its_label_in_chinese(app):
    with force_locale("zh_Hans_CN"), pytest.raises(ValidationFailed) as error:
        SPEC.read({"days": 9, "reason": "", "approve": "yes", "assist": ["C"]})
    assert error.value.message == "申请延期工作日数：须在 1 至 3 之间。"
    assert error.value.fields == {
        "days": "须在 1 至 3 之间。",
        "reason": "此项为必填项。",
        "approve": "必须为 true 或 false。",
        "assist": "C",
    }
    assert error.value.labels["reason"] == "延期理由"


def test_the_message_uses_the_english_label_and_colon_in_english(app):
    with force_locale("en"), pytest.raises(ValidationFailed) as error:
        SPEC.read({"days": True, "reason": "x" * 11, "approve": None})
    assert error.value.message == "Working days needed: Must be a whole number."
    assert error.value.fields["reason"] == "At most 10 characters."
    assert error.value.fields["approve"] == "This field is required."
    assert "days:" not in str(error.value.fields)
