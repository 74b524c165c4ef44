"""PDF for print and archive: the paper's data through one Typst template.

The data goes in as ``sys.inputs.data`` (JSON), never spliced into the template's text:
Typst shows a string from JSON as text, so ``#panic()``, ``$x$`` or ``*bold*`` typed by a
user prints as typed. The output is the same bytes for the same data (the template sets
no creation date), which is what lets a stored document be checked by rendering it again.
"""

import json
from importlib.metadata import version
from pathlib import Path

import typst
from flask import current_app

from app.documents.gongwen import Gongwen
from config import BASE_DIR

TEMPLATE = BASE_DIR / "templates" / "documents" / "gongwen.typ"
RENDERER = f"typst {version('typst')}"
_fonts: dict[tuple[str, ...], typst.Fonts] = {}


def _fonts_in(dirs: tuple[str, ...]) -> typst.Fonts:
    """Return the fonts of ``dirs``, scanned once per process (the scan is most of the cost)."""
    if dirs not in _fonts:
        missing = [d for d in dirs if not Path(d).is_dir()]
        if missing:
            raise RuntimeError(f"font directory not found: {', '.join(missing)}")
        # Only the configured fonts: a paper must not change with what else is installed.
        _fonts[dirs] = typst.Fonts(
            include_system_fonts=False, include_embedded_fonts=False, font_paths=list(dirs)
        )
    return _fonts[dirs]


def render_pdf(paper: Gongwen) -> bytes:
    """Return the paper as an A4 PDF with its fonts embedded."""
    fonts = _fonts_in(tuple(current_app.config["DOCUMENT_FONT_DIRS"]))
    compiler = typst.Compiler(
        TEMPLATE, root=TEMPLATE.parent, font_paths=fonts, ignore_system_fonts=True
    )
    data = json.dumps(paper.printed(), ensure_ascii=False)
    pdf, warnings = compiler.compile_with_warnings(sys_inputs={"data": data})
    # A missing font would silently print in another one: an official paper must not.
    if warnings:
        raise RuntimeError("; ".join(w.message for w in warnings))
    return pdf
