"""Who sees what of accountability: the deciding office, and leaders for their jurisdiction.

The inspectors and the head of a discipline office work the referrals and cases of
their own office. A leader reads the cases and records about the units of their
jurisdiction (their unit and those below it). Anyone else is answered 404, never a
hint that the thing exists.
"""

import sqlalchemy as sa

from app.accountability.models import AccountabilityCase, Decision, Inspection, Referral
from app.auth.models import INSPECTOR_ROLES, Role
from app.core.errors import NotFound
from app.extensions import db
from app.units.services import descendant_ids

READER_ROLES = frozenset({*INSPECTOR_ROLES, Role.LEADER})


def is_office_staff(user) -> bool:
    return user.has_role(*INSPECTOR_ROLES) and user.unit_id is not None


def jurisdiction(user) -> set[int]:
    """Return the units a leader reads about; empty for anyone else."""
    if user.has_role(Role.LEADER) and user.unit_id is not None:
        return descendant_ids(user.unit_id)
    return set()


def acc_case_clause(user) -> sa.ColumnElement[bool]:
    """Return a WHERE clause selecting the accountability cases ``user`` may read."""
    clauses = []
    if is_office_staff(user):
        clauses.append(AccountabilityCase.organ_id == user.unit_id)
    units = jurisdiction(user)
    if units:
        clauses.append(
            sa.exists().where(
                Decision.acc_case_id == AccountabilityCase.id, Decision.unit_id.in_(units)
            )
        )
    return sa.or_(*clauses) if clauses else sa.false()


def get_acc_case_or_404(acc_case_id: int, user) -> AccountabilityCase:
    acc_case = db.session.scalar(
        sa.select(AccountabilityCase).where(
            AccountabilityCase.id == acc_case_id, acc_case_clause(user)
        )
    )
    if acc_case is None:
        raise NotFound("No such accountability case.")
    return acc_case


def get_referral_or_404(referral_id: int, user) -> Referral:
    """Return a referral of the user's own office; leaders do not work referrals."""
    referral = db.session.get(Referral, referral_id)
    if referral is None or not is_office_staff(user) or referral.organ_id != user.unit_id:
        raise NotFound("No such referral.")
    return referral


def get_inspection_or_404(inspection_id: int, user) -> Inspection:
    inspection = db.session.get(Inspection, inspection_id)
    if inspection is None or not is_office_staff(user) or inspection.organ_id != user.unit_id:
        raise NotFound("No such inspection.")
    return inspection


def may_read_unit(user, unit_id: int) -> bool:
    """Whether ``user`` reads the efficiency record of a unit (or of its staff)."""
    return user.has_role(*INSPECTOR_ROLES) or unit_id in jurisdiction(user)
