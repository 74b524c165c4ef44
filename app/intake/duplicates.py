"""Possible duplicates of a complaint being registered (并单 candidates)."""

from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from app.cases.models import Case, Category, Complainant
from app.cases.workflow import FINAL_STATES
from app.core.phones import PHONE_MIN_DIGITS, normalize_phone
from app.core.types import utcnow
from app.extensions import db
from app.units.models import Unit

SIMILARITY_THRESHOLD = 0.25
CANDIDATE_LIMIT = 50


@dataclass
class Duplicate:
    case: Case
    same_phone: bool
    similarity: float


def bigrams(text: str) -> set[str]:
    """Return the character pairs of ``text`` without spaces (works for Chinese)."""
    text = "".join(text.split()).lower()
    return {text[i : i + 2] for i in range(len(text) - 1)}


def similarity(a: str, b: str) -> float:
    """Return the Jaccard similarity of the two texts' character pairs (0..1)."""
    x, y = bigrams(a), bigrams(b)
    return len(x & y) / len(x | y) if x and y else 0.0


def find_duplicates(draft: dict, visible: sa.Select, limit: int = 5) -> list[Duplicate]:
    """Return open cases the operator may see that repeat the draft, best first.

    A case repeats the draft if it comes from the same phone, or if it is about the
    same unit and category, arrived within the configured window, and reads alike.
    """
    open_cases = visible.where(Case.state.not_in([str(s) for s in FINAL_STATES])).order_by(None)
    found: dict[int, Duplicate] = {}
    phone = normalize_phone(draft.get("phone"))
    if len(phone) >= PHONE_MIN_DIGITS:
        stmt = open_cases.join(Complainant, Case.complainant_id == Complainant.id).where(
            Complainant.phone_normalized == phone
        )
        for case in db.session.scalars(stmt.order_by(Case.id.desc()).limit(limit)):
            found[case.id] = Duplicate(case, True, 0.0)
    text = f"{draft.get('title', '')} {draft.get('content', '')}".strip()
    unit_code, category_code = draft.get("unit_code"), draft.get("category_code")
    if text and unit_code and category_code:
        since = utcnow() - timedelta(days=current_app.config["DUPLICATE_WINDOW_DAYS"])
        stmt = (
            open_cases.join(Unit, Case.respondent_unit_id == Unit.id)
            .join(Category, Case.category_id == Category.id)
            .where(Unit.code == unit_code, Category.code == category_code, Case.created_at >= since)
            .order_by(Case.id.desc())
            .limit(CANDIDATE_LIMIT)
        )
        for case in db.session.scalars(stmt):
            score = similarity(text, f"{case.title} {case.content}")
            if score >= SIMILARITY_THRESHOLD:
                hit = found.setdefault(case.id, Duplicate(case, False, score))
                hit.similarity = score
    ranked = sorted(found.values(), key=lambda d: (d.same_phone, d.similarity), reverse=True)
    return ranked[:limit]
