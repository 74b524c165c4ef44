"""Referrals (问题线索): where accountability starts, and how a referral becomes a case.

A referral comes from a red card with its referral suggestion, a case closed with a
valid finding, an inspection, an accumulation rule of the records, or an inspector's
own entry. Each source gives at most one referral: ``referral_sources`` is unique on
the source, so finding the same card twice (two sweeps at once) cannot refer it twice.
"""

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from app.accountability.models import (
    AccountabilityCase,
    Referral,
    ReferralOrigin,
    ReferralSource,
    ReferralState,
    SourceKind,
)
from app.accountability.specs import REFERRAL_SPECS, collect_subject, refuse
from app.accountability.subjects import new_acc_case_number, new_decision
from app.accountability.workflow import FINAL_ACC_STATES
from app.cases.models import Case, Finding
from app.cases.workflow import State
from app.core.errors import Conflict
from app.core.masking import without_identity
from app.core.trail import record_event
from app.core.types import utcnow
from app.deadlines.models import Clock
from app.deadlines.services import load_calendar
from app.deadlines.workdays import to_local, workdays_late
from app.extensions import db
from app.routing.models import Relation
from app.routing.router import resolve_relation
from app.supervision.models import SupervisionWarning, WarningLevel
from app.units.models import Unit, UnitKind

VALID_FINDINGS = (Finding.SUBSTANTIATED, Finding.PARTLY_SUBSTANTIATED)
# A sweep refers at most this many sources at a time; the next sweep takes the rest.
BATCH = 200


def organ_for(unit: Unit) -> Unit | None:
    """Return the discipline office that decides about ``unit``: its tier's, else higher up."""
    for relation in (Relation.DISCIPLINE_SAME_TIER, Relation.DISCIPLINE_PARENT_TIER):
        organ = resolve_relation(relation, unit)
        if organ is not None:
            return organ
    current = unit.parent
    while current is not None:
        for child in current.children:
            if child.kind == UnitKind.DISCIPLINE_OFFICE and child.active:
                return child
        current = current.parent
    return None


def _cn_date(moment) -> str:
    d = to_local(moment).date()
    return f"{d.year}年{d.month}月{d.day}日"


def add_referral(origin, unit, summary, sources, *, staff=None, actor=None) -> Referral | None:
    """Create a referral with its sources; None if a source was referred already."""
    organ = organ_for(unit)
    if organ is None:
        return None
    # The sweeps that find cards and cases to refer run one at a time (the sweep's lock),
    # so looking first is enough; the unique key on the sources is the last word.
    if sources and db.session.scalar(
        sa.select(ReferralSource.id)
        .where(
            sa.or_(
                *(
                    sa.and_(ReferralSource.kind == kind, ReferralSource.source_id == source_id)
                    for kind, source_id, _case in sources
                )
            )
        )
        .limit(1)
    ):
        return None
    referral = Referral(
        origin=origin,
        organ_id=organ.id,
        unit_id=unit.id,
        staff_id=staff.id if staff is not None else None,
        summary=summary,
        created_by_id=actor.id if actor is not None else None,
    )
    db.session.add(referral)
    db.session.flush()
    db.session.add_all(
        ReferralSource(referral_id=referral.id, kind=kind, source_id=source_id, case_id=case_id)
        for kind, source_id, case_id in sources
    )
    db.session.flush()
    record_event(
        "referral",
        referral.id,
        actor,
        "refer",
        from_state=None,
        to_state=ReferralState.PENDING,
        data={"origin": origin, "sources": [[k, i] for k, i, _ in sources]},
        at=utcnow(),
    )
    return referral


def _not_referred(kind: str, column) -> sa.ColumnElement[bool]:
    return ~sa.exists().where(ReferralSource.kind == kind, ReferralSource.source_id == column)


def red_card_summary(card: SupervisionWarning, case: Case, clock: Clock, now) -> str:
    calendar = load_calendar(to_local(clock.due_at).date())
    late = workdays_late(clock.due_at, clock.stopped_at or now, calendar)
    return str(
        _l(
            "Case %(number)s (“%(title)s”) was red-carded on %(date)s: the %(clock)s was due "
            "on %(due)s and is %(days)d working days late. Supervision order %(order)s.",
            number=case.number,
            title=without_identity(case.title, case.complainant),
            date=_cn_date(card.issued_at),
            clock=_clock_label(clock.kind),
            due=_cn_date(clock.due_at),
            days=late,
            order=card.number or "—",
        )
    )


def _clock_label(kind: str) -> str:
    from app.core.labels import label

    return label(kind, "clock")


def refer_red_cards(now=None) -> int:
    """Refer each red card that suggests it and is not referred yet; return how many."""
    now = now or utcnow()
    rows = db.session.execute(
        sa.select(SupervisionWarning, Clock, Case)
        .join(Clock, Clock.id == SupervisionWarning.clock_id)
        .join(Case, Case.id == Clock.case_id)
        .where(
            SupervisionWarning.level == WarningLevel.RED,
            SupervisionWarning.refer_to_inspectors.is_(True),
            SupervisionWarning.unit_id.is_not(None),
            _not_referred(SourceKind.WARNING, SupervisionWarning.id),
        )
        .order_by(SupervisionWarning.id)
        .limit(BATCH)
    ).all()
    made = 0
    for card, clock, case in rows:
        summary = red_card_summary(card, case, clock, now)
        sources = [(SourceKind.WARNING, card.id, case.id)]
        made += add_referral(ReferralOrigin.RED_CARD, card.unit, summary, sources) is not None
    return made


def finding_summary(case: Case) -> str:
    from app.core.labels import label

    return str(
        _l(
            "Case %(number)s (“%(title)s”) about %(unit)s was closed on %(date)s with the "
            "finding “%(finding)s”.",
            number=case.number,
            title=without_identity(case.title, case.complainant),
            unit=case.respondent_unit.name if case.respondent_unit else "—",
            date=_cn_date(case.closed_at),
            finding=label(case.finding, "finding"),
        )
    )


def refer_valid_findings() -> int:
    """Refer each closed case with a valid finding that is not referred yet."""
    cases = db.session.scalars(
        sa.select(Case)
        .where(
            Case.state == State.CLOSED,
            Case.finding.in_([str(f) for f in VALID_FINDINGS]),
            Case.respondent_unit_id.is_not(None),
            _not_referred(SourceKind.CASE, Case.id),
        )
        .order_by(Case.id)
        .limit(BATCH)
    ).all()
    made = 0
    for case in cases:
        staff = case.staff[0] if len(case.staff) == 1 else None
        sources = [(SourceKind.CASE, case.id, case.id)]
        referral = add_referral(
            ReferralOrigin.FINDING,
            case.respondent_unit,
            finding_summary(case),
            sources,
            staff=staff,
        )
        made += referral is not None
    return made


def refer_all(now=None) -> int:
    """The sweep's step: refer what the cards and closed cases suggest."""
    return refer_red_cards(now) + refer_valid_findings()


def create_referral(data: dict, actor) -> Referral:
    """Enter a referral by hand (an inspector's own lead)."""
    staff, unit, values, errors = collect_subject(REFERRAL_SPECS["create"], data)
    errors.raise_if_any()
    unit = unit or staff.unit
    if organ_for(unit) is None:
        refuse(
            REFERRAL_SPECS["create"],
            "unit_code",
            _l("No discipline office decides about this unit."),
        )
    return add_referral(
        ReferralOrigin.MANUAL, unit, values["summary"], [], staff=staff, actor=actor
    )


def _pending(referral: Referral) -> None:
    if referral.state != ReferralState.PENDING:
        raise Conflict(_l("This referral has already been decided."))


def _lock(referral: Referral) -> Referral:
    """Re-read the referral under a row lock: two inspectors deciding it at once wait."""
    db.session.refresh(referral, with_for_update=True)
    return referral


def subjects_of(referral: Referral) -> list[tuple]:
    """Return the (staff, unit) pairs it is about: its person, its case's staff, or the unit."""
    if referral.staff is not None:
        return [(referral.staff, None)]
    staff = []
    for source in referral.sources:
        if source.kind == SourceKind.CASE and source.case is not None:
            staff.extend(s for s in source.case.staff if s.unit_id == referral.unit_id)
    if staff:
        return [(s, None) for s in dict.fromkeys(staff)]
    return [(None, referral.unit)]


def accept_referral(referral: Referral, data: dict, actor) -> AccountabilityCase:
    """Accept a referral into a new accountability case, or into an open one of the office."""
    values, errors = REFERRAL_SPECS["accept"].collect(data)
    into = values["into"]
    if into is not None and (into.organ_id != referral.organ_id or into.state in FINAL_ACC_STATES):
        errors.add("into", _l("No such open accountability case."))
    errors.raise_if_any()
    _lock(referral)
    _pending(referral)
    now = utcnow()
    if into is None:
        title = values["title"] or _default_title(referral)
        acc_case = AccountabilityCase(
            number=new_acc_case_number(to_local(now).year),
            organ_id=referral.organ_id,
            title=title,
            inspector_id=actor.id,
            created_at=now,
            updated_at=now,
        )
        db.session.add(acc_case)
        db.session.flush()
        record_event(
            "acc_case",
            acc_case.id,
            actor,
            "register",
            from_state=None,
            to_state=acc_case.state,
            data={"referral_id": referral.id},
            at=now,
        )
    else:
        acc_case = into
        record_event(
            "acc_case",
            acc_case.id,
            actor,
            "referral_joined",
            from_state=acc_case.state,
            to_state=acc_case.state,
            data={"referral_id": referral.id, "summary": referral.summary},
            at=now,
        )
    for staff, unit in subjects_of(referral):
        decision = new_decision(acc_case, staff=staff, unit=unit, facts=referral.summary)
        if decision is None:  # the subject is in the case already: the facts add up
            existing = _decision_for(acc_case, staff, unit)
            existing.facts = f"{existing.facts}\n{referral.summary}".strip()
    referral.state = ReferralState.ACCEPTED
    referral.acc_case_id = acc_case.id
    referral.decided_at, referral.decided_by_id = now, actor.id
    record_event(
        "referral",
        referral.id,
        actor,
        "accept",
        from_state=ReferralState.PENDING,
        to_state=ReferralState.ACCEPTED,
        data={"acc_case_id": acc_case.id},
        at=now,
    )
    db.session.flush()
    return acc_case


def _decision_for(acc_case, staff, unit):
    for decision in acc_case.decisions:
        if staff is not None and decision.staff_id == staff.id:
            return decision
        if staff is None and decision.staff_id is None and decision.unit_id == unit.id:
            return decision
    raise LookupError("no decision for the subject")


def _default_title(referral: Referral) -> str:
    who = referral.staff.name if referral.staff is not None else referral.unit.name
    return str(_l("Accountability of %(who)s", who=who))[:200]


def decline_referral(referral: Referral, data: dict, actor) -> Referral:
    """Decline a referral with a reason; it stays on record and its sources stay used."""
    values = REFERRAL_SPECS["decline"].read(data)
    _lock(referral)
    _pending(referral)
    now = utcnow()
    referral.state = ReferralState.DECLINED
    referral.decline_reason = values["reason"]
    referral.decided_at, referral.decided_by_id = now, actor.id
    record_event(
        "referral",
        referral.id,
        actor,
        "decline",
        from_state=ReferralState.PENDING,
        to_state=ReferralState.DECLINED,
        data={"reason": values["reason"]},
        at=now,
    )
    return referral
