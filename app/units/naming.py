"""Which staff a case names: picked from its unit's list, or typed as pending entries.

Intake (hotline, letters, the API) and the center's classifying of a case call the same
functions; the case's trail records each change of the people it names.
"""

from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from wtforms.fields.choices import SelectChoice

from app.core.fields import Field
from app.core.validation import DB_INT_MAX, FieldErrors
from app.extensions import db
from app.units.models import Staff, Unit, UnitKind
from app.units.staff import (
    NAME_MAX,
    POST_MAX,
    audit,
    brief,
    find_staff,
    read_person,
    state_clause,
)

# Picked and typed per case: each picked id is looked up, each typed name may add a row.
MAX_PICKS = 20
MAX_NEW = 10
# How the staff a case names are called in messages (intake, classify, the API).
PICK_LABELS = {
    "respondent_staff_ids": _l("Staff complained about (from the unit's list)"),
    "respondent_staff_new": _l("Staff not on the list"),
    "respondent_staff_new.name": _l("Name of someone not on the list"),
    "respondent_staff_new.post": _l("Their post"),
}
# What a staff picker says when the unit chosen has nobody on its list.
NO_STAFF_LISTED = _l("This unit has nobody on its list: type the name below.")
# The web forms carry one typed person in two boxes; errors on them are shown there.
STAFF_WEB_FIELDS = {
    "respondent_staff_new": "new_staff_name",
    "respondent_staff_new.name": "new_staff_name",
    "respondent_staff_new.post": "new_staff_post",
}


def staff_picker_choices() -> list[SelectChoice]:
    """Return the active staff of every handling unit, grouped by unit, for intake pickers.

    Each option carries its unit's code, so that static/staff-picker.js can keep only the
    unit chosen; without the script all are offered and the service refuses another
    unit's people.
    """
    rows = db.session.execute(
        sa.select(Staff, Unit)
        .join(Unit, Unit.id == Staff.unit_id)
        .where(
            state_clause("active"),
            Unit.active.is_(True),
            Unit.kind != UnitKind.COMPLAINT_CENTER,
        )
        .order_by(Unit.tier, Unit.code, Staff.name, Staff.post, Staff.id)
    )
    return [
        SelectChoice(
            str(entry.id),
            entry.label,
            render_kw={"data-unit": unit.code},
            optgroup=unit.name,
        )
        for entry, unit in rows
    ]


def read_new_staff(errors: FieldErrors, name: str, value) -> list[tuple[str, str]]:
    """Read the people typed as not on the list: [{name, post}], distinct, at most a few."""
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        errors.add(name, _l("Must be a list of objects with name and post."))
        return []
    if len(value) > MAX_NEW:
        errors.add(name, _l("At most %(n)d.", n=MAX_NEW))
        return []
    people: list[tuple[str, str]] = []
    for number, item in enumerate(value, start=1):
        if set(item) - {"name", "post"}:
            errors.add(name, _l("Only name and post may be given."))
            return []
        one = FieldErrors()
        person = read_person(one, item)
        for key, message in one.errors.items():
            shown = (
                message
                if len(value) == 1
                else _l("No. %(n)d: %(message)s", n=number, message=message)
            )
            errors.add(f"{name}.{key}", shown)
        if not one.errors and person not in people:
            people.append(person)
    return people


def read_staff_picks(
    errors: FieldErrors,
    unit: Unit | None,
    ids: list[int],
    typed: list[tuple[str, str]],
    *,
    keep=(),
) -> list[Staff]:
    """Return the entries ``ids`` names, each of ``unit``'s staff, or record why not.

    An entry no longer active is refused unless the case names it already (``keep``):
    correcting a case must not drop the person it was about.
    """
    if not (ids or typed):
        return []
    if unit is None:
        if "respondent_unit_code" not in errors.errors:
            errors.add("respondent_staff_ids", _l("Choose the unit complained about first."))
        return []
    wanted = [i for i in ids if 1 <= i <= DB_INT_MAX]
    found = (
        {s.id: s for s in db.session.scalars(sa.select(Staff).where(Staff.id.in_(wanted)))}
        if wanted
        else {}
    )
    kept = {s.id for s in keep}
    picked = []
    for staff_id in ids:
        entry = found.get(staff_id)
        if entry is None or entry.merged_into_id is not None:
            errors.add("respondent_staff_ids", _l("No such staff member: %(id)s", id=staff_id))
        elif entry.unit_id != unit.id:
            errors.add(
                "respondent_staff_ids",
                _l("%(name)s is not on the staff of %(unit)s.", name=entry.label, unit=unit.name),
            )
        elif not entry.active and entry.id not in kept:
            errors.add(
                "respondent_staff_ids", _l("%(name)s is no longer active.", name=entry.label)
            )
        else:
            picked.append(entry)
    return picked


def link_staff(case, picked: list[Staff], typed: list[tuple[str, str]], actor) -> bool:
    """Make the case name exactly ``picked`` and the people ``typed``; True if that changed.

    A typed person already on the unit's list (confirmed or pending) is that entry; one
    who is not becomes a pending entry for the administrator to confirm or merge.
    """
    entries = list(picked)
    created = []
    for name, post in typed:
        entry = find_staff(case.respondent_unit_id, name, post)
        if entry is None:
            entry = Staff(
                unit_id=case.respondent_unit_id, name=name, post=post, active=True, confirmed=False
            )
            db.session.add(entry)
            created.append(entry)
        if entry not in entries:
            entries.append(entry)
    db.session.flush()
    before = list(case.staff)
    added = [s for s in entries if s not in before]
    removed = [s for s in before if s not in entries]
    for entry in created:
        audit(entry, actor, "staff_named_pending", unit_code=case.respondent_unit.code)
    if not (added or removed):
        return False
    case.staff = entries
    db.session.flush()
    from app.cases.engine import record_case_event

    record_case_event(
        case,
        actor,
        "name_staff",
        data={
            "staff": [brief(s) for s in entries],
            "added": [brief(s) for s in added],
            "removed": [brief(s) for s in removed],
            "pending": [s.id for s in entries if not s.confirmed],
        },
    )
    return True


def name_staff_for_case(case, staff_ids, new_names, actor) -> bool:
    """Name the staff a case is about, from its unit's list or typed; True if that changed.

    ``staff_ids`` are entries of the case's respondent unit (another unit's are refused);
    ``new_names`` are [{name, post}] of people not on the list, added as pending entries.
    """
    errors = FieldErrors(PICK_LABELS)
    ids = errors.id_list("respondent_staff_ids", staff_ids, max_items=MAX_PICKS)
    typed = read_new_staff(errors, "respondent_staff_new", new_names)
    picked = read_staff_picks(errors, case.respondent_unit, ids, typed, keep=case.staff)
    errors.raise_if_any()
    return link_staff(case, picked, typed, actor)


class NewStaffField(Field):
    """People not on the unit's list: [{name, post}] in JSON, a name and a post on the web."""

    json_type = "array"

    def read(self, value, errors: FieldErrors) -> list[tuple[str, str]]:
        return read_new_staff(errors, self.name, value)

    def json_schema(self) -> dict:
        return {
            **super().json_schema(),
            "items": NEW_STAFF_ITEM,
            "maxItems": MAX_NEW,
        }

    def form_fields(self) -> dict[str, Any]:
        from wtforms import StringField

        return {
            "new_staff_name": StringField(
                _l("Not on the list: name"), render_kw={"maxlength": NAME_MAX}
            ),
            "new_staff_post": StringField(
                _l("Their post (optional)"), render_kw={"maxlength": POST_MAX}
            ),
        }

    def read_form(self, form) -> list[dict[str, str]]:
        return typed_on_form(form.new_staff_name.data, form.new_staff_post.data)

    def form_name(self, error_name: str) -> str | None:
        if error_name == self.name or error_name.startswith(f"{self.name}."):
            return STAFF_WEB_FIELDS.get(error_name)
        return None


NEW_STAFF_ITEM = {
    "type": "object",
    "properties": {
        "name": {"type": "string", "minLength": 1, "maxLength": NAME_MAX},
        "post": {"type": "string", "maxLength": POST_MAX, "nullable": True},
    },
    "required": ["name"],
    "additionalProperties": False,
}


def typed_on_form(name, post) -> list[dict[str, str]]:
    """Return the person typed in a web form's two boxes as the API's list (empty if none)."""
    name = name if isinstance(name, str) else ""
    post = post if isinstance(post, str) else ""
    return [{"name": name, "post": post}] if (name.strip() or post.strip()) else []


def web_errors(fields: dict[str, str]) -> dict[str, str]:
    """Return service errors keyed by the web form's fields for the people typed."""
    return {STAFF_WEB_FIELDS.get(name, name): message for name, message in fields.items()}
