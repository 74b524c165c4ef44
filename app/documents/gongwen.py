"""The shape of every official paper (公文), whatever its kind: what the engine prints.

A kind of document (a 督办单, a 决定书, ...) builds a ``Gongwen`` from its own source; the
engine (``pdf.py``, ``word.py``) knows nothing of cases or warnings, only this. The data
is stored with the document as JSON (``to_data``), so that the paper can be rendered
again, byte for byte, from what it was made of.
"""

from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any


def cn_date(day: date) -> str:
    """Return ``day`` as official papers print it: 2026年3月5日, no zero padding."""
    return f"{day.year}年{day.month}月{day.day}日"


@dataclass(frozen=True)
class Section:
    """A headed part of the body (一、办理要求), with its paragraphs."""

    heading: str
    paragraphs: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Gongwen:
    """One official paper laid out per GB/T 9704-2012.

    ``organ`` issues it (中共澄川县纪律检查委员会); ``mark`` is the red issuing-organ mark
    at the top (澄川县纪委监委文件); ``number`` the document number (澄纪效告〔2026〕3号),
    empty for a paper that has none; ``addressee`` whom it is sent to, colon included
    (县自然资源局：, 张某某同志：). The body is ``paragraphs`` of plain text, then optional
    ``sections``; ``signature`` and ``date`` close it; ``cc`` (抄送) and ``printed_by`` /
    ``printed_on`` (印发) make the block at the foot of the last page. Every string is
    printed as it is: nothing in it is markup.

    ``for_respondent`` is true when the paper goes to the unit or the person complained
    about: such a paper never carries the complainant's identity (DESIGN §8), which the
    builder of each kind answers for.
    """

    organ: str
    title: str
    signature: str
    date: date
    mark: str = ""
    number: str = ""
    addressee: str = ""
    paragraphs: list[str] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)
    cc: list[str] = field(default_factory=list)
    printed_by: str = ""
    printed_on: date | None = None
    for_respondent: bool = False

    def to_data(self) -> dict[str, Any]:
        """Return the paper as JSON-ready data (dates as ISO strings), as it is stored."""
        data = asdict(self)
        data["date"] = self.date.isoformat()
        data["printed_on"] = self.printed_on.isoformat() if self.printed_on else None
        return data

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> "Gongwen":
        """Rebuild a paper from stored data; raise ValueError if it is not one."""
        if not isinstance(data, dict):
            raise ValueError("document data must be an object")
        known = set(cls.__dataclass_fields__)
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValueError(f"unknown document field(s): {', '.join(unknown)}")
        values = dict(data)
        try:
            values["date"] = date.fromisoformat(values["date"])
            if values.get("printed_on"):
                values["printed_on"] = date.fromisoformat(values["printed_on"])
            values["sections"] = [Section(**s) for s in values.get("sections") or []]
            paper = cls(**values)
        except (KeyError, TypeError) as error:
            raise ValueError(f"not a document: {error}") from None
        paper.check()
        return paper

    def check(self) -> None:
        """Raise ValueError unless every field holds what the layout expects."""
        for name in ("organ", "title", "signature", "mark", "number", "addressee", "printed_by"):
            if not isinstance(getattr(self, name), str):
                raise ValueError(f"{name} must be text")
        if not self.title.strip() or not self.signature.strip():
            raise ValueError("a document needs a title and a signature")
        lists = {"paragraphs": self.paragraphs, "cc": self.cc}
        lists.update({f"section {s.heading!r}": s.paragraphs for s in self.sections})
        for name, values in lists.items():
            if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
                raise ValueError(f"{name} must be a list of texts")
        if not all(isinstance(s.heading, str) for s in self.sections):
            raise ValueError("a section heading must be text")
        if not isinstance(self.date, date) or not (
            self.printed_on is None or isinstance(self.printed_on, date)
        ):
            raise ValueError("date and printed_on must be dates")
        if not isinstance(self.for_respondent, bool):
            raise ValueError("for_respondent must be true or false")

    def printed(self) -> dict[str, Any]:
        """Return the paper as the templates print it: every date in words."""
        data = asdict(self)
        data["date"] = cn_date(self.date)
        data["printed_on"] = cn_date(self.printed_on) if self.printed_on else ""
        return data
