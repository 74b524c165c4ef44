"""Steps shared by the accountability tests: a case brought to a state through the services."""

import sqlalchemy as sa

from app.accountability.models import LegalBasis
from app.accountability.referrals import accept_referral, create_referral
from app.accountability.services import perform_acc_action
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
