"""Who may see which case, and how much of the complainant (DESIGN §2, §8)."""

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from app.auth.models import CENTER_ROLES, INSPECTOR_ROLES, Role, User
from app.auth.services import users_backed_up_by
from app.cases.models import Assignment, Case
from app.core.access_log import AccessChannel, IdentityAccess, log_identity_access
from app.core.errors import NotFound
from app.core.masking import mask_email, mask_name, mask_phone
from app.extensions import db
from app.units.services import descendant_ids

FULL_IDENTITY_ROLES = CENTER_ROLES | INSPECTOR_ROLES
# Who reads the log of those views: the people who answer for their misuse.
ACCESS_LOG_ROLES = frozenset({Role.CENTER_LEAD}) | INSPECTOR_ROLES


def _unit_people(user) -> list:
    """Return ``user`` and the away colleagues they back up (AB岗): whose cases they see."""
    return [user, *users_backed_up_by(user)]


def visibility_clause(user) -> sa.ColumnElement[bool]:
    """Return a WHERE clause selecting the cases ``user`` may see."""
    if user.has_role(*FULL_IDENTITY_ROLES):
        return sa.true()
    clauses = []
    units: set[int] = set()
    for person in _unit_people(user):
        if person.unit_id is None:
            continue
        if person.has_role(Role.UNIT_LEAD):
            units |= descendant_ids(person.unit_id)
        elif person.has_role(Role.HANDLER):
            units.add(person.unit_id)
    if units:
        clauses.append(
            sa.exists().where(
                Assignment.case_id == Case.id,
                Assignment.unit_id.in_(units),
                Assignment.ended_at.is_(None),
            )
        )
    if user.unit_id is not None and user.has_role(Role.LEADER):
        jurisdiction = descendant_ids(user.unit_id)
        clauses.append(
            sa.or_(
                Case.respondent_unit_id.in_(jurisdiction),
                sa.exists().where(
                    Assignment.case_id == Case.id, Assignment.unit_id.in_(jurisdiction)
                ),
            )
        )
    return sa.or_(*clauses) if clauses else sa.false()


def visible_cases(user) -> sa.Select:
    """Return a SELECT of the cases ``user`` may see, newest first."""
    return sa.select(Case).where(visibility_clause(user)).order_by(Case.id.desc())


def get_visible_or_404(case_id, user) -> Case:
    """Return the case if ``user`` may see it; otherwise raise NotFound, never a hint."""
    try:
        case_id = int(case_id)
    except (TypeError, ValueError):
        raise NotFound("case not found") from None
    stmt = sa.select(Case).where(Case.id == case_id, visibility_clause(user))
    case = db.session.scalar(stmt)
    if case is None:
        raise NotFound("case not found")
    return case


def may_see_identity(user) -> bool:
    """Return True if ``user`` sees the complainant's full identity."""
    return user.has_role(*FULL_IDENTITY_ROLES)


def complainant_view(case: Case, user) -> dict:
    """Return the complainant as ``user`` may see it: full, or masked."""
    c = case.complainant
    view = {"anonymous": c.anonymous, "masked": not may_see_identity(user)}
    if not view["masked"]:
        view.update(name=c.name, phone=c.phone, email=c.email, address=c.address)
    elif c.anonymous:
        view.update(name="", phone="", email="", address="")
    else:
        view.update(
            name=mask_name(c.name), phone=mask_phone(c.phone), email=mask_email(c.email), address=""
        )
    return view


def log_identity_view(case: Case, user, channel: AccessChannel, what: str = "") -> None:
    """Log that ``user`` saw the complainant of ``case`` in full, if their role shows it."""
    if may_see_identity(user):
        log_identity_access(user, "case", case.id, channel, what)


def may_read_access_log(user) -> bool:
    """Return True if ``user`` reads who saw the complainants' identity."""
    return user.has_role(*ACCESS_LOG_ROLES)


def identity_access_log(case: Case) -> sa.Select:
    """Return a SELECT of the views of ``case``'s complainant in full, newest first."""
    return (
        sa.select(IdentityAccess)
        .where(IdentityAccess.subject_type == "case", IdentityAccess.subject_id == case.id)
        .options(joinedload(IdentityAccess.user).joinedload(User.unit))
        .order_by(IdentityAccess.at.desc(), IdentityAccess.id.desc())
    )
