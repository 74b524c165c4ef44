"""JSON endpoints: thin wrappers over the same services the web UI uses."""

import hashlib
import json

import sqlalchemy as sa
from flask import current_app, g, jsonify, request, url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from app.api import bp
from app.api.auth import token_required
from app.api.body import json_object
from app.api.models import IdempotencyKey
from app.api.openapi import build_openapi
from app.api.openapi_parts import MAX_PAGE
from app.api.schema import CASE_FIELDS, COMPLAINANT_FIELDS, action_fields
from app.auth.models import CASE_READER_ROLES, CENTER_ROLES
from app.cases.access import (
    ACCESS_LOG_ROLES,
    complainant_view,
    get_visible_or_404,
    identity_access_log,
    log_identity_view,
    may_see_identity,
)
from app.cases.actions import perform_action
from app.cases.models import Case, Category, SubjectKind
from app.cases.queries import ALL, Q_MAX, log_identity_search, read_filter, worklist_select
from app.cases.workflow import ACTIONS, allowed_actions, case_status, clock_that_matters
from app.core.access_log import AccessChannel
from app.core.errors import Conflict, NotFound, ValidationFailed
from app.core.permissions import roles_required
from app.core.types import utcnow
from app.core.validation import labelled
from app.extensions import db
from app.intake.services import register_case
from app.units.services import list_units


def _refuse_unknown(data: dict, allowed: dict, prefix: str = "") -> None:
    unknown = sorted(set(data) - set(allowed))
    if unknown:
        raise ValidationFailed(
            f"Unknown field(s): {', '.join(prefix + u for u in unknown)}",
            fields={prefix + u: "Unknown field." for u in unknown},
        )


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def _deadline(case: Case, now) -> dict | None:
    clock = clock_that_matters(case)
    if clock is None:
        return None
    return {"kind": clock.kind, "due_at": _iso(clock.due_at), "overdue": clock.due_at < now}


def case_summary(case: Case) -> dict:
    return {
        "id": case.id,
        "number": case.number,
        "state": case.state,
        "status": case_status(case),
        "deadline": _deadline(case, utcnow()),
        "channel": case.channel,
        "title": case.title,
        "urgency": case.urgency,
        "respondent_unit_code": case.respondent_unit.code if case.respondent_unit else None,
        "category_code": case.category.code if case.category else None,
        "created_at": _iso(case.created_at),
        "version": case.version,
    }


def case_detail(case: Case, user) -> dict:
    body = case_summary(case)
    body.update(
        content=case.content,
        subject_kind=case.subject_kind,
        entered_by=case.entered_by.username if case.entered_by else None,
        letter_box=case.letter_box,
        letter_collected_on=case.letter_collected_on.isoformat()
        if case.letter_collected_on
        else None,
        public_reply=case.public_reply,
        respondent_staff=case.respondent_staff,
        staff=[
            {"id": s.id, "name": s.name, "post": s.post, "confirmed": s.confirmed}
            for s in case.staff
        ],
        finding=case.finding,
        duplicate_of=case.duplicate_of.number if case.duplicate_of else None,
        reopen_count=case.reopen_count,
        redo_count=case.redo_count,
        complainant=complainant_view(case, user),
        assignments=[
            {
                "unit_code": a.unit.code,
                "role": a.role,
                "dispatched_at": _iso(a.dispatched_at),
                "signed_at": _iso(a.signed_at),
                "ended_at": _iso(a.ended_at),
            }
            for a in case.assignments
        ],
        clocks=[
            {
                "kind": c.kind,
                "limit": {"unit": c.limit_unit, "amount": c.limit_amount},
                "started_at": _iso(c.started_at),
                "due_at": _iso(c.due_at),
                "provisional": c.provisional,
                "stopped_at": _iso(c.stopped_at),
                "late": c.late,
            }
            for c in case.clocks
        ],
        events=[
            {
                "at": _iso(e.at),
                "action": e.action,
                "actor": e.actor.username if e.actor else None,
                "acting_for": e.acting_for.username if e.acting_for else None,
                "from_state": e.from_state,
                "to_state": e.to_state,
                "data": e.data,
            }
            for e in case.events
        ],
        allowed_actions=allowed_actions(case, user),
    )
    if may_see_identity(user):
        body["tracking_code"] = case.tracking_code
    return body


@bp.get("/openapi.json")
def openapi():
    """Return the OpenAPI 3 document of this API."""
    return jsonify(build_openapi(url_for("api.me", _external=True).rsplit("/me", 1)[0]))


@bp.get("/me")
@token_required
def me():
    """Return the caller's username, roles and unit."""
    user = g.api_user
    return jsonify(
        username=user.username,
        name=user.name,
        roles=sorted(user.roles),
        unit={"code": user.unit.code, "name": user.unit.name} if user.unit else None,
    )


@bp.get("/units")
@token_required
def units():
    """Return the active units with their stable codes and tree links."""
    items = [
        {
            "code": u.code,
            "name": u.name,
            "tier": u.tier,
            "kind": u.kind,
            "parent_code": u.parent.code if u.parent else None,
            "supervisor_code": u.supervisor.code if u.supervisor else None,
        }
        for u in list_units()
    ]
    return jsonify(items=items)


@bp.get("/categories")
@token_required
def categories():
    """Return the active complaint categories."""
    rows = db.session.scalars(
        sa.select(Category).where(Category.active.is_(True)).order_by(Category.position)
    )
    return jsonify(
        items=[
            {"code": c.code, "name": c.name, "severity": c.severity, "handle_days": c.handle_days}
            for c in rows
        ]
    )


@bp.post("/cases")
@token_required
@roles_required(*CENTER_ROLES, message="Only complaint-center staff register cases.")
def create_case():
    """Register a complaint; an Idempotency-Key makes retries return the first case."""
    user = g.api_user
    data = json_object()
    _refuse_unknown(data, CASE_FIELDS)
    if isinstance(data.get("complainant"), dict):
        _refuse_unknown(data["complainant"], COMPLAINANT_FIELDS, "complainant.")
    key = _idempotency_key()
    digest = hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()
    if key is not None:
        replay = _replay(user, key, digest)
        if replay is not None:
            return replay
    case = register_case(data, user)
    if key is not None:
        db.session.add(
            IdempotencyKey(user_id=user.id, key=key, case_id=case.id, request_hash=digest)
        )
    try:
        db.session.commit()
    except IntegrityError:
        # Another request with the same key committed first: answer with its case.
        db.session.rollback()
        replay = _replay(user, key, digest)
        if replay is None:
            raise
        return replay
    return _created(case)


def _idempotency_key() -> str | None:
    key = request.headers.get("Idempotency-Key")
    if key is None:
        return None
    key = key.strip()
    if not 1 <= len(key) <= 200 or not key.isprintable():
        raise ValidationFailed(
            "Idempotency-Key must be 1 to 200 printable characters.",
            fields={"Idempotency-Key": "1 to 200 printable characters."},
        )
    return key


def _replay(user, key: str, digest: str):
    """Return the response of the first request with this key, or None if there was none."""
    row = db.session.scalar(
        sa.select(IdempotencyKey).where(
            IdempotencyKey.user_id == user.id, IdempotencyKey.key == key
        )
    )
    if row is None:
        return None
    if row.request_hash != digest:
        raise Conflict("This Idempotency-Key was used with a different request body.")
    response = _created(db.session.get(Case, row.case_id))
    response.headers["Idempotent-Replayed"] = "true"
    return response


def _created(case: Case):
    response = jsonify(
        {
            "id": case.id,
            "number": case.number,
            "tracking_code": case.tracking_code,
            "state": case.state,
            "channel": case.channel,
            "version": case.version,
        }
    )
    response.status_code = 201
    response.headers["Location"] = url_for("api.get_case", case_id=case.id)
    return response


@bp.get("/cases")
@token_required
@roles_required(*CASE_READER_ROLES, message="Administrators do not read complaint content.")
def list_cases():
    """List visible cases, searched, filtered and sorted as on the worklist (all states)."""
    user = g.api_user
    f, bad = read_filter(request.args, default_state=ALL)
    errors = {name: str(message) for name, message in bad.items()}
    # A page's empty box means "any"; to the API an empty choice or date is a mistake,
    # as its document says (only free text may be empty).
    for name in CHOICE_PARAMETERS:
        if request.args.get(name) == "":
            errors.setdefault(name, "Must not be empty.")
    if len(request.args.get("q", "")) > Q_MAX:
        errors.setdefault("q", f"At most {Q_MAX} characters.")
    if request.args.get("carded", "true") not in ("true", "false", "1", "0"):
        errors.setdefault("carded", "Must be true or false.")
    page, per_page = _paging(errors)
    if errors:
        raise ValidationFailed("Invalid query parameters.", fields=errors)
    result = db.paginate(worklist_select(user, f), page=page, per_page=per_page, error_out=False)
    body = _page_body(result, case_summary)
    log_identity_search(user, f, result.items, AccessChannel.API_SEARCH)
    db.session.commit()
    return jsonify(body)


# The list's parameters that are a choice, a date or a flag: never empty.
CHOICE_PARAMETERS = ("state", "channel", "sort", "received_from", "received_to", "carded")


def _paging(errors: dict) -> tuple[int | None, int | None]:
    """Read ``page`` and ``per_page`` from the query string, noting bad values in ``errors``."""
    page = _int_arg("page", 1, errors)
    per_page = _int_arg("per_page", current_app.config["API_PAGE_SIZE"], errors)
    if per_page is not None and not 1 <= per_page <= current_app.config["API_MAX_PAGE_SIZE"]:
        errors["per_page"] = f"Must be between 1 and {current_app.config['API_MAX_PAGE_SIZE']}."
    if page is not None and not 1 <= page <= MAX_PAGE:
        errors["page"] = f"Must be between 1 and {MAX_PAGE}."
    return page, per_page


def _page_body(result, item) -> dict:
    return {
        "items": [item(row) for row in result.items],
        "page": result.page,
        "per_page": result.per_page,
        "total": result.total,
        "pages": result.pages,
    }


def _int_arg(name: str, default: int, errors: dict) -> int | None:
    raw = request.args.get(name)
    if raw is None:
        return default
    try:
        return int(raw)
    except ValueError:
        errors[name] = "Must be an integer."
        return None


@bp.get("/cases/<int:case_id>")
@token_required
def get_case(case_id: int):
    """Return one case with its clocks and events."""
    user = g.api_user
    case = get_visible_or_404(case_id, user)
    body = case_detail(case, user)
    log_identity_view(case, user, AccessChannel.API)
    db.session.commit()
    return jsonify(body)


def access_entry(entry) -> dict:
    user = entry.user
    return {
        "at": _iso(entry.at),
        "user": user.username,
        "name": user.name,
        "unit_code": user.unit.code if user.unit else None,
        "unit_name": user.unit.name if user.unit else None,
        "channel": entry.channel,
        "what": entry.what,
    }


@bp.get("/cases/<int:case_id>/access-log")
@token_required
@roles_required(
    *ACCESS_LOG_ROLES, message="Only inspectors and the center lead read the access log."
)
def case_access_log(case_id: int):
    """List who saw the complainant of a case in full, newest first."""
    case = get_visible_or_404(case_id, g.api_user)
    errors = {}
    page, per_page = _paging(errors)
    if errors:
        raise ValidationFailed("Invalid query parameters.", fields=errors)
    result = db.paginate(identity_access_log(case), page=page, per_page=per_page, error_out=False)
    return jsonify(_page_body(result, access_entry))


@bp.post("/cases/<int:case_id>/actions/<action>")
@token_required
def case_action(case_id: int, action: str):
    """Perform a workflow action on a case."""
    user = g.api_user
    case = get_visible_or_404(case_id, user)
    if action not in ACTIONS:
        raise NotFound(f"Unknown action: {action}")
    data = json_object()
    version = data.pop("version", None)
    if version is not None and (isinstance(version, bool) or not isinstance(version, int)):
        message = _l("Must be a whole number.")
        raise ValidationFailed(
            labelled(_l("Case version"), message), fields={"version": str(message)}
        )
    if version is None and request.headers.get("If-Match"):
        version = request.headers["If-Match"].strip('"')
    _refuse_unknown(data, action_fields(action))
    perform_action(case, action, user, data, expected_version=version)
    # The answer is the case detail, complainant included: a view like GET.
    log_identity_view(case, user, AccessChannel.API)
    db.session.commit()
    return jsonify(case_detail(case, user))


@bp.get("/routing/suggest")
@token_required
@roles_required(*CENTER_ROLES, message="Only complaint-center staff route cases.")
def routing_suggest():
    """Return where the routing rules send a draft complaint, and why."""
    from app.cases.categories import read_category
    from app.core.validation import FieldErrors
    from app.intake.services import COMPLAINT_LABELS
    from app.routing.router import suggest_route
    from app.units.services import read_unit

    errors = FieldErrors(COMPLAINT_LABELS)
    unit = read_unit(errors, "respondent_unit_code", request.args.get("respondent_unit_code"))
    category = read_category(errors, "category_code", request.args.get("category_code"))
    subject_kind = errors.choice(
        "subject_kind", request.args.get("subject_kind") or "unit", list(SubjectKind)
    )
    errors.raise_if_any()
    suggestion = suggest_route(unit, category, subject_kind)
    return jsonify(
        unit_code=suggestion.unit.code if suggestion.unit else None,
        unit_name=suggestion.unit.name if suggestion.unit else None,
        relation=suggestion.relation.value,
        rule={
            "id": suggestion.rule.id,
            "position": suggestion.rule.position,
            "name": suggestion.rule.name,
        }
        if suggestion.rule
        else None,
        explanation=suggestion.explanation,
        trace=[
            {"rule": c.rule.name, "matched": c.matched, "reasons": c.reasons}
            for c in suggestion.trace
        ],
    )
