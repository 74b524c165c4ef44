"""JSON endpoints of accountability: thin wrappers over the services the workspace uses.

Who may read or act is decided as on the web (``app/accountability/access.py`` and the
transition table): a referral, case, inspection or record the caller may not see answers
404, never a hint that it exists.
"""

import sqlalchemy as sa
from flask import g, jsonify, request, send_file, url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from app.accountability.access import (
    READER_ROLES,
    get_acc_case_or_404,
    get_inspection_or_404,
    get_referral_or_404,
    may_read_unit,
)
from app.accountability.inspections import FINDING_LABELS, add_finding, record_inspection
from app.accountability.models import (
    AccClock,
    AccountabilityCase,
    Decision,
    LegalBasis,
    Referral,
    ReferralSource,
    SourceKind,
)
from app.accountability.queries import default_tab, tab_counts, tab_statements
from app.accountability.records import staff_record, suggestion_text, unit_record
from app.accountability.referrals import accept_referral, create_referral, decline_referral
from app.accountability.services import perform_acc_action
from app.accountability.specs import ACC_SPECS, REFERRAL_SPECS, forms_ladder
from app.accountability.workflow import ACC_ACTIONS, ACC_WORKFLOW
from app.api import bp
from app.api.auth import token_required
from app.api.body import json_object
from app.api.views import _paging, _refuse_unknown
from app.attachments.models import Attachment
from app.attachments.storage import attachment_path, read_uploads, store_uploads
from app.auth.models import INSPECTOR_ROLES
from app.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from app.core.permissions import roles_required
from app.core.validation import labelled
from app.extensions import db
from app.units.models import Staff, Unit

OFFICE_ONLY = "Only the inspectors of a discipline office do this."
READERS_ONLY = "Only inspectors and leaders read accountability."
# The fields of an inspection and of a finding (the services read them, as the web does).
INSPECTION_FIELDS = ("held_on", "place", "team", "notes")


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def _username(user) -> str | None:
    return user.username if user is not None else None


def _unit(unit: Unit | None) -> dict | None:
    return None if unit is None else {"id": unit.id, "code": unit.code, "name": unit.name}


def _staff(staff: Staff | None) -> dict | None:
    if staff is None:
        return None
    return {"id": staff.id, "name": staff.name, "post": staff.post, "unit_id": staff.unit_id}


def _read_version(data: dict):
    """Take ``version`` out of the body (or the If-Match header), as the case API does."""
    version = data.pop("version", None)
    if version is not None and (isinstance(version, bool) or not isinstance(version, int)):
        message = _l("Must be a whole number.")
        raise ValidationFailed(
            labelled(_l("Case version"), message), fields={"version": str(message)}
        )
    if version is None and request.headers.get("If-Match"):
        version = request.headers["If-Match"].strip('"')
    return version


def _body(allowed) -> dict:
    """The request body as a JSON object holding only ``allowed`` fields, or 400/422."""
    data = json_object()
    _refuse_unknown(data, allowed)
    return data


# ---------------------------------------------------------------- bodies


def acc_case_summary(acc_case: AccountabilityCase) -> dict:
    return {
        "id": acc_case.id,
        "number": acc_case.number,
        "title": acc_case.title,
        "state": acc_case.state,
        "organ": _unit(acc_case.organ),
        "inspector": _username(acc_case.inspector),
        "created_at": _iso(acc_case.created_at),
        "updated_at": _iso(acc_case.updated_at),
        "closed_at": _iso(acc_case.closed_at),
        "version": acc_case.version,
    }


def referral_summary(referral: Referral) -> dict:
    return {
        "id": referral.id,
        "origin": referral.origin,
        "state": referral.state,
        "organ": _unit(referral.organ),
        "unit": _unit(referral.unit),
        "staff": _staff(referral.staff),
        "summary": referral.summary,
        "created_at": _iso(referral.created_at),
        "acc_case_id": referral.acc_case_id,
    }


def source_body(source: ReferralSource) -> dict:
    return {
        "kind": source.kind,
        "source_id": source.source_id,
        "case_id": source.case_id,
        "case_number": source.case.number if source.case is not None else None,
    }


def referral_detail(referral: Referral) -> dict:
    return {
        **referral_summary(referral),
        "decline_reason": referral.decline_reason,
        "created_by": _username(referral.created_by),
        "decided_at": _iso(referral.decided_at),
        "sources": [source_body(s) for s in referral.sources],
    }


def clock_body(clock: AccClock) -> dict:
    return {
        "id": clock.id,
        "kind": clock.kind,
        "decision_id": clock.decision_id,
        "days": clock.days,
        "started_at": _iso(clock.started_at),
        "due_at": _iso(clock.due_at),
        "provisional": clock.provisional,
        "overdue_at": _iso(clock.overdue_at),
        "stopped_at": _iso(clock.stopped_at),
        "late": clock.late,
    }


def _created(body: dict, location: str | None = None):
    """Answer 201 with ``body``, and where the new record is read when it has a page."""
    response = jsonify(body)
    response.status_code = 201
    if location is not None:
        response.headers["Location"] = location
    return response


def file_body(attachment) -> dict:
    """A stored file's metadata and where to fetch it."""
    return {
        "id": attachment.id,
        "filename": attachment.filename,
        "content_type": attachment.content_type,
        "size": attachment.size,
        "sha256": attachment.sha256,
        "url": url_for("api.accountability_file", attachment_id=attachment.id),
    }


def decision_body(decision: Decision) -> dict:
    document = decision.document
    return {
        "id": decision.id,
        "subject_type": decision.subject_type,
        "subject": decision.subject_label,
        "unit": _unit(decision.unit),
        "staff": _staff(decision.staff),
        "form_code": decision.form_code,
        "form_name": decision.form.name if decision.form is not None else None,
        "number": decision.number,
        "facts": decision.facts,
        "bases": [{"id": b.id, "citation": b.citation} for b in decision.bases],
        "requirements": decision.requirements,
        "execution_days": decision.execution_days,
        "consequences": decision.consequences,
        "decided_on": _iso(decision.decided_on),
        "effective_until": _iso(decision.effective_until),
        "document_id": decision.document_id,
        "document_status": document.status if document is not None else None,
        "service": {
            "served_at": _iso(decision.served_at),
            "served_to": decision.served_to,
            "served_how": decision.served_how,
            "receipt": file_body(decision.receipt) if decision.receipt is not None else None,
        },
        "appeal": {
            "until": _iso(decision.appeal_until),
            "filed_at": _iso(decision.appeal_filed_at),
            "text": decision.appeal_text,
            "outcome": decision.appeal_outcome,
            "decided_at": _iso(decision.appeal_decided_at),
            "note": decision.appeal_note,
            "changed_from_code": decision.changed_from_code,
        },
        "execution": {
            "due_at": _iso(decision.execution_due_at),
            "executed_at": _iso(decision.executed_at),
            "note": decision.execution_note,
        },
        "revoked": decision.revoked,
    }


def event_body(event) -> dict:
    return {
        "at": _iso(event.at),
        "action": event.action,
        "actor": _username(event.actor),
        "from_state": event.from_state,
        "to_state": event.to_state,
        "data": event.data,
    }


def acc_case_detail(acc_case: AccountabilityCase, user) -> dict:
    return {
        **acc_case_summary(acc_case),
        "findings": acc_case.findings,
        "statement_due_at": _iso(acc_case.statement_due_at),
        "statement_at": _iso(acc_case.statement_at),
        "statement": acc_case.statement,
        "approved_at": _iso(acc_case.approved_at),
        "no_action_kind": acc_case.no_action_kind,
        "no_action_reason": acc_case.no_action_reason,
        "allowed_actions": ACC_WORKFLOW.allowed(acc_case, user),
        "decisions": [decision_body(d) for d in acc_case.decisions],
        "clocks": [clock_body(c) for c in acc_case.clocks],
        "referrals": [referral_detail(r) for r in acc_case.referrals],
        "events": [event_body(e) for e in acc_case.events],
    }


def _load_case(acc_case: AccountabilityCase) -> None:
    """Load what the detail shows of the decisions in one go, not one query per decision."""
    db.session.scalars(
        sa.select(Decision)
        .where(Decision.acc_case_id == acc_case.id)
        .options(
            selectinload(Decision.bases),
            selectinload(Decision.document),
            selectinload(Decision.staff),
            selectinload(Decision.form),
            selectinload(Decision.receipt),
        )
    ).all()


# ---------------------------------------------------------------- queue


@bp.get("/accountability/queue")
@token_required
@roles_required(*READER_ROLES, message=READERS_ONLY)
def accountability_queue():
    """Return the counts of the caller's tabs and one page of a tab."""
    user = g.api_user
    tabs = tab_statements(user)
    errors: dict[str, str] = {}
    tab = request.args.get("tab")
    if tab is not None and tab not in tabs:
        errors["tab"] = f"Must be one of: {', '.join(tabs)}."
    page, per_page = _paging(errors)
    if errors:
        raise ValidationFailed("Invalid query parameters.", fields=errors)
    counts = tab_counts(tabs)
    tab = tab or default_tab(user, counts)
    stmt = tabs[tab].limit(per_page).offset((page - 1) * per_page)
    if tab == "referrals":
        rows = db.session.scalars(
            stmt.options(selectinload(Referral.staff), selectinload(Referral.unit))
        ).all()
        items = [referral_summary(r) for r in rows]
    elif tab == "deadlines":
        items = [
            {"clock": clock_body(clock), "acc_case": acc_case_summary(acc_case)}
            for clock, acc_case in db.session.execute(stmt).all()
        ]
    else:
        rows = db.session.scalars(stmt.options(selectinload(AccountabilityCase.inspector))).all()
        items = [acc_case_summary(c) for c in rows]
    total = counts[tab]
    return jsonify(
        tab=tab,
        counts=counts,
        items=items,
        page=page,
        per_page=per_page,
        total=total,
        pages=-(-total // per_page),
    )


# ---------------------------------------------------------------- referrals


@bp.post("/referrals")
@token_required
@roles_required(*INSPECTOR_ROLES, message=OFFICE_ONLY)
def create_referral_api():
    """Enter a referral by hand; it goes to the office that decides about its subject."""
    referral = create_referral(_body(REFERRAL_SPECS["create"].fields), g.api_user)
    db.session.commit()
    return _created(referral_detail(referral), url_for("api.get_referral", referral_id=referral.id))


@bp.get("/referrals/<int:referral_id>")
@token_required
@roles_required(*INSPECTOR_ROLES, message=OFFICE_ONLY)
def get_referral(referral_id: int):
    """Return one referral of the caller's office with its sources."""
    return jsonify(referral_detail(get_referral_or_404(referral_id, g.api_user)))


@bp.post("/referrals/<int:referral_id>/accept")
@token_required
@roles_required(*INSPECTOR_ROLES, message=OFFICE_ONLY)
def accept_referral_api(referral_id: int):
    """Accept a referral into a new accountability case, or into an open one (``into``)."""
    user = g.api_user
    referral = get_referral_or_404(referral_id, user)
    acc_case = accept_referral(referral, _body(REFERRAL_SPECS["accept"].fields), user)
    db.session.commit()
    return jsonify(acc_case_detail(acc_case, user))


@bp.post("/referrals/<int:referral_id>/decline")
@token_required
@roles_required(*INSPECTOR_ROLES, message=OFFICE_ONLY)
def decline_referral_api(referral_id: int):
    """Decline a referral with a reason; it stays on record."""
    user = g.api_user
    referral = get_referral_or_404(referral_id, user)
    decline_referral(referral, _body(REFERRAL_SPECS["decline"].fields), user)
    db.session.commit()
    return jsonify(referral_detail(referral))


# ---------------------------------------------------------------- cases


@bp.get("/accountability/cases/<int:acc_case_id>")
@token_required
@roles_required(*READER_ROLES, message=READERS_ONLY)
def get_acc_case(acc_case_id: int):
    """Return one accountability case: decisions, clocks, referrals, trail, allowed actions."""
    user = g.api_user
    acc_case = get_acc_case_or_404(acc_case_id, user)
    _load_case(acc_case)
    return jsonify(acc_case_detail(acc_case, user))


@bp.post("/accountability/cases/<int:acc_case_id>/actions/<action>")
@token_required
@roles_required(*INSPECTOR_ROLES, message=OFFICE_ONLY)
def acc_case_action(acc_case_id: int, action: str):
    """Take one step of an accountability case."""
    user = g.api_user
    acc_case = get_acc_case_or_404(acc_case_id, user)
    if action not in ACC_ACTIONS:
        raise NotFound(f"Unknown action: {action}")
    data = json_object()
    version = _read_version(data)
    _refuse_unknown(data, ACC_SPECS[action].fields)
    perform_acc_action(acc_case, action, user, data, expected_version=version)
    db.session.commit()
    _load_case(acc_case)
    return jsonify(acc_case_detail(acc_case, user))


# ---------------------------------------------------------------- records


def _counters(record) -> list[dict]:
    return [{"year": year, "counts": record.counters[year]} for year in record.years]


def record_decision(decision: Decision) -> dict:
    return {
        "id": decision.id,
        "acc_case_id": decision.acc_case_id,
        "number": decision.number,
        "subject_type": decision.subject_type,
        "staff_id": decision.staff_id,
        "form_code": decision.form_code,
        "decided_on": _iso(decision.decided_on),
        "effective_until": _iso(decision.effective_until),
        "appeal_filed_at": _iso(decision.appeal_filed_at),
        "appeal_outcome": decision.appeal_outcome,
        "revoked": decision.revoked,
    }


def _record_body(record) -> dict:
    return {
        "counters": _counters(record),
        "decisions": [record_decision(d) for d in record.decisions],
        "valid_cases": [
            {
                "id": c.id,
                "number": c.number,
                "title": c.title,
                "finding": c.finding,
                "closed_at": _iso(c.closed_at),
            }
            for c in record.cases
        ],
        "suggestions": [
            {
                "id": s.id,
                "rule_id": s.rule_id,
                "period_key": s.period_key,
                "count": s.count,
                "text": suggestion_text(s),
                "created_at": _iso(s.created_at),
            }
            for s in record.suggestions
        ],
    }


@bp.get("/accountability/records/staff/<int:staff_id>")
@token_required
@roles_required(*READER_ROLES, message=READERS_ONLY)
def staff_record_api(staff_id: int):
    """Return a person's efficiency record (效能档案)."""
    staff = db.session.get(Staff, staff_id)
    if staff is None or not may_read_unit(g.api_user, staff.unit_id):
        raise NotFound("No such person.")
    return jsonify(staff=_staff(staff), unit=_unit(staff.unit), **_record_body(staff_record(staff)))


@bp.get("/accountability/records/units/<int:unit_id>")
@token_required
@roles_required(*READER_ROLES, message=READERS_ONLY)
def unit_record_api(unit_id: int):
    """Return a unit's efficiency record (效能档案), cards included."""
    unit = db.session.get(Unit, unit_id)
    if unit is None or not may_read_unit(g.api_user, unit.id):
        raise NotFound("No such unit.")
    record = unit_record(unit)
    cards = [
        {
            "id": card.id,
            "level": card.level,
            "issued_at": _iso(card.issued_at),
            "number": card.number or None,
            "case_id": case.id,
            "case_number": case.number,
        }
        for card, case in record.cards
    ]
    return jsonify(unit=_unit(unit), cards=cards, **_record_body(record))


# ---------------------------------------------------------------- inspections


def _referrals_of(findings) -> dict[int, int]:
    """Return the referral each finding about a person became, by finding id."""
    if not findings:
        return {}
    rows = db.session.execute(
        sa.select(ReferralSource.source_id, ReferralSource.referral_id).where(
            ReferralSource.kind == SourceKind.INSPECTION_FINDING,
            ReferralSource.source_id.in_([f.id for f in findings]),
        )
    )
    return dict(rows.all())


def finding_body(finding, referral_id: int | None) -> dict:
    return {
        "id": finding.id,
        "kind": finding.kind,
        "unit": _unit(finding.unit),
        "staff": _staff(finding.staff),
        "text": finding.text,
        "case_id": finding.case_id,
        "case_number": finding.case.number if finding.case is not None else None,
        "referral_id": referral_id,
    }


def inspection_body(inspection) -> dict:
    referrals = _referrals_of(inspection.findings)
    return {
        "id": inspection.id,
        "organ": _unit(inspection.organ),
        "held_on": _iso(inspection.held_on),
        "place": inspection.place,
        "team": inspection.team,
        "notes": inspection.notes,
        "created_at": _iso(inspection.created_at),
        "findings": [finding_body(f, referrals.get(f.id)) for f in inspection.findings],
        "photos": [file_body(a) for a in inspection.photos],
    }


@bp.post("/inspections")
@token_required
@roles_required(*INSPECTOR_ROLES, message=OFFICE_ONLY)
def create_inspection():
    """Record an inspection (明查暗访) of the caller's office."""
    inspection = record_inspection(_body(INSPECTION_FIELDS), g.api_user)
    db.session.commit()
    return _created(
        inspection_body(inspection), url_for("api.get_inspection", inspection_id=inspection.id)
    )


@bp.get("/inspections/<int:inspection_id>")
@token_required
@roles_required(*INSPECTOR_ROLES, message=OFFICE_ONLY)
def get_inspection(inspection_id: int):
    """Return an inspection with its findings and what each became."""
    return jsonify(inspection_body(get_inspection_or_404(inspection_id, g.api_user)))


@bp.post("/inspections/<int:inspection_id>/findings")
@token_required
@roles_required(*INSPECTOR_ROLES, message=OFFICE_ONLY)
def create_finding(inspection_id: int):
    """Add a finding: a complaint case for a unit's service, a referral for a person."""
    user = g.api_user
    inspection = get_inspection_or_404(inspection_id, user)
    finding = add_finding(inspection, _body(FINDING_LABELS), user)
    db.session.commit()
    return _created(finding_body(finding, _referrals_of([finding]).get(finding.id)))


# ---------------------------------------------------------------- reference lists


@bp.get("/accountability/forms")
@token_required
def accountability_forms():
    """Return the ladder of forms of accountability, light to heavy."""
    return jsonify(
        items=[
            {
                "code": f.code,
                "name": f.name,
                "rank": f.rank,
                "doc_title": f.doc_title,
                "effect_months": f.effect_months,
                "consequences": f.consequences,
            }
            for f in forms_ladder()
        ]
    )


@bp.get("/accountability/legal-bases")
@token_required
def legal_bases():
    """Return the active legal bases a decision may cite."""
    rows = db.session.scalars(
        sa.select(LegalBasis)
        .where(LegalBasis.active.is_(True))
        .order_by(LegalBasis.position, LegalBasis.id)
    )
    return jsonify(
        items=[
            {
                "id": b.id,
                "name": b.name,
                "article": b.article,
                "citation": b.citation,
                "text": b.text,
            }
            for b in rows
        ]
    )


# ---------------------------------------------------------------- files


def _uploads(field: str, limit: int | None = None) -> list:
    """The files of a multipart body under ``field``, checked; 422 if none or refused."""
    files = request.files.getlist(field)
    checked = read_uploads(field, files)
    if not checked or (limit is not None and len(checked) > limit):
        message = "Send one file." if limit == 1 else "Send at least one file."
        raise ValidationFailed(message, fields={field: message})
    return checked


@bp.post("/inspections/<int:inspection_id>/photos")
@token_required
@roles_required(*INSPECTOR_ROLES, message=OFFICE_ONLY)
def add_inspection_photos(inspection_id: int):
    """Add photos to an inspection of the caller's office."""
    user = g.api_user
    inspection = get_inspection_or_404(inspection_id, user)
    for attachment in store_uploads(_uploads("photos"), uploaded_by=user):
        attachment.inspection_id = inspection.id
    db.session.commit()
    db.session.refresh(inspection)
    return _created(inspection_body(inspection))


@bp.post("/accountability/cases/<int:acc_case_id>/decisions/<int:decision_id>/receipt")
@token_required
@roles_required(*INSPECTOR_ROLES, message=OFFICE_ONLY)
def add_receipt(acc_case_id: int, decision_id: int):
    """Attach the scan of a served decision's receipt (送达回证)."""
    user = g.api_user
    acc_case = get_acc_case_or_404(acc_case_id, user)
    decision = db.session.get(Decision, decision_id)
    if decision is None or decision.acc_case_id != acc_case.id:
        raise NotFound("No such decision in this case.")
    if acc_case.organ_id != user.unit_id:
        raise Forbidden(OFFICE_ONLY)
    if decision.served_at is None or decision.receipt_attachment_id is not None:
        raise Conflict("The decision is not served yet, or has its receipt already.")
    [attachment] = store_uploads(_uploads("receipt", limit=1), uploaded_by=user)
    db.session.flush()
    decision.receipt_attachment_id = attachment.id
    db.session.commit()
    return jsonify(decision_body(decision))


@bp.get("/accountability/files/<int:attachment_id>")
@token_required
@roles_required(*READER_ROLES, message=READERS_ONLY)
def accountability_file(attachment_id: int):
    """Send a receipt scan or an inspection photo to whoever reads its case or inspection."""
    user = g.api_user
    attachment = db.session.get(Attachment, attachment_id)
    if attachment is None:
        raise NotFound("No such file.")
    if attachment.inspection_id is not None:
        get_inspection_or_404(attachment.inspection_id, user)
    else:
        decision = db.session.scalar(
            sa.select(Decision).where(Decision.receipt_attachment_id == attachment.id)
        )
        if decision is None:
            raise NotFound("No such file.")
        get_acc_case_or_404(decision.acc_case_id, user)
    return send_file(
        attachment_path(attachment),
        mimetype=attachment.content_type,
        as_attachment=True,
        download_name=attachment.filename,
    )
