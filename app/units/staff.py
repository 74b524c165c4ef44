"""Staff of each unit as records: the people a complaint names (DESIGN §7).

Administrators keep the lists (create, edit, deactivate, import). An operator who names
someone not on the list creates a pending entry (``app/units/naming.py``), which an
administrator confirms, or merges into the real one. Every change to an entry is on its
own trail (subject ``staff``).
"""

from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from app.core.errors import Conflict
from app.core.labels import register_labels
from app.core.trail import record_event, record_events
from app.core.types import utcnow
from app.core.validation import DB_INT_MAX, FieldErrors
from app.extensions import db
from app.units.models import Staff, Unit

NAME_MAX = 40
POST_MAX = 60

STAFF_FIELD_LABELS = {
    "unit_id": _l("Unit"),
    "name": _l("Name"),
    "post": _l("Post"),
    "into_id": _l("Merge into"),
}

STAFF_EVENT_LABELS = register_labels(
    "staff_event",
    {
        "staff_created": _l("Added to the list"),
        "staff_imported": _l("Added by an import"),
        "staff_updated": _l("Changed"),
        "staff_deactivated": _l("Deactivated"),
        "staff_reactivated": _l("Reactivated"),
        "staff_named_pending": _l("Named at intake, not on the list (pending)"),
        "staff_confirmed": _l("Confirmed"),
        "staff_merged": _l("Merged into another entry"),
        "staff_merged_in": _l("A pending entry was merged in"),
    },
)

# The admin list's filter on an entry's state.
STAFF_STATES = register_labels(
    "staff_state",
    {
        "active": _l("Active"),
        "inactive": _l("Deactivated"),
        "pending": _l("Pending confirmation"),
        "merged": _l("Merged"),
    },
)


def staff_state(entry: Staff) -> str:
    """Return the state an entry is listed under."""
    if entry.merged_into_id is not None:
        return "merged"
    if not entry.confirmed:
        return "pending"
    return "active" if entry.active else "inactive"


def state_clause(state: str):
    """Return the WHERE clause of the entries in ``state`` (see ``STAFF_STATES``)."""
    unmerged = Staff.merged_into_id.is_(None)
    return {
        "active": sa.and_(unmerged, Staff.confirmed.is_(True), Staff.active.is_(True)),
        "inactive": sa.and_(unmerged, Staff.confirmed.is_(True), Staff.active.is_(False)),
        "pending": sa.and_(unmerged, Staff.confirmed.is_(False)),
        "merged": Staff.merged_into_id.is_not(None),
    }[state]


def brief(entry: Staff) -> dict[str, Any]:
    """Return what a trail records of an entry: enough to read it if the entry changes."""
    return {"id": entry.id, "name": entry.name, "post": entry.post, "label": entry.label}


def audit(entry: Staff, actor, action: str, **data) -> None:
    record_event("staff", entry.id, actor, action, data=data)


def find_staff(unit_id: int, name: str, post: str) -> Staff | None:
    """Return the entry of ``unit_id`` with this name and post, following a merge."""
    entry = db.session.scalar(
        sa.select(Staff).where(Staff.unit_id == unit_id, Staff.name == name, Staff.post == post)
    )
    # A slip merged into the real entry is remembered: typed again, it finds the real one.
    seen = set()
    while entry is not None and entry.merged_into is not None and entry.id not in seen:
        seen.add(entry.id)
        entry = entry.merged_into
    return entry


def read_person(errors: FieldErrors, data: dict[str, Any]) -> tuple[str, str]:
    name = errors.text("name", data.get("name"), max_length=NAME_MAX)
    post = errors.text("post", data.get("post"), max_length=POST_MAX, required=False)
    return name, post


def _refuse_clash(errors: FieldErrors, unit_id: int | None, name: str, post: str, entry=None):
    if not (unit_id and name):
        return
    clash = db.session.scalar(
        sa.select(Staff).where(Staff.unit_id == unit_id, Staff.name == name, Staff.post == post)
    )
    if clash is not None and clash is not entry:
        errors.add("name", _l("The unit already has an entry with this name and post."))


def _refuse_merged(entry: Staff) -> None:
    if entry.merged_into_id is not None:
        raise Conflict(
            _l(
                "This entry was merged into %(label)s and can no longer change.",
                label=entry.merged_into.label,
            )
        )


def create_staff(data: dict[str, Any], actor) -> Staff:
    """Add a confirmed, active entry to a unit's list."""
    errors = FieldErrors(STAFF_FIELD_LABELS)
    unit_id = errors.integer("unit_id", data.get("unit_id"), 1, DB_INT_MAX)
    unit = db.session.get(Unit, unit_id) if unit_id else None
    if unit_id and (unit is None or not unit.active):
        errors.add("unit_id", _l("No such unit."))
    name, post = read_person(errors, data)
    _refuse_clash(errors, unit_id, name, post)
    errors.raise_if_any()
    entry = Staff(unit_id=unit.id, name=name, post=post, active=True, confirmed=True)
    db.session.add(entry)
    db.session.flush()
    audit(entry, actor, "staff_created", unit_code=unit.code, **brief(entry))
    return entry


def update_staff(entry: Staff, data: dict[str, Any], actor) -> Staff:
    """Correct an entry's name or post; its unit stays.

    An entry is a person in a post of one unit: someone who moves to another unit gets
    an entry there, so that the cases that named them stay with the unit they were about.
    """
    _refuse_merged(entry)
    errors = FieldErrors(STAFF_FIELD_LABELS)
    name, post = read_person(errors, data)
    _refuse_clash(errors, entry.unit_id, name, post, entry)
    errors.raise_if_any()
    changed = {
        attr: [getattr(entry, attr), new]
        for attr, new in (("name", name), ("post", post))
        if getattr(entry, attr) != new
    }
    if changed:
        entry.name, entry.post = name, post
        db.session.flush()
        audit(entry, actor, "staff_updated", changed=changed)
    return entry


def deactivate_staff(entry: Staff, actor) -> bool:
    """Take an entry off the lists intake offers (it stays on the cases that name it)."""
    _refuse_merged(entry)
    if not entry.active:
        return False
    entry.active = False
    db.session.flush()
    audit(entry, actor, "staff_deactivated")
    return True


def reactivate_staff(entry: Staff, actor) -> bool:
    """Offer a deactivated entry at intake again."""
    _refuse_merged(entry)
    if entry.active:
        return False
    entry.active = True
    db.session.flush()
    audit(entry, actor, "staff_reactivated")
    return True


def pending_staff() -> sa.Select:
    """Return a SELECT of the entries typed at intake and not yet confirmed, by unit."""
    return (
        sa.select(Staff)
        .join(Unit, Unit.id == Staff.unit_id)
        .where(state_clause("pending"))
        .order_by(Unit.tier, Unit.code, Staff.name, Staff.id)
    )


def pending_count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(pending_staff().subquery()))


def confirm_staff(entry: Staff, actor) -> bool:
    """Put a pending entry on its unit's list as a person of its own."""
    _refuse_merged(entry)
    if entry.confirmed:
        return False
    entry.confirmed = True
    db.session.flush()
    audit(entry, actor, "staff_confirmed")
    return True


def merge_candidates(pending: Staff) -> list[Staff]:
    """Return the confirmed entries of the pending entry's unit it may be merged into."""
    return list(
        db.session.scalars(
            sa.select(Staff)
            .where(Staff.unit_id == pending.unit_id, state_clause("active"))
            .order_by(Staff.name, Staff.post, Staff.id)
        )
    )


def merge_staff(pending: Staff, into: Staff, actor) -> int:
    """Merge a pending entry into the real one of its unit; return how many cases moved.

    The cases that named the pending entry name the real one instead (a case that named
    both keeps one link), each with an event on its trail. The pending entry is kept,
    inactive, pointing at the real one, not deleted: the trails recorded its id, an entry
    of another domain may already refer to it, and the same slip typed again at intake
    then finds the real person (``find_staff``) instead of making a new pending entry.
    """
    from app.cases.models import Case, CaseStaff

    errors = FieldErrors(STAFF_FIELD_LABELS)
    if pending.confirmed or pending.merged_into_id is not None:
        errors.add("into_id", _l("Only a pending entry can be merged."))
    elif into.id == pending.id:
        errors.add("into_id", _l("An entry cannot be merged into itself."))
    elif into.unit_id != pending.unit_id:
        errors.add("into_id", _l("Choose an entry of the same unit."))
    elif staff_state(into) != "active":
        errors.add("into_id", _l("Choose an active, confirmed entry."))
    errors.raise_if_any()
    case_ids = list(
        db.session.scalars(sa.select(CaseStaff.case_id).where(CaseStaff.staff_id == pending.id))
    )
    # Set-based: the links to the pending entry move unless the case names the real one too.
    has_into = sa.select(CaseStaff.case_id).where(CaseStaff.staff_id == into.id)
    db.session.execute(
        sa.update(CaseStaff)
        .where(CaseStaff.staff_id == pending.id, CaseStaff.case_id.not_in(has_into))
        .values(staff_id=into.id)
    )
    db.session.execute(sa.delete(CaseStaff).where(CaseStaff.staff_id == pending.id))
    pending.merged_into_id = into.id
    pending.active = False
    db.session.flush()
    # Cases loaded in this session must not keep their old list of staff.
    for case in db.session.identity_map.values():
        if isinstance(case, Case) and case.id in case_ids:
            db.session.expire(case, ["staff"])
    now = utcnow()
    actor_id = getattr(actor, "id", None)
    record_events(
        [
            {
                "subject_type": "case",
                "subject_id": case_id,
                "actor_id": actor_id,
                "action": "staff_merged",
                "at": now,
                "data": {"from": brief(pending), "into": brief(into)},
            }
            for case_id in case_ids
        ]
        + [
            {
                "subject_type": "staff",
                "subject_id": pending.id,
                "actor_id": actor_id,
                "action": "staff_merged",
                "at": now,
                "data": {"into": brief(into), "cases": len(case_ids)},
            },
            {
                "subject_type": "staff",
                "subject_id": into.id,
                "actor_id": actor_id,
                "action": "staff_merged_in",
                "at": now,
                "data": {"from": brief(pending), "cases": len(case_ids)},
            },
        ]
    )
    return len(case_ids)


def staff_of_unit(unit_id: int, *, active_only: bool = True) -> list[Staff]:
    """Return the confirmed entries of a unit (only the active ones, unless told), by name."""
    clause = (
        state_clause("active")
        if active_only
        else sa.and_(Staff.confirmed.is_(True), Staff.merged_into_id.is_(None))
    )
    return list(
        db.session.scalars(
            sa.select(Staff)
            .where(Staff.unit_id == unit_id, clause)
            .order_by(Staff.name, Staff.post, Staff.id)
        )
    )
