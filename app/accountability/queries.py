"""What the inspectors' and leaders' workspace lists: the queue's tabs and their counts."""

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from app.accountability.access import acc_case_clause, is_office_staff
from app.accountability.models import AccClock, AccountabilityCase, Referral, ReferralState
from app.accountability.workflow import FINAL_ACC_STATES, AccState
from app.core.labels import register_labels
from app.extensions import db

TABS = ("referrals", "mine", "approval", "deadlines", "all")
TAB_LABELS = register_labels(
    "acc_tab",
    {
        "referrals": _l("Referrals"),
        "mine": _l("My cases"),
        "approval": _l("Waiting for approval"),
        "deadlines": _l("Deadlines"),
        "all": _l("All cases"),
    },
)


def _open():
    return AccountabilityCase.state.not_in([str(s) for s in FINAL_ACC_STATES])


def tab_statements(user) -> dict[str, sa.Select]:
    """Return the statement of each tab the user has, in the order of ``TABS``."""
    visible = acc_case_clause(user)
    tabs: dict[str, sa.Select] = {}
    if is_office_staff(user):
        tabs["referrals"] = (
            sa.select(Referral)
            .where(Referral.organ_id == user.unit_id, Referral.state == ReferralState.PENDING)
            .order_by(Referral.id)
        )
        tabs["mine"] = (
            sa.select(AccountabilityCase)
            .where(visible, _open(), AccountabilityCase.inspector_id == user.id)
            .order_by(AccountabilityCase.updated_at.desc())
        )
        tabs["approval"] = (
            sa.select(AccountabilityCase)
            # What waits for the head: proposals to approve and appeals to decide.
            .where(
                visible,
                AccountabilityCase.state.in_([AccState.PROPOSED, AccState.APPEALED]),
            )
            .order_by(AccountabilityCase.updated_at)
        )
        tabs["deadlines"] = (
            sa.select(AccClock, AccountabilityCase)
            .join(AccountabilityCase, AccountabilityCase.id == AccClock.acc_case_id)
            .where(visible, _open(), AccClock.stopped_at.is_(None))
            .order_by(AccClock.due_at)
        )
    tabs["all"] = (
        sa.select(AccountabilityCase).where(visible).order_by(AccountabilityCase.id.desc())
    )
    return tabs


def tab_counts(tabs: dict[str, sa.Select]) -> dict[str, int]:
    """Count each tab's rows (one query each, on indexed columns)."""
    return {
        name: db.session.scalar(
            sa.select(sa.func.count()).select_from(stmt.order_by(None).subquery())
        )
        for name, stmt in tabs.items()
    }


def default_tab(user, counts: dict[str, int]) -> str:
    """Whoever must act next sees it first: the head what waits for approval, then referrals."""
    from app.auth.models import Role

    if user.has_role(Role.DISCIPLINE_HEAD) and counts.get("approval"):
        return "approval"
    for name in ("referrals", "mine"):
        if counts.get(name):
            return name
    return "all"
