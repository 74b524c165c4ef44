"""The DOCX: the same text as the PDF in the same order, stable bytes, A4 margins."""

import io

import docx
import pytest

from app.documents.word import render_docx
from tests.documents.papers import NUMBER, TITLE, docx_paragraphs, paper


@pytest.fixture(scope="module")
def content(render_app) -> bytes:
    return render_docx(paper())


def test_the_docx_holds_the_paper_in_order(content):
    p = paper()
    expected = [
        p.mark,
        NUMBER,
        TITLE,
        p.addressee,
        *p.paragraphs,
        *(t for s in p.sections for t in (s.heading, *s.paragraphs)),
        p.signature,
        "2026年3月5日",
        "抄送：县委组织部，县机关效能投诉中心。",
        "澄川县纪委监委办公室\u3000\u30002026年3月6日印发",
    ]
    assert docx_paragraphs(content) == expected


def test_the_docx_is_a4_with_the_standard_margins_and_a_red_mark(content):
    document = docx.Document(io.BytesIO(content))
    section = document.sections[0]
    # Stored in twentieths of a point: a millimetre comes back within a fraction.
    size = (section.page_width, section.page_height)
    margins = (section.top_margin, section.bottom_margin, section.left_margin, section.right_margin)
    assert [round(length.mm) for length in (*size, *margins)] == [210, 297, 37, 35, 28, 26]
    mark = document.paragraphs[0].runs[0]
    assert str(mark.font.color.rgb) == "E60012"
    footer = section.footer.paragraphs[0]._p.xml
    assert "PAGE" in footer and "—" in footer


def test_user_text_is_kept_as_typed(render_app):
    text = '#panic() $x$ *b* ] " \\ <script>'
    assert text in docx_paragraphs(render_docx(paper(title=text)))


def test_the_same_data_gives_the_same_bytes(render_app, content):
    assert render_docx(paper()) == content
