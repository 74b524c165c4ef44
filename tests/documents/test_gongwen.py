"""The paper's data: dates in words, stored and read back, refused when malformed."""

from datetime import date

import pytest

from app.documents.gongwen import Gongwen, cn_date
from tests.documents.papers import paper


@pytest.mark.parametrize(
    ("day", "printed"),
    [
        (date(2026, 3, 5), "2026年3月5日"),
        (date(2026, 10, 1), "2026年10月1日"),
        (date(2026, 12, 31), "2026年12月31日"),
    ],
)
def test_dates_print_without_zero_padding(day, printed):
    assert cn_date(day) == printed


def test_the_stored_data_gives_the_same_paper_back():
    original = paper()
    data = original.to_data()
    assert data["date"] == "2026-03-05" and data["for_respondent"] is True
    assert Gongwen.from_data(data) == original


@pytest.mark.parametrize(
    "change",
    [
        {"title": ""},
        {"paragraphs": "one string, not a list"},
        {"paragraphs": [1, 2]},
        {"date": "5 March"},
        {"unknown": "field"},
        {"for_respondent": "yes"},
    ],
)
def test_malformed_data_is_refused(change):
    data = {**paper().to_data(), **change}
    with pytest.raises(ValueError):
        Gongwen.from_data(data)
