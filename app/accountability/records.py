"""Efficiency records (效能档案) per person and per unit, and the accumulation rules.

A record is read, not stored: cards, supervision orders, valid complaints, decisions
and appeals are each counted per year by one grouped query. The rules are data
(``accumulation_rules``); reaching one raises a ``Suggestion`` on the record and a
referral in the inspectors' queue, once per subject, rule and period, never a decision.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import joinedload

from app.accountability.models import (
    AccumulationRule,
    Decision,
    ReferralOrigin,
    RuleCount,
    RulePeriod,
    SourceKind,
    SubjectType,
    Suggestion,
)
from app.accountability.referrals import add_referral
from app.cases.models import Case, CaseStaff, Finding
from app.cases.workflow import State
from app.core.types import utcnow
from app.deadlines.models import Clock
from app.deadlines.workdays import SHANGHAI, to_local
from app.extensions import db
from app.supervision.models import SupervisionWarning, WarningLevel
from app.units.models import Staff, Unit

VALID = [str(Finding.SUBSTANTIATED), str(Finding.PARTLY_SUBSTANTIATED)]
# How many of each list the record page shows; the counters cover everything.
LIST_LIMIT = 50


@dataclass
class Record:
    """What a record page shows: the lists, newest first, and the counters per year."""

    decisions: list = field(default_factory=list)
    cases: list = field(default_factory=list)
    cards: list = field(default_factory=list)
    suggestions: list = field(default_factory=list)
    # year -> counter name -> count
    counters: dict[int, dict[str, int]] = field(default_factory=dict)

    @property
    def years(self) -> list[int]:
        return sorted(self.counters, reverse=True)


COUNTER_LABELS = {
    "valid_cases": _l("Valid complaints"),
    "yellow": _l("Yellow cards"),
    "red": _l("Red cards"),
    "orders": _l("Supervision orders"),
    "decisions": _l("Decisions"),
    "appeals": _l("Appeals"),
}


def _year_of(column) -> sa.ColumnElement:
    """The year of a stored UTC moment, as the calendar in Shanghai has it."""
    bind = db.session.get_bind()
    if bind.dialect.name == "postgresql":
        return sa.cast(
            sa.func.extract("year", sa.func.timezone("Asia/Shanghai", column)), sa.Integer
        )
    return sa.cast(sa.func.strftime("%Y", column, "+8 hours"), sa.Integer)


def _date_year(column) -> sa.ColumnElement:
    bind = db.session.get_bind()
    if bind.dialect.name == "postgresql":
        return sa.cast(sa.func.extract("year", column), sa.Integer)
    return sa.cast(sa.func.strftime("%Y", column), sa.Integer)


def _count_into(counters, name: str, rows) -> None:
    for year, count in rows:
        if year is not None:
            counters[int(year)][name] = counters[int(year)].get(name, 0) + count


def _decision_counts(counters, where) -> None:
    year = _date_year(Decision.decided_on)
    _count_into(
        counters,
        "decisions",
        db.session.execute(
            sa.select(year, sa.func.count())
            .where(where, Decision.number.is_not(None), Decision.revoked.is_(False))
            .group_by(year)
        ),
    )
    # Counted per form too: the rules and the page read "efficiency_warning: 2".
    rows = db.session.execute(
        sa.select(year, Decision.form_code, sa.func.count())
        .where(where, Decision.number.is_not(None), Decision.revoked.is_(False))
        .group_by(year, Decision.form_code)
    )
    for y, form, count in rows:
        counters[int(y)][f"form:{form}"] = count
    appeal_year = _year_of(Decision.appeal_filed_at)
    _count_into(
        counters,
        "appeals",
        db.session.execute(
            sa.select(appeal_year, sa.func.count())
            .where(where, Decision.appeal_filed_at.is_not(None))
            .group_by(appeal_year)
        ),
    )


def _decisions(where) -> list[Decision]:
    # The page names each decision's form: loaded with it, not once per row.
    return list(
        db.session.scalars(
            sa.select(Decision)
            .options(joinedload(Decision.form))
            .where(where, Decision.number.is_not(None))
            .order_by(Decision.decided_on.desc(), Decision.id.desc())
            .limit(LIST_LIMIT)
        )
    )


def staff_record(staff) -> Record:
    """Return the efficiency record of one person."""
    record = Record()
    counters: dict[int, dict[str, int]] = defaultdict(dict)
    where = Decision.staff_id == staff.id
    record.decisions = _decisions(where)
    _decision_counts(counters, where)
    named = sa.exists().where(CaseStaff.case_id == Case.id, CaseStaff.staff_id == staff.id)
    valid = sa.and_(named, Case.state == State.CLOSED, Case.finding.in_(VALID))
    record.cases = list(
        db.session.scalars(
            sa.select(Case).where(valid).order_by(Case.closed_at.desc()).limit(LIST_LIMIT)
        )
    )
    year = _year_of(Case.closed_at)
    _count_into(
        counters,
        "valid_cases",
        db.session.execute(sa.select(year, sa.func.count()).where(valid).group_by(year)),
    )
    record.suggestions = _suggestions(Suggestion.staff_id == staff.id)
    record.counters = dict(counters)
    return record


def unit_record(unit) -> Record:
    """Return the efficiency record of one unit: its own decisions, cases and cards."""
    record = Record()
    counters: dict[int, dict[str, int]] = defaultdict(dict)
    where = sa.and_(Decision.unit_id == unit.id, Decision.subject_type == SubjectType.UNIT)
    record.decisions = _decisions(where)
    _decision_counts(counters, where)
    valid = sa.and_(
        Case.respondent_unit_id == unit.id, Case.state == State.CLOSED, Case.finding.in_(VALID)
    )
    record.cases = list(
        db.session.scalars(
            sa.select(Case).where(valid).order_by(Case.closed_at.desc()).limit(LIST_LIMIT)
        )
    )
    year = _year_of(Case.closed_at)
    _count_into(
        counters,
        "valid_cases",
        db.session.execute(sa.select(year, sa.func.count()).where(valid).group_by(year)),
    )
    cards = sa.and_(
        SupervisionWarning.unit_id == unit.id,
        SupervisionWarning.level.in_([WarningLevel.YELLOW, WarningLevel.RED]),
    )
    record.cards = list(
        db.session.execute(
            sa.select(SupervisionWarning, Case)
            .join(Clock, Clock.id == SupervisionWarning.clock_id)
            .join(Case, Case.id == Clock.case_id)
            .where(cards)
            .order_by(SupervisionWarning.issued_at.desc())
            .limit(LIST_LIMIT)
        ).all()
    )
    card_year = _year_of(SupervisionWarning.issued_at)
    for level, name in ((WarningLevel.YELLOW, "yellow"), (WarningLevel.RED, "red")):
        _count_into(
            counters,
            name,
            db.session.execute(
                sa.select(card_year, sa.func.count())
                .where(SupervisionWarning.unit_id == unit.id, SupervisionWarning.level == level)
                .group_by(card_year)
            ),
        )
    # Every red card on a unit's clock brings a supervision order (督办单).
    for year_counts in counters.values():
        if "red" in year_counts:
            year_counts["orders"] = year_counts["red"]
    record.suggestions = _suggestions(
        sa.and_(Suggestion.unit_id == unit.id, Suggestion.staff_id == 0)
    )
    record.counters = dict(counters)
    return record


def _suggestions(where) -> list[Suggestion]:
    return list(
        db.session.scalars(
            sa.select(Suggestion).where(where).order_by(Suggestion.id.desc()).limit(LIST_LIMIT)
        )
    )


# ---------------------------------------------------------------- rules


def period_key(period: str, day: date) -> str:
    """Return the period a day falls in: ``2026`` or ``2026Q2``."""
    if period == RulePeriod.QUARTER:
        return f"{day.year}Q{(day.month - 1) // 3 + 1}"
    return str(day.year)


def period_bounds(period: str, day: date) -> tuple[date, date]:
    """Return the first day of the period of ``day`` and the first day after it."""
    if period == RulePeriod.QUARTER:
        first_month = (day.month - 1) // 3 * 3 + 1
        start = date(day.year, first_month, 1)
        if first_month == 10:
            return start, date(day.year + 1, 1, 1)
        return start, date(day.year, first_month + 3, 1)
    return date(day.year, 1, 1), date(day.year + 1, 1, 1)


def _local_midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=SHANGHAI)


def _active_rules(subject_type: str, counts: str) -> list[AccumulationRule]:
    return list(
        db.session.scalars(
            sa.select(AccumulationRule).where(
                AccumulationRule.active.is_(True),
                AccumulationRule.subject_type == subject_type,
                AccumulationRule.counts == counts,
            )
        )
    )


def apply_decision_rules(decision: Decision) -> list[Suggestion]:
    """Raise the suggestions the rules make of a person's or unit's decisions so far."""
    raised = []
    for rule in _active_rules(decision.subject_type, RuleCount.DECISION):
        if rule.form_code != decision.form_code:
            continue
        start, end = period_bounds(rule.period, decision.decided_on)
        subject = (
            Decision.staff_id == decision.staff_id
            if decision.staff_id is not None
            else sa.and_(Decision.unit_id == decision.unit_id, Decision.subject_type == "unit")
        )
        count = db.session.scalar(
            sa.select(sa.func.count(Decision.id)).where(
                subject,
                Decision.form_code == rule.form_code,
                Decision.revoked.is_(False),
                Decision.decided_on >= start,
                Decision.decided_on < end,
            )
        )
        if count >= rule.threshold:
            suggestion = _raise(
                rule,
                decision.unit,
                decision.staff,
                period_key(rule.period, decision.decided_on),
                count,
            )
            if suggestion is not None:
                raised.append(suggestion)
    return raised


def apply_card_rules(now: datetime | None = None) -> int:
    """Raise the suggestions of units' red cards this period: one grouped query per rule."""
    now = now or utcnow()
    today = to_local(now).date()
    raised = 0
    for rule in _active_rules(SubjectType.UNIT, RuleCount.RED_CARD):
        start, end = period_bounds(rule.period, today)
        key = period_key(rule.period, today)
        rows = db.session.execute(
            sa.select(SupervisionWarning.unit_id, sa.func.count())
            .where(
                SupervisionWarning.level == WarningLevel.RED,
                SupervisionWarning.unit_id.is_not(None),
                SupervisionWarning.issued_at >= _local_midnight(start),
                SupervisionWarning.issued_at < _local_midnight(end),
                ~sa.exists().where(
                    Suggestion.rule_id == rule.id,
                    Suggestion.unit_id == SupervisionWarning.unit_id,
                    Suggestion.staff_id == 0,
                    Suggestion.period_key == key,
                ),
            )
            .group_by(SupervisionWarning.unit_id)
            .having(sa.func.count() >= rule.threshold)
        ).all()
        for unit_id, count in rows:
            raised += _raise(rule, db.session.get(Unit, unit_id), None, key, count) is not None
    return raised


def _raise(rule, unit, staff, key: str, count: int) -> Suggestion | None:
    """Record a suggestion once, and put it in the queue as a referral."""
    # Two approvals for one person at once may both reach the count: the unique key lets
    # one suggestion in, and the other insert does nothing (no savepoint to unwind).
    dialect = db.session.get_bind().dialect.name
    insert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(Suggestion)
    suggestion_id = db.session.scalar(
        insert.values(
            rule_id=rule.id,
            unit_id=unit.id,
            staff_id=staff.id if staff is not None else 0,
            period_key=key,
            count=count,
            created_at=utcnow(),
        )
        .on_conflict_do_nothing(index_elements=["rule_id", "unit_id", "staff_id", "period_key"])
        .returning(Suggestion.id)
    )
    if suggestion_id is None:
        return None
    suggestion = db.session.get(Suggestion, suggestion_id)
    add_referral(
        ReferralOrigin.RULE,
        unit,
        suggestion_text(suggestion),
        [(SourceKind.SUGGESTION, suggestion.id, None)],
        staff=staff,
    )
    return suggestion


def suggestion_text(suggestion: Suggestion) -> str:
    rule = suggestion.rule
    who = suggestion.unit.name
    if suggestion.staff_id:
        who = db.session.get(Staff, suggestion.staff_id).name
    counted = (
        rule.form.name
        if rule.counts == RuleCount.DECISION and rule.form is not None
        else str(_l("red cards"))
    )
    period = (
        _l("in quarter %(key)s", key=suggestion.period_key)
        if rule.period == RulePeriod.QUARTER
        else _l("in %(key)s", key=suggestion.period_key)
    )
    if rule.suggests is not None:
        return str(
            _l(
                "%(who)s has %(count)d × %(counted)s %(period)s: the rules suggest %(form)s.",
                who=who,
                count=suggestion.count,
                counted=counted,
                period=period,
                form=rule.suggests.name,
            )
        )
    return str(
        _l(
            "%(who)s has %(count)d × %(counted)s %(period)s: the rules refer it to the inspectors.",
            who=who,
            count=suggestion.count,
            counted=counted,
            period=period,
        )
    )
