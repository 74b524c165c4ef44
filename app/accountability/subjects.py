"""New accountability cases and their subjects: shared by referrals and case steps."""

from app.accountability.models import Decision, SubjectType
from app.core.numbering import next_value
from app.extensions import db


def new_acc_case_number(year: int) -> str:
    """Return the next accountability case number of ``year``: WZ2026-0001."""
    return f"WZ{year}-{next_value(f'acc_case:{year}'):04d}"


def new_decision(acc_case, *, staff=None, unit=None, facts: str = "") -> Decision | None:
    """Add a draft decision for a person or a unit; None if the case has it already."""
    unit_id = staff.unit_id if staff is not None else unit.id
    kind = SubjectType.STAFF if staff is not None else SubjectType.UNIT
    for existing in acc_case.decisions:
        if (
            existing.subject_type == kind
            and existing.unit_id == unit_id
            and existing.staff_id == (staff.id if staff else None)
        ):
            return None
    decision = Decision(
        acc_case=acc_case,
        subject_type=kind,
        unit_id=unit_id,
        staff_id=staff.id if staff is not None else None,
        facts=facts,
    )
    db.session.add(decision)
    db.session.flush()
    return decision
