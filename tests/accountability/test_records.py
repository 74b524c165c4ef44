"""Efficiency records and the accumulation rules: counted per year, suggested once."""

from datetime import date

import sqlalchemy as sa

from app.accountability.models import (
    AccClock,
    AccountabilityCase,
    Decision,
    Referral,
    ReferralOrigin,
    Suggestion,
)
from app.accountability.records import (
    apply_card_rules,
    apply_decision_rules,
    period_bounds,
    period_key,
    staff_record,
    unit_record,
)
from app.accountability.referrals import accept_referral, create_referral
from app.accountability.services import perform_acc_action
from app.accountability.sweep import sweep_accountability
from app.cases.models import CaseStaff
from app.cases.workflow import State
from app.core.trail import Event
from app.deadlines.calendar_admin import set_day
from app.extensions import db
from app.supervision.models import WarningLevel
from tests.conftest import login, sh
from tests.factories import create_card, create_case

_numbers = iter(range(1, 10_000))


def issued(acc_org, form: str, on: date, *, staff=None, unit=None) -> Decision:
    """A decision as approval leaves it: numbered and dated, in a case of its own."""
    inspector = acc_org["users"]["inspector"]
    who = {"staff": str(staff.id)} if staff is not None else {"unit_code": unit.code}
    acc_case = accept_referral(
        create_referral({**who, "summary": "事实"}, inspector), {}, inspector
    )
    decision = acc_case.decisions[0]
    decision.form_code, decision.decided_on = form, on
    decision.number = f"澄纪测〔{on.year}〕{next(_numbers)}号"
    db.session.flush()
    return decision


def test_periods():
    assert period_key("year", date(2026, 5, 1)) == "2026"
    assert period_key("quarter", date(2026, 5, 1)) == "2026Q2"
    assert period_bounds("quarter", date(2026, 11, 30)) == (date(2026, 10, 1), date(2027, 1, 1))
    assert period_bounds("quarter", date(2026, 1, 1)) == (date(2026, 1, 1), date(2026, 4, 1))
    assert period_bounds("year", date(2026, 7, 7)) == (date(2026, 1, 1), date(2027, 1, 1))


def test_a_third_admonition_in_a_year_suggests_an_efficiency_warning_once(acc_org):
    staff = acc_org["staff"]["王某某"]
    issued(acc_org, "admonition", date(2025, 12, 30), staff=staff)  # another year
    for day in (date(2026, 1, 5), date(2026, 4, 1)):
        assert apply_decision_rules(issued(acc_org, "admonition", day, staff=staff)) == []
    third = issued(acc_org, "admonition", date(2026, 9, 9), staff=staff)
    [suggestion] = apply_decision_rules(third)
    assert (suggestion.period_key, suggestion.count) == ("2026", 3)
    assert suggestion.rule.suggests.name == "效能告诫"
    assert apply_decision_rules(third) == []  # raised once per period
    referral = db.session.scalar(sa.select(Referral).where(Referral.origin == ReferralOrigin.RULE))
    assert referral.staff_id == staff.id and "效能告诫" in referral.summary
    # A suggestion, never a decision: nothing new was decided.
    assert (
        db.session.scalar(sa.select(sa.func.count(Decision.id)).where(Decision.number.is_not(None)))
        == 4
    )


def test_a_revoked_decision_does_not_count(acc_org):
    staff = acc_org["staff"]["刘某某"]
    first = issued(acc_org, "efficiency_warning", date(2026, 3, 1), staff=staff)
    first.revoked = True
    second = issued(acc_org, "efficiency_warning", date(2026, 6, 1), staff=staff)
    assert apply_decision_rules(second) == []


def test_three_red_cards_in_a_quarter_refer_the_unit(acc_org, at):
    unit = acc_org["units"]["CC-ZJJ"]
    at(2026, 7, 1, 9, 0)
    for _ in range(3):
        case = create_case(State.HANDLING, unit=unit, created_at=sh(2026, 6, 1, 9, 0))
        create_card(case, WarningLevel.YELLOW)
        create_card(case, WarningLevel.RED, issued_at=sh(2026, 7, 2, 9, 0))
    at(2026, 7, 3, 9, 0)
    assert apply_card_rules() == 1
    assert apply_card_rules() == 0
    suggestion = db.session.scalar(sa.select(Suggestion))
    assert (suggestion.unit_id, suggestion.staff_id, suggestion.period_key) == (
        unit.id,
        0,
        "2026Q3",
    )
    assert suggestion in unit_record(unit).suggestions


def test_a_persons_record_counts_decisions_cases_and_appeals_per_year(acc_org):
    staff = acc_org["staff"]["王某某"]
    issued(acc_org, "admonition", date(2025, 6, 1), staff=staff)
    warned = issued(acc_org, "efficiency_warning", date(2026, 3, 5), staff=staff)
    warned.appeal_filed_at = sh(2026, 3, 10, 9, 0)
    valid = create_case(
        State.CLOSED,
        unit=acc_org["units"]["CC-RSJ"],
        created_at=sh(2026, 1, 5, 9),
        closed_at=sh(2026, 2, 2, 9),
    )
    db.session.add(CaseStaff(case_id=valid.id, staff_id=staff.id))
    db.session.flush()
    record = staff_record(staff)
    assert record.years == [2026, 2025]
    assert record.counters[2026] == {
        "decisions": 1,
        "form:efficiency_warning": 1,
        "appeals": 1,
        "valid_cases": 1,
    }
    assert record.counters[2025] == {"decisions": 1, "form:admonition": 1}
    assert [d.id for d in record.decisions] == [warned.id, record.decisions[1].id]
    assert record.cases == [valid]


def test_a_units_record_counts_its_cards_and_orders(acc_org):
    unit = acc_org["units"]["CC-RSJ"]
    case = create_case(State.HANDLING, unit=unit)
    create_card(case, WarningLevel.YELLOW)
    create_card(case, WarningLevel.RED)
    issued(acc_org, "circulated_criticism", date(2026, 4, 1), unit=unit)
    record = unit_record(unit)
    year = max(record.years)
    assert record.counters[year]["yellow"] == 1
    assert record.counters[year]["red"] == record.counters[year]["orders"] == 1
    assert len(record.cards) == 2
    assert record.counters[2026]["form:circulated_criticism"] == 1


def test_the_sweep_marks_a_passed_statement_deadline_once(acc_org, at):
    inspector = acc_org["users"]["inspector"]
    at(2026, 3, 2, 9, 0)
    acc_case = accept_referral(
        create_referral({"unit_code": "CC-RSJ", "summary": "x"}, inspector), {}, inspector
    )
    perform_acc_action(acc_case, "verify", inspector, {})
    perform_acc_action(acc_case, "request_statement", inspector, {"days": 3})
    assert sweep_accountability(sh(2026, 3, 5, 23, 0)).overdue == 0
    assert sweep_accountability(sh(2026, 3, 6, 0, 1)).overdue == 1
    assert sweep_accountability(sh(2026, 3, 9, 9, 0)).overdue == 0
    clock = db.session.scalar(sa.select(AccClock))
    assert clock.overdue_at == sh(2026, 3, 6, 0, 1)
    assert (
        db.session.scalar(
            sa.select(Event.action)
            .where(Event.subject_type == "acc_case")
            .order_by(Event.id.desc())
        )
        == "overdue"
    )


def test_a_calendar_change_moves_an_open_accountability_deadline(acc_org, at):
    inspector, admin = acc_org["users"]["inspector"], acc_org["users"]["admin"]
    at(2026, 3, 2, 9, 0)
    acc_case = accept_referral(
        create_referral({"unit_code": "CC-RSJ", "summary": "x"}, inspector), {}, inspector
    )
    perform_acc_action(acc_case, "verify", inspector, {})
    perform_acc_action(acc_case, "request_statement", inspector, {"days": 3})
    assert acc_case.statement_due_at == sh(2026, 3, 5, 23, 59, 59)
    # Tuesday 3 March becomes a holiday: the third working day is Friday.
    change = set_day({"day": "2026-03-03", "kind": "off", "note": "临时休假"}, admin)
    assert change.moved >= 1
    db.session.refresh(acc_case)
    assert acc_case.statement_due_at == sh(2026, 3, 6, 23, 59, 59)
    assert db.session.scalar(sa.select(sa.func.count(AccountabilityCase.id))) == 1


def _statements_of(client, url: str) -> int:
    """The SQL statements one GET of ``url`` sends."""
    sent = []

    def count(*args):
        sent.append(1)

    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        assert client.get(url).status_code == 200
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)
    return len(sent)


def test_the_record_page_sends_as_many_statements_for_many_decisions_as_for_one(client, acc_org):
    staff = acc_org["staff"]["王某某"]
    issued(acc_org, "admonition", date(2026, 3, 2), staff=staff)
    db.session.commit()
    login(client, "inspector")
    url = f"/accountability/records/staff/{staff.id}"
    one = _statements_of(client, url)
    forms = ["criticism", "written_check", "circulated_criticism", "efficiency_warning"]
    for day in range(3, 23):
        issued(acc_org, forms[day % len(forms)], date(2026, 3, day), staff=staff)
    db.session.commit()
    assert _statements_of(client, url) == one
    assert client.get(url).get_data(as_text=True).count("data-decision=") == 21
