"""Registering a complaint: the one path every channel takes into the system."""

import secrets
from datetime import date
from typing import Any

from babel.lists import format_list
from flask import current_app
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from app.auth.models import User
from app.cases.categories import read_category
from app.cases.engine import record_case_event
from app.cases.models import (
    CHANNEL_LABELS,
    SUBJECT_KIND_LABELS,
    URGENCY_LABELS,
    Case,
    Channel,
    Complainant,
    SubjectKind,
    Urgency,
)
from app.cases.services import start_screening
from app.cases.workflow import State
from app.core.errors import Forbidden
from app.core.numbering import next_value
from app.core.phones import PHONE_MIN_DIGITS, normalize_phone
from app.core.types import utcnow
from app.core.validation import FieldErrors
from app.deadlines.services import start_clock
from app.deadlines.workdays import to_local
from app.extensions import db
from app.intake.receipts import send_receipt
from app.units.naming import (
    MAX_PICKS,
    PICK_LABELS,
    link_staff,
    read_new_staff,
    read_staff_picks,
)
from app.units.services import read_unit

# Unambiguous characters for codes read out over the phone (no 0/O, 1/I/L).
_TRACKING_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
TITLE_MAX = 200
NAME_MAX = 80
CONTENT_MAX = 20000
# How a complaint's fields are called in messages (the API, and pages without the field).
COMPLAINT_LABELS = {
    "channel": _l("Channel"),
    "complainant": _l("Complainant"),
    "complainant.anonymous": _l("Anonymous"),
    "complainant.name": _l("Name"),
    "complainant.phone": _l("Phone"),
    "complainant.email": _l("E-mail"),
    "complainant.address": _l("Address"),
    "respondent_unit_code": _l("Unit complained about"),
    "category_code": _l("Category"),
    "subject_kind": _l("Complaint is about"),
    "urgency": _l("Urgency"),
    "respondent_staff": _l("Staff named"),
    **PICK_LABELS,
    "call_reference": _l("Call reference"),
    "letter_box": _l("Complaint box"),
    "letter_collected_on": _l("Date collected"),
    "title": _l("Title"),
    "content": _l("What happened"),
}
CONTACT_FIELDS = ("phone", "email", "address")
# No complaint box was emptied before this: an earlier date is a typing error.
EARLIEST_DATE = date(2000, 1, 1)


def new_tracking_code() -> str:
    """Return a random 12-character public tracking code."""
    return "".join(secrets.choice(_TRACKING_ALPHABET) for _ in range(12))


def new_case_number(at) -> str:
    """Return the next gap-free case number of the year, e.g. CC2026-000123."""
    prefix = current_app.config["CASE_NUMBER_PREFIX"]
    year = at.year
    return f"{prefix}{year}-{next_value(f'case:{prefix}:{year}'):06d}"


def _read_past_date(errors: FieldErrors, name: str, value) -> date | None:
    """Read a date (a date or an ISO string) that is not in the future."""
    if value is None or value == "":
        errors.add(name, _l("This field is required."))
        return None
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value.strip())
        except ValueError:
            errors.add(name, _l("Not a date (YYYY-MM-DD)."))
            return None
    if not isinstance(value, date):
        errors.add(name, _l("Not a date (YYYY-MM-DD)."))
        return None
    if value > to_local(utcnow()).date():
        errors.add(name, _l("The date cannot be in the future."))
        return None
    if value < EARLIEST_DATE:
        errors.add(name, _l("Not before %(date)s.", date=EARLIEST_DATE.isoformat()))
        return None
    return value


def _given(value, default):
    """Return ``value``, or ``default`` when it was not given (null or left out)."""
    return default if value is None else value


def _validate_complainant(person: dict, errors: FieldErrors, out: dict) -> None:
    anonymous = person.get("anonymous", False)
    if not isinstance(anonymous, bool):
        errors.add("complainant.anonymous", _l("Must be true or false."))
        anonymous = False
    out["anonymous"] = anonymous
    out["name"] = errors.text(
        "complainant.name", person.get("name"), max_length=NAME_MAX, required=not anonymous
    )
    out["phone"] = errors.phone("complainant.phone", person.get("phone"), required=False)
    out["email"] = errors.email("complainant.email", person.get("email"), required=False)
    out["address"] = errors.text(
        "complainant.address", person.get("address"), max_length=200, required=False
    )
    no_contact = not (out["phone"] or out["email"] or out["address"])
    if not anonymous and no_contact and "complainant.phone" not in errors.errors:
        errors.add("complainant.phone", _contact_needed(person))


def _contact_needed(person: dict):
    """Ask for a way to reply, naming only the contact fields the sender was offered."""
    offered = [k for k in CONTACT_FIELDS if k in person] or list(CONTACT_FIELDS)
    names = [str(COMPLAINT_LABELS[f"complainant.{k}"]) for k in offered]
    if len(names) == 1:
        return _l("Give the %(field)s so that the reply can reach the complainant.", field=names[0])
    return _l(
        "Give at least one of %(fields)s so that the reply can reach the complainant.",
        fields=format_list(names, "or", locale=get_locale()),
    )


def validate_complaint(data: dict[str, Any]) -> dict[str, Any]:
    """Check a complaint's fields and return them cleaned; raise naming every bad field."""
    errors = FieldErrors(COMPLAINT_LABELS)
    out: dict[str, Any] = {}
    out["channel"] = errors.choice(
        "channel", data.get("channel"), list(Channel), labels=CHANNEL_LABELS
    )
    person = data.get("complainant")
    if isinstance(person, dict):
        _validate_complainant(person, errors, out)
    else:
        errors.add("complainant", _l("Must be an object with name, phone and anonymous."))
    # An e-mail names no unit or category: the operator classifies it while screening.
    required = out["channel"] != Channel.EMAIL
    out["unit"] = read_unit(
        errors, "respondent_unit_code", data.get("respondent_unit_code"), required=required
    )
    out["category"] = read_category(
        errors, "category_code", data.get("category_code"), required=required
    )
    out["subject_kind"] = errors.choice(
        "subject_kind",
        _given(data.get("subject_kind"), SubjectKind.UNIT),
        list(SubjectKind),
        labels=SUBJECT_KIND_LABELS,
    )
    out["urgency"] = errors.choice(
        "urgency", _given(data.get("urgency"), Urgency.NORMAL), list(Urgency), labels=URGENCY_LABELS
    )
    out["respondent_staff"] = errors.text(
        "respondent_staff", data.get("respondent_staff"), max_length=120, required=False
    )
    # The staff records named, of the unit complained about (the free text above stays).
    ids = errors.id_list(
        "respondent_staff_ids", data.get("respondent_staff_ids"), max_items=MAX_PICKS
    )
    out["staff_new"] = read_new_staff(
        errors, "respondent_staff_new", data.get("respondent_staff_new")
    )
    out["staff"] = read_staff_picks(errors, out["unit"], ids, out["staff_new"])
    out["call_reference"] = errors.text(
        "call_reference", data.get("call_reference"), max_length=64, required=False
    )
    # Checked whatever the channel (a wrong value is an error, not ignored); kept for letters.
    letter = out["channel"] == Channel.LETTER
    box = errors.text("letter_box", data.get("letter_box"), max_length=80, required=letter)
    collected = data.get("letter_collected_on")
    if letter or collected is not None:
        collected = _read_past_date(errors, "letter_collected_on", collected)
    out["letter_box"], out["letter_collected_on"] = (box, collected) if letter else ("", None)
    out["title"] = errors.text("title", data.get("title"), max_length=TITLE_MAX)
    out["content"] = errors.text(
        "content", data.get("content"), max_length=CONTENT_MAX, multiline=True
    )
    errors.raise_if_any()
    return out


def register_case(data: dict[str, Any], actor: User | None, *, screen_now: bool = True) -> Case:
    """Register a complaint; staff intake goes straight into screening (首问负责)."""
    fields = validate_complaint(data)
    if actor is None and (fields["staff"] or fields["staff_new"]):
        # Citizens name people as free text: only the center's staff create records.
        raise Forbidden(_l("Only complaint-center staff name staff records."))
    now = utcnow()
    complainant = Complainant(
        name=fields["name"],
        phone=fields["phone"],
        email=fields["email"],
        address=fields["address"],
        anonymous=fields["anonymous"],
        created_at=now,
    )
    db.session.add(complainant)
    db.session.flush()
    case = Case(
        number=new_case_number(now),
        tracking_code=new_tracking_code(),
        channel=fields["channel"],
        entered_by_id=actor.id if actor else None,
        complainant_id=complainant.id,
        respondent_unit_id=fields["unit"].id if fields["unit"] else None,
        respondent_staff=fields["respondent_staff"],
        subject_kind=fields["subject_kind"],
        category_id=fields["category"].id if fields["category"] else None,
        urgency=fields["urgency"],
        title=fields["title"],
        content=fields["content"],
        call_reference=fields["call_reference"],
        letter_box=fields["letter_box"],
        letter_collected_on=fields["letter_collected_on"],
        state=State.REGISTERED,
        created_at=now,
        updated_at=now,
    )
    db.session.add(case)
    db.session.flush()
    start_clock(case, "screen", now)
    record_case_event(
        case,
        actor,
        "register",
        to_state=State.REGISTERED,
        data={
            "channel": case.channel,
            "call_reference": case.call_reference,
            "letter_box": case.letter_box,
        },
        at=now,
    )
    if fields["staff"] or fields["staff_new"]:
        link_staff(case, fields["staff"], fields["staff_new"], actor)
    if screen_now:
        start_screening(case, actor, {})
    send_receipt(case)
    db.session.flush()
    return case


def earlier_cases_by_phone(phone: str, visible_stmt, limit: int = 10) -> list[Case]:
    """Return the caller's earlier cases that the operator may see, newest first."""
    phone = normalize_phone(phone)
    if len(phone) < PHONE_MIN_DIGITS:
        return []
    stmt = (
        visible_stmt.join(Complainant, Case.complainant_id == Complainant.id)
        .where(Complainant.phone_normalized == phone)
        .limit(limit)
    )
    return list(db.session.scalars(stmt))
