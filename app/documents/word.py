"""DOCX for editing in WPS or Word: the same text as the PDF, in the same order.

Built with python-docx, close to the PDF's layout (A4, GB/T 9704 margins, red mark and
rule, Noto Serif CJK, page numbers in the footer) but not a copy of it: a word
processor reflows the text anyway. The ZIP is written with fixed timestamps, so the
same data gives the same bytes, as the PDF does.
"""

import io
import zipfile
from importlib.metadata import version

from docx import Document as new_docx
from docx.enum.section import WD_SECTION_START
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from app.documents.gongwen import Gongwen

RENDERER = f"python-docx {version('python-docx')}"
SERIF = "Noto Serif CJK SC"
SANS = "Noto Sans CJK SC"
RED = RGBColor(0xE6, 0x00, 0x12)
LINE_PITCH = Pt(28.95)  # 225 mm of type area / 22 lines
# Each part of a DOCX carries a modification time; a fixed one keeps the bytes stable.
ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def _font(run, *, size: float, font: str = SERIF, bold: bool = False, color=None) -> None:
    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.name = font
    # Word takes East Asian text's font from its own attribute, not from w:ascii.
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), font)
    if color is not None:
        run.font.color.rgb = color


def _paragraph(doc, text: str, *, align=None, indent: bool = False, size: float = 16, **font):
    paragraph = doc.add_paragraph()
    fmt = paragraph.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = LINE_PITCH
    fmt.space_before = fmt.space_after = Pt(0)
    if align is not None:
        paragraph.alignment = align
    if indent:
        fmt.first_line_indent = Pt(2 * size)
    _font(paragraph.add_run(text), size=size, **font)
    return paragraph


def _rule(paragraph, *, color: str, size_eighths: int) -> None:
    """Draw a line under ``paragraph`` (the red rule, the rules of the 版记)."""
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("val", "single"), ("sz", str(size_eighths)), ("space", "4")):
        bottom.set(qn(f"w:{key}"), value)
    bottom.set(qn("w:color"), color)
    borders.append(bottom)
    paragraph._p.get_or_add_pPr().append(borders)


def _page_number(paragraph) -> None:
    """Put ``— PAGE —`` into ``paragraph``: a field Word and WPS fill in per page."""
    _font(paragraph.add_run("—\u2002"), size=14)
    run = paragraph.add_run()
    _font(run, size=14)
    for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if kind:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        else:
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = text
        run._r.append(element)
    _font(paragraph.add_run("\u2002—"), size=14)


def _footers(doc) -> None:
    """Page numbers: right on odd pages, left on even pages, one character in."""
    doc.settings.odd_and_even_pages_header_footer = True
    section = doc.sections[0]
    for footer, align, side in (
        (section.footer, WD_ALIGN_PARAGRAPH.RIGHT, "right_indent"),
        (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT, "left_indent"),
    ):
        paragraph = footer.paragraphs[0]
        paragraph.alignment = align
        setattr(paragraph.paragraph_format, side, Pt(14))
        _page_number(paragraph)


def render_docx(paper: Gongwen) -> bytes:
    """Return the paper as a DOCX."""
    doc = new_docx()
    section = doc.sections[0]
    section.start_type = WD_SECTION_START.NEW_PAGE
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.footer_distance = Mm(28)
    _footers(doc)
    printed = paper.printed()
    center = WD_ALIGN_PARAGRAPH.CENTER
    if paper.mark:
        # As large as fits on one line of the type area (156 mm, about 442 pt), at most 36 pt.
        size = min(36, int(442 / max(len(paper.mark), 1) * 0.92))
        _paragraph(doc, paper.mark, align=center, size=size, bold=True, color=RED)
        _paragraph(doc, "")
    if paper.number or paper.mark:
        number = _paragraph(doc, paper.number, align=center)
        _rule(number, color="E60012", size_eighths=8)
        _paragraph(doc, "")
    title = _paragraph(doc, paper.title, align=center, size=22, bold=True)
    title.paragraph_format.line_spacing = Pt(36)
    _paragraph(doc, "")
    if paper.addressee:
        _paragraph(doc, paper.addressee)
    for text in paper.paragraphs:
        _paragraph(doc, text, indent=True, align=WD_ALIGN_PARAGRAPH.JUSTIFY)
    for part in paper.sections:
        _paragraph(doc, part.heading, indent=True, font=SANS)
        for text in part.paragraphs:
            _paragraph(doc, text, indent=True, align=WD_ALIGN_PARAGRAPH.JUSTIFY)
    _paragraph(doc, "")
    for text in (paper.signature, printed["date"]):
        closing = _paragraph(doc, text, align=WD_ALIGN_PARAGRAPH.RIGHT)
        closing.paragraph_format.right_indent = Pt(4 * 16)
    _imprint(doc, paper, printed["printed_on"])
    return _stable_zip(doc)


def _imprint(doc, paper: Gongwen, printed_on: str) -> None:
    """The 版记: 抄送 and 印发 between rules."""
    if not paper.cc and not paper.printed_by:
        return
    _paragraph(doc, "")
    lines = []
    if paper.cc:
        lines.append("抄送：" + "，".join(paper.cc) + "。")
    if paper.printed_by:
        lines.append(f"{paper.printed_by}\u3000\u3000{printed_on}印发".rstrip())
    first = doc.add_paragraph()
    _rule(first, color="000000", size_eighths=8)
    for text in lines:
        line = _paragraph(doc, text, size=14)
        line.paragraph_format.left_indent = Pt(14)
        _rule(line, color="000000", size_eighths=4)


def _stable_zip(doc) -> bytes:
    saved = io.BytesIO()
    doc.save(saved)
    out = io.BytesIO()
    with (
        zipfile.ZipFile(saved) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for item in source.infolist():
            info = zipfile.ZipInfo(item.filename, date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(info, source.read(item.filename))
    return out.getvalue()
