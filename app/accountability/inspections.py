"""Inspections (明查暗访): the inspectors' own findings enter the system.

A finding about a unit's service becomes a complaint case on the inspection channel,
handled and supervised like any other; a finding about a person becomes a referral
in the office's own queue. Each finding becomes exactly one of them (unique keys).
"""

from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l

from app.accountability.models import (
    INSPECTION_FINDING_LABELS,
    Inspection,
    InspectionFinding,
    InspectionFindingKind,
    ReferralOrigin,
    SourceKind,
)
from app.accountability.referrals import add_referral
from app.accountability.specs import staff_by_id
from app.cases.models import Channel
from app.cases.services import start_screening
from app.core.trail import record_event
from app.core.types import utcnow
from app.core.validation import FieldErrors
from app.deadlines.workdays import to_local
from app.extensions import db
from app.intake.services import register_case
from app.units.services import get_unit_by_code

TEXT_MAX = 5000

INSPECTION_LABELS = {
    "held_on": _l("Date"),
    "place": _l("Place"),
    "team": _l("Team"),
    "notes": _l("What was found"),
}
FINDING_LABELS = {
    "kind": _l("The finding is"),
    "unit_code": _l("Unit"),
    "staff": _l("Person"),
    "category_code": _l("Category"),
    "title": _l("Title"),
    "text": _l("Finding"),
}


def _read_date(errors: FieldErrors, name: str, value) -> date | None:
    if not isinstance(value, str) or not value.strip():
        errors.add(name, _l("This field is required."))
        return None
    try:
        day = date.fromisoformat(value.strip())
    except ValueError:
        errors.add(name, _l("Not a date (YYYY-MM-DD)."))
        return None
    if day > to_local(utcnow()).date():
        errors.add(name, _l("The date cannot be in the future."))
        return None
    return day


def record_inspection(data: dict[str, Any], actor) -> Inspection:
    """Record an inspection of the actor's office: when, where, who went, what they saw."""
    errors = FieldErrors(INSPECTION_LABELS)
    held_on = _read_date(errors, "held_on", data.get("held_on"))
    place = errors.text("place", data.get("place"), max_length=200)
    team = errors.text("team", data.get("team"), max_length=200)
    notes = errors.text(
        "notes", data.get("notes"), max_length=TEXT_MAX, required=False, multiline=True
    )
    errors.raise_if_any()
    inspection = Inspection(
        organ_id=actor.unit_id,
        held_on=held_on,
        place=place,
        team=team,
        notes=notes,
        created_by_id=actor.id,
    )
    db.session.add(inspection)
    db.session.flush()
    record_event(
        "inspection",
        inspection.id,
        actor,
        "record",
        data={"held_on": held_on.isoformat(), "place": place, "team": team},
        at=utcnow(),
    )
    return inspection


def add_finding(inspection: Inspection, data: dict[str, Any], actor) -> InspectionFinding:
    """Add what an inspection found and turn it into a complaint case or a referral."""
    errors = FieldErrors(FINDING_LABELS)
    kind = errors.choice(
        "kind", data.get("kind"), list(InspectionFindingKind), labels=INSPECTION_FINDING_LABELS
    )
    code = errors.text("unit_code", data.get("unit_code"), max_length=40)
    unit = get_unit_by_code(code) if code else None
    if code and unit is None:
        errors.add("unit_code", _l("No such unit."))
    staff_code = errors.text("staff", data.get("staff"), max_length=10, required=False)
    staff = staff_by_id(staff_code) if staff_code else None
    if staff_code and staff is None:
        errors.add("staff", _l("No such person on the staff lists."))
    if kind == InspectionFindingKind.PERSON and not staff_code and "staff" not in errors.errors:
        errors.add("staff", _l("Name the person the finding is about."))
    if staff is not None and unit is not None and staff.unit_id != unit.id:
        errors.add("staff", _l("This person is not on the staff of that unit."))
    text = errors.text("text", data.get("text"), max_length=TEXT_MAX, multiline=True)
    title = errors.text(
        "title",
        data.get("title"),
        max_length=200,
        required=kind == InspectionFindingKind.UNIT_SERVICE,
    )
    errors.raise_if_any()
    finding = InspectionFinding(
        inspection=inspection,
        kind=kind,
        unit_id=unit.id,
        staff_id=staff.id if staff is not None else None,
        text=text,
    )
    db.session.add(finding)
    db.session.flush()
    place = f"{inspection.held_on.isoformat()} {inspection.place}"
    if kind == InspectionFindingKind.UNIT_SERVICE:
        case = register_case(
            {
                "channel": Channel.INSPECTION,
                # The team speaks for the inspection; it is reached through its office.
                "complainant": {
                    "name": inspection.team[:80],
                    "address": inspection.organ.name,
                    "anonymous": False,
                },
                "respondent_unit_code": unit.code,
                "category_code": data.get("category_code"),
                "title": title,
                "content": f"{text}\n（明查暗访：{place}，{inspection.team}）",
            },
            actor,
            screen_now=False,
        )
        # Into screening as the system moves a new case: the center screens it as any other.
        start_screening(case, None, {})
        finding.case_id = case.id
    else:
        add_referral(
            ReferralOrigin.INSPECTION,
            unit,
            f"{text}（明查暗访：{place}）",
            [(SourceKind.INSPECTION_FINDING, finding.id, None)],
            staff=staff,
            actor=actor,
        )
    record_event(
        "inspection",
        inspection.id,
        actor,
        "finding",
        data={"finding_id": finding.id, "kind": kind, "case_id": finding.case_id},
        at=utcnow(),
    )
    db.session.flush()
    return finding
