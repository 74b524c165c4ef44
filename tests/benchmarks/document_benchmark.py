"""Benchmark of rendering an official paper (a script, not a test; prints numbers).

    .venv/bin/python -m tests.benchmarks.document_benchmark [--warm 20]

Renders a two-page notice as a worker does: the first (cold) render in this process
pays for importing the engine and reading the fonts; the warm ones that follow are
each a new paper (another number, another case), as a worker's next jobs are. Each
measurement is printed for the PDF (Typst) and the DOCX (python-docx) apart.
"""

import argparse
import re
import statistics
import time
from datetime import date

BODY = (
    "你单位承办的第CC2026-{n:06d}号投诉件（失业保险金申领超期），办理时限已于2026年3月5日"
    "届满，截至2026年3月12日尚未办结，已超期5个工作日。根据限时办结制有关规定，现予督办。"
)


def notice(n: int):
    """A two-page 督办单, different for every ``n``."""
    from app.documents.gongwen import Gongwen, Section

    return Gongwen(
        organ="澄川县机关效能投诉中心",
        mark="澄川县机关效能投诉中心",
        number=f"澄效督〔2026〕{n}号",
        title="督办单",
        addressee="澄川县人力资源和社会保障局：",
        paragraphs=[BODY.format(n=n) * 2] * 4,
        sections=[Section("督办要求", ["请你单位于2026年3月17日前办结并报送答复。"])],
        signature="澄川县机关效能投诉中心",
        date=date(2026, 3, 12),
        cc=["澄川县纪委监委"],
        printed_by="澄川县机关效能投诉中心",
        printed_on=date(2026, 3, 12),
        for_respondent=True,
    )


def _timed(func, *args) -> tuple[float, object]:
    started = time.perf_counter()
    result = func(*args)
    return time.perf_counter() - started, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--warm", type=int, default=20, help="Warm renders after the first.")
    args = parser.parse_args()

    started = time.perf_counter()
    import typst  # noqa: F401  (timed on its own: the engine's share of a cold start)

    engine_imported = time.perf_counter() - started
    started = time.perf_counter()
    from app import create_app
    from app.documents import pdf as pdf_engine
    from app.documents import word as docx_engine

    imported = time.perf_counter() - started
    app = create_app("testing", SQLALCHEMY_DATABASE_URI="sqlite://")
    with app.app_context():
        cold_pdf, first = _timed(pdf_engine.render_pdf, notice(1))
        cold_docx, _ = _timed(docx_engine.render_docx, notice(1))
        warm_pdf, warm_docx = [], []
        for n in range(2, args.warm + 2):
            paper = notice(n)
            warm_pdf.append(_timed(pdf_engine.render_pdf, paper)[0])
            warm_docx.append(_timed(docx_engine.render_docx, paper)[0])
        same, _ = _timed(pdf_engine.render_pdf, notice(1))
    pages = re.search(rb"/Type/Pages/Count (\d+)", first)
    print(
        f"{pdf_engine.RENDERER}, {docx_engine.RENDERER}; "
        f"a {len(first):,}-byte PDF of {pages[1].decode() if pages else '?'} pages"
    )
    print(f"import of typst: {engine_imported:.3f} s; of the app and python-docx: {imported:.3f} s")
    print(f"PDF  cold (fonts read): {cold_pdf:.3f} s")
    print(
        f"PDF  warm, a new paper each: median {statistics.median(warm_pdf):.3f} s, "
        f"min {min(warm_pdf):.3f}, max {max(warm_pdf):.3f} ({len(warm_pdf)} renders)"
    )
    print(f"PDF  warm, the same paper again: {same:.4f} s")
    print(f"DOCX cold: {cold_docx:.3f} s")
    print(f"DOCX warm: median {statistics.median(warm_docx):.3f} s, max {max(warm_docx):.3f}")


if __name__ == "__main__":
    main()
