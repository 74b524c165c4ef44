"""One phone number is one number however it was written."""

import pytest

from app.core.phones import normalize_phone
from app.core.validation import FieldErrors


@pytest.mark.parametrize(
    "typed",
    [
        "13812345678",
        "138 1234 5678",
        "138-1234-5678",
        "+86 138 1234 5678",
        "+8613812345678",
        "0086 138 1234 5678",
        "8613812345678",
        "86-138-1234-5678",
        "(+86) 138 1234 5678",
        "１３８１２３４５６７８",  # full-width digits, as a Chinese keyboard may give
        "＋８６ １３８１２３４５６７８",
    ],
)
def test_a_mobile_number_written_any_way_is_one_number(typed):
    assert normalize_phone(typed) == "13812345678"


@pytest.mark.parametrize(
    "typed",
    [
        "0571-8888 8888",
        "0571 88888888",
        "(0571) 8888-8888",
        "（0571）88888888",
        "+86 571 8888 8888",
        "+86 (0)571 8888 8888",
        "0086-571-88888888",
        "86 571 8888 8888",
    ],
)
def test_a_landline_keeps_its_area_code_with_the_trunk_zero(typed):
    assert normalize_phone(typed) == "057188888888"


def test_local_numbers_and_other_countries_are_kept_apart():
    # Eight digits starting 86 are a local number, not a country code.
    assert normalize_phone("8612 3456") == "86123456"
    assert normalize_phone("12345") == "12345"
    assert normalize_phone("+1 (415) 555-2671") == "+14155552671"
    assert normalize_phone("001 415 555 2671") == "+14155552671"


@pytest.mark.parametrize("typed", ["", None, "abc", "138x1234", "+", "张三", "1\x0023"])
def test_what_is_no_number_normalizes_to_nothing(typed):
    assert normalize_phone(typed) == ""


def test_the_phone_field_takes_brackets_and_country_codes_and_refuses_words(app):
    errors = FieldErrors()
    assert errors.phone("p", "(0571) 8888-8888", required=False) == "(0571)88888888"
    assert errors.phone("q", "+86 138 1234 5678", required=False) == "+8613812345678"
    assert errors.errors == {}
    errors.phone("r", "call me", required=False)
    errors.phone("s", "12-34", required=False)
    assert set(errors.errors) == {"r", "s"}
