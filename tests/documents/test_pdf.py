"""The PDF: GB/T 9704 layout, fonts embedded, text extractable, user text printed as typed."""

import hashlib

import pytest

from app.documents.pdf import render_pdf
from tests.documents.papers import (
    NUMBER,
    TITLE,
    first_page_pixels,
    is_red,
    paper,
    pdf_fonts,
    pdf_info,
    pdf_text,
    pdf_words,
)


@pytest.fixture(scope="module")
def pdf(render_app) -> bytes:
    return render_pdf(paper())


def test_the_paper_is_a4_on_two_pages(pdf):
    info = pdf_info(pdf)
    assert info["Page size"].split("pts")[0].split() == ["595.276", "x", "841.89"]
    assert info["Pages"].strip() == "2"


def test_every_font_is_embedded(pdf):
    fonts = pdf_fonts(pdf)
    assert fonts and all(f["emb"] == "yes" for f in fonts)
    assert any("NotoSerifCJK" in f["name"] for f in fonts)


def test_the_text_extracts_with_number_title_date_and_page_numbers(pdf):
    text = pdf_text(pdf)
    for expected in (NUMBER, TITLE, "县自然资源局：", "2026年3月5日", "抄送：县委组织部"):
        assert expected in text
    assert "2026年3月6日印发" in text
    assert "— 1 —" in pdf_text(pdf, page=1) and "— 2 —" in pdf_text(pdf, page=2)


def test_page_numbers_sit_right_on_odd_pages_and_left_on_even_pages(pdf):
    middle = 595.276 / 2
    # Below the type area (which ends 35 mm, 99 pt, above the foot of the page).
    numbers = {(page, word): left for page, left, top, word in pdf_words(pdf) if top > 842 - 99}
    assert set(numbers) == {(1, "—"), (1, "1"), (2, "—"), (2, "2")}
    assert numbers[1, "1"] > middle and numbers[2, "2"] < middle


def test_the_mark_and_the_rule_under_the_number_are_red(pdf):
    width, height, pixels = first_page_pixels(pdf)
    rows = [
        sum(is_red(*pixels[(y * width + x) * 3 : (y * width + x) * 3 + 3]) for x in range(width))
        for y in range(height)
    ]
    top = rows[: height // 3]
    assert sum(top) > 200  # the mark's red characters
    # The rule: one line of red across most of the type area (156 mm of 210 mm).
    assert max(top) > width * 0.6
    assert sum(rows[height // 3 :]) == 0  # nothing else is red


@pytest.mark.parametrize(
    "text", ["#panic()", "$x$", "*bold* _it_", "]", '"', "\\", "<script>alert(1)</script>", "@ref"]
)
def test_user_text_prints_as_typed(render_app, text):
    printed = render_pdf(paper(title=f"标题{text}", paragraphs=[f"正文{text}"], addressee=text))
    extracted = pdf_text(printed)
    assert (
        f"标题{text}\n" in extracted and f"正文{text}\n" in extracted and f"\n{text}\n" in extracted
    )


def test_the_same_data_gives_the_same_bytes(render_app, pdf):
    again = render_pdf(paper())
    assert hashlib.sha256(again).hexdigest() == hashlib.sha256(pdf).hexdigest()
    assert render_pdf(paper(title="另一个标题")) != pdf


def test_a_font_folder_that_is_missing_fails_the_render(render_app, monkeypatch):
    monkeypatch.setitem(render_app.config, "DOCUMENT_FONT_DIRS", ("/nonexistent/fonts",))
    with pytest.raises(RuntimeError, match="font directory not found"):
        render_pdf(paper())
