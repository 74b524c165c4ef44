"""Steps shared by the accountability tests: a case brought to a state through the services."""

import sqlalchemy as sa

from app.accountability.models import LegalBasis
from app.accountability.referrals import accept_referral, create_referral
from app.accountability.services import perform_acc_action
from app.core.types import utcnow
from app.extensions import db


def proposed_case(acc_org, *, staff_name="王某某", form="efficiency_warning", days=10):
    """An accountability case about one person, drafted and proposed by the inspector."""
    inspector = acc_org["users"]["inspector"]
    referral = create_referral(
        {"staff": str(acc_org["staff"][staff_name].id), "summary": "办理失业保险金申领超期。"},
        inspector,
    )
    acc_case = accept_referral(referral, {}, inspector)
    perform_acc_action(acc_case, "verify", inspector, {})
    bases = db.session.scalars(sa.select(LegalBasis.id).order_by(LegalBasis.id).limit(2)).all()
    perform_acc_action(
        acc_case,
        "draft_decision",
        inspector,
        {
            "decision": str(acc_case.decisions[0].id),
            "form_code": form,
            "facts": "经核实，该同志办理失业保险金申领超期十二个工作日。",
            "basis_ids": [str(b) for b in bases],
            "requirements": "作出书面检查。",
            "execution_days": days,
        },
    )
    perform_acc_action(acc_case, "propose", inspector, {})
    db.session.commit()
    return acc_case


def registered_case(acc_org, *, staff_name="王某某"):
    """A case just accepted from a manual referral about one person."""
    inspector = acc_org["users"]["inspector"]
    referral = create_referral(
        {"staff": str(acc_org["staff"][staff_name].id), "summary": "办理失业保险金申领超期。"},
        inspector,
    )
    acc_case = accept_referral(referral, {}, inspector)
    db.session.commit()
    return acc_case


def approved_case(acc_org, **kwargs):
    """A proposed case approved by the head, its notices marked rendered without rendering.

    The render job is dropped (the documents' own tests render), so the case waits in
    ``approved`` for ``issue`` as it does while its notices are being rendered.
    """
    from app.core.jobs import _PENDING_KEY
    from app.documents.models import Document, DocumentStatus

    acc_case = proposed_case(acc_org, **kwargs)
    perform_acc_action(acc_case, "approve", acc_org["users"]["jw_head"], {"note": "同意"})
    db.session.info.pop(_PENDING_KEY, None)
    for decision in acc_case.decisions:
        db.session.execute(
            sa.update(Document)
            .where(Document.id == decision.document_id)
            .values(
                status=DocumentStatus.DONE,
                progress=100,
                pdf=b"%PDF",
                docx=b"PK",
                pdf_sha256="0" * 64,
                docx_sha256="0" * 64,
                rendered_at=utcnow(),
            )
        )
    db.session.commit()
    db.session.expire_all()
    return acc_case


def issued_case(acc_org, **kwargs):
    """An approved case issued, as the render job issues it."""
    from app.core.workflow import SYSTEM

    acc_case = approved_case(acc_org, **kwargs)
    perform_acc_action(acc_case, "issue", SYSTEM, {})
    db.session.commit()
    return acc_case


def served_case(acc_org, **kwargs):
    """An issued case whose every decision is served (to the person, in person)."""
    acc_case = issued_case(acc_org, **kwargs)
    for decision in list(acc_case.decisions):
        perform_acc_action(
            acc_case,
            "serve",
            acc_org["users"]["inspector"],
            {"decision": str(decision.id), "served_to": "王某某", "served_how": "in_person"},
        )
    db.session.commit()
    return acc_case


def verifying_case(acc_org):
    """A registered case the inspector started verifying."""
    acc_case = registered_case(acc_org)
    perform_acc_action(acc_case, "verify", acc_org["users"]["inspector"], {})
    db.session.commit()
    return acc_case


def asked_case(acc_org):
    """A case in verifying whose person was asked for a statement."""
    acc_case = verifying_case(acc_org)
    perform_acc_action(acc_case, "request_statement", acc_org["users"]["inspector"], {"days": 5})
    db.session.commit()
    return acc_case


def drafted_case(acc_org):
    """A case in verifying with a complete draft, sent back by the head."""
    acc_case = proposed_case(acc_org)
    perform_acc_action(acc_case, "send_back", acc_org["users"]["jw_head"], {"reason": "补充"})
    db.session.commit()
    return acc_case


def executing_case(acc_org):
    """A served case whose written self-examination is due."""
    acc_case = served_case(acc_org)
    perform_acc_action(acc_case, "start_execution", acc_org["users"]["inspector"], {})
    db.session.commit()
    return acc_case


def appealed_case(acc_org):
    """A served case whose decision is under appeal."""
    acc_case = served_case(acc_org)
    perform_acc_action(
        acc_case,
        "file_appeal",
        acc_org["users"]["inspector"],
        {"decision": str(acc_case.decisions[0].id), "text": "处理过重"},
    )
    db.session.commit()
    return acc_case


def past_appeal_case(acc_org):
    """Served sixty days ago with nothing to execute: its appeal period has ended."""
    from datetime import timedelta

    from app.core.types import as_of

    with as_of(utcnow() - timedelta(days=60)):
        return served_case(acc_org, days=None)


def two_subjects_case(acc_org):
    """A case in verifying about a person and their unit."""
    acc_case = verifying_case(acc_org)
    perform_acc_action(
        acc_case, "add_subject", acc_org["users"]["inspector"], {"unit_code": "CC-ZJJ"}
    )
    db.session.commit()
    return acc_case
