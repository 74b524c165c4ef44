"""Papers and the poppler tools that read them back, for the document tests.

A missing tool fails the test that needs it (never a skip): ``make test`` installs
poppler-utils (tests/services.sh).
"""

import io
import re
import shutil
import subprocess
from datetime import date

import docx

from app.documents.gongwen import Gongwen, Section

NUMBER = "澄纪效告〔2026〕3号"
TITLE = "关于对县自然资源局给予效能告诫的决定"
BODY = (
    "经查，你单位在办理第CC2026-000123号投诉件过程中，未在规定时限内办结，"
    "超期十五个工作日，且未按要求报送超期原因，影响了群众办事效率。"
)


def paper(**overrides) -> Gongwen:
    """A two-page decision with every part a paper can have; override any field."""
    values = {
        "organ": "中共澄川县纪律检查委员会",
        "mark": "澄川县纪委监委文件",
        "number": NUMBER,
        "title": TITLE,
        "addressee": "县自然资源局：",
        "paragraphs": [BODY * 2] * 4,
        "sections": [Section("一、处理意见", ["给予效能告诫。", "请于十个工作日内提交书面检查。"])],
        "signature": "中共澄川县纪律检查委员会",
        "date": date(2026, 3, 5),
        "cc": ["县委组织部", "县机关效能投诉中心"],
        "printed_by": "澄川县纪委监委办公室",
        "printed_on": date(2026, 3, 6),
        "for_respondent": True,
    }
    values.update(overrides)
    return Gongwen(**values)


def tool(name: str) -> str:
    """Return the path of a poppler tool; fail (not skip) if it is not installed."""
    path = shutil.which(name)
    assert path, f"{name} is missing: install poppler-utils (make services)"
    return path


def _run(name: str, *args: str, pdf: bytes) -> str:
    result = subprocess.run(
        [tool(name), *args, "-", "-"] if name != "pdfinfo" else [tool(name), "-"],
        input=pdf,
        capture_output=True,
        check=True,
    )
    return result.stdout.decode()


def pdf_text(pdf: bytes, *, page: int | None = None) -> str:
    """The text of the PDF (of one page), as pdftotext extracts it."""
    pages = ["-f", str(page), "-l", str(page)] if page else []
    return _run("pdftotext", *pages, pdf=pdf)


def pdf_info(pdf: bytes) -> dict[str, str]:
    """pdfinfo's answers by name (Pages, Page size, ...)."""
    out = _run("pdfinfo", pdf=pdf)
    return dict(line.split(":", 1) for line in out.splitlines() if ":" in line)


def pdf_fonts(pdf: bytes) -> list[dict[str, str]]:
    """pdffonts' table: one row per font with its name and its ``emb`` column."""
    path = tool("pdffonts")
    out = subprocess.run([path, "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    # After the name and type: encoding, emb, sub, uni, object number, generation.
    rows = [line.split() for line in out.splitlines()[2:]]
    return [{"name": row[0], "emb": row[-5]} for row in rows]


def pdf_words(pdf: bytes) -> list[tuple[int, float, float, str]]:
    """Every word with its page, left edge and top edge (points), by ``pdftotext -bbox``."""
    html = _run("pdftotext", "-bbox", pdf=pdf)
    words, page = [], 0
    for line in html.splitlines():
        if "<page " in line:
            page += 1
        found = re.search(r'<word xMin="([\d.]+)" yMin="([\d.]+)"[^>]*>([^<]*)</word>', line)
        if found:
            words.append((page, float(found[1]), float(found[2]), found[3]))
    return words


def first_page_pixels(pdf: bytes, dpi: int = 50) -> tuple[int, int, bytes]:
    """The first page as RGB pixels (width, height, bytes), by ``pdftoppm`` (binary PPM)."""
    path = tool("pdftoppm")
    ppm = subprocess.run(
        [path, "-r", str(dpi), "-f", "1", "-l", "1", "-"],
        input=pdf,
        capture_output=True,
        check=True,
    ).stdout
    header = re.match(rb"P6\s+(\d+)\s+(\d+)\s+255\s", ppm)
    assert header, ppm[:20]
    return int(header[1]), int(header[2]), ppm[header.end() :]


def is_red(r: int, g: int, b: int) -> bool:
    return r > 180 and g < 90 and b < 90


def docx_paragraphs(content: bytes) -> list[str]:
    """The non-empty paragraphs of a DOCX, as python-docx reads them."""
    return [p.text for p in docx.Document(io.BytesIO(content)).paragraphs if p.text.strip()]
