"""The factories build rows that agree with the workflow table, the clocks and the sweep."""

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from app.auth.models import Role
from app.cases.access import get_visible_or_404
from app.cases.actions import perform_action
from app.cases.workflow import State, allowed_actions
from app.core.errors import NotFound
from app.extensions import db
from app.supervision.models import SupervisionWarning
from app.supervision.sweep import run_sweep
from tests.conftest import sh
from tests.factories import create_card, create_case, create_unit, create_user

pytestmark = pytest.mark.usefixtures("app")


def test_a_case_closed_in_march_has_its_clocks_stopped_and_its_closing_day():
    case = create_case("closed", created_at=sh(2026, 3, 2, 9, 0), closed_at=sh(2026, 3, 20, 16, 0))
    assert case.state == "closed" and case.closed_at == sh(2026, 3, 20, 16, 0)
    assert [c.kind for c in case.clocks] == ["screen", "sign", "handle", "visit"]
    assert all(c.stopped_at is not None and c.late is False for c in case.clocks)
    handle = case.clocks[2]
    assert handle.stopped_at == case.closed_at  # replied on the closing day, due 23 March
    assert case.lead_assignment.signed_at == sh(2026, 3, 2, 9, 0)
    [reply] = case.replies
    assert reply.signed_off and reply.review_passed and case.finding == reply.finding
    assert [v.satisfaction for v in case.visits] == ["satisfied"]


def test_a_late_reply_freezes_a_late_verdict():
    case = create_case("replied", created_at=sh(2026, 3, 2, 9, 0), replied_at=sh(2026, 3, 24, 9, 0))
    handle = case.clocks[2]
    assert handle.kind == "handle" and handle.late is True
    assert case.finding is None  # set by the center's review, which has not happened


def test_a_handling_case_is_the_lead_units_to_reply_to():
    unit = create_unit()
    case = create_case("handling", unit=unit)
    handler = create_user(roles=[Role.HANDLER], unit=unit)
    outsider = create_user(roles=[Role.HANDLER])
    assert get_visible_or_404(case.id, handler) is case
    assert "reply" in allowed_actions(case, handler)
    assert "sign" not in allowed_actions(case, handler)
    with pytest.raises(NotFound):
        get_visible_or_404(case.id, outsider)


def test_a_dispatched_case_waits_for_the_lead_unit_to_sign():
    unit, helper = create_unit(), create_unit()
    case = create_case("dispatched", unit=unit, assist_units=[helper])
    assert case.lead_assignment.signed_at is None
    assert [(c.kind, c.running) for c in case.clocks] == [
        ("screen", False),
        ("sign", True),
        ("handle", True),
    ]
    assert "sign" in allowed_actions(case, create_user(roles=[Role.HANDLER], unit=unit))
    assistant = create_user(roles=[Role.HANDLER], unit=helper)
    assert allowed_actions(case, assistant) == ["contribute", "comment"]


@pytest.mark.parametrize(
    ("state", "role", "action"),
    [
        ("screening", Role.OPERATOR, "dispatch"),
        ("return_requested", Role.OPERATOR, "decide_return"),
        ("replied", Role.OPERATOR, "review"),
        ("visiting", Role.OPERATOR, "visit"),
        ("closed", Role.CENTER_LEAD, "reopen"),
    ],
)
def test_each_state_offers_the_center_its_next_action(state, role, action):
    case = create_case(state)
    assert action in allowed_actions(case, create_user(roles=[role]))


def test_the_workflow_carries_on_from_a_built_case():
    case = create_case("visiting", created_at=sh(2026, 3, 2, 9, 0))
    operator = create_user(roles=[Role.OPERATOR])
    perform_action(case, "visit", operator, {"satisfaction": "satisfied", "resolved": "yes"})
    assert case.state == State.CLOSED and case.closed_at is not None
    assert all(not c.running for c in case.clocks)


def test_cases_off_the_main_line_are_closed_where_they_left_it():
    rejected = create_case("not_accepted", created_at=sh(2026, 3, 2, 9, 0))
    merged = create_case("merged")
    assert rejected.closed_at == sh(2026, 3, 2, 9, 0) and rejected.assignments == []
    assert [(c.kind, c.running) for c in rejected.clocks] == [("screen", False)]
    assert merged.duplicate_of is not None and merged.duplicate_of.state == "screening"


def test_numbers_and_tracking_codes_are_unique():
    cases = [create_case() for _ in range(3)]
    assert len({c.number for c in cases}) == len({c.tracking_code for c in cases}) == 3
    assert all(len(c.tracking_code) == 12 for c in cases)


def test_a_rectify_clock_keeps_running_after_the_case_closes():
    case = create_case("closed", clocks=("handle", "rectify"))
    assert [(c.kind, c.running) for c in case.clocks] == [("handle", False), ("rectify", True)]
    assert "report_rectification" in allowed_actions(
        case, create_user(roles=[Role.HANDLER], unit=case.respondent_unit)
    )


def test_a_red_card_brings_a_numbered_order_to_the_lead_unit():
    case = create_case("dispatched", created_at=sh(2026, 3, 2, 9, 0))
    prewarn = create_card(case, "prewarn")
    order = create_card(case, "red", kind="sign")
    assert prewarn.number is None and prewarn.issued_at == case.clocks[2].prewarn_at
    assert order.number == "澄效督〔2026〕1号" and order.notice_kind == "order"
    assert order.unit_id == case.lead_assignment.unit_id and order.refer_to_inspectors
    assert order.issued_at == case.clocks[1].red_at < order.respond_by
    assert sorted(case.open_cards) == ["prewarn", "red"]


def test_the_centers_own_clocks_get_cards_but_no_notices():
    case = create_case("screening", created_at=sh(2026, 3, 2, 9, 0))
    card = create_card(case, "yellow")  # the screen clock, the only one
    assert card.number is None and card.unit_id is None
    assert card.issued_at == case.clocks[0].due_at and card.cleared_at is None


def test_a_card_on_a_stopped_clock_is_cleared_when_it_stopped():
    case = create_case("handling", created_at=sh(2026, 3, 2, 9, 0), signed_at=sh(2026, 3, 5, 9, 0))
    card = create_card(case, "yellow", kind="sign")
    assert card.issued_at < card.cleared_at == sh(2026, 3, 5, 9, 0)
    assert case.open_cards == []


def test_the_same_card_twice_on_one_clock_is_refused():
    case = create_case("dispatched")
    create_card(case, "red")
    with pytest.raises(IntegrityError):
        create_card(case, "red")
    db.session.rollback()


def test_a_card_after_its_clock_stopped_is_refused():
    case = create_case("handling", created_at=sh(2026, 3, 2, 9, 0))
    with pytest.raises(ValueError, match="while their clock runs"):
        create_card(case, "yellow", kind="sign", issued_at=sh(2026, 3, 4, 9, 0))


def test_the_sweep_takes_over_from_built_cards():
    """Built cards count as issued and their notice numbers as used."""
    first = create_case("dispatched", created_at=sh(2026, 3, 2, 9, 0))
    create_card(first, "yellow", kind="sign", issued_at=sh(2026, 3, 4, 9, 0))
    create_case("dispatched", created_at=sh(2026, 3, 2, 9, 0))
    result = run_sweep(sh(2026, 3, 4, 9, 5))
    assert (result.yellow, result.reminders) == (1, 1)  # the second case's only
    create_card(first, "red", kind="sign")
    result = run_sweep(sh(2026, 3, 11, 9, 0))
    assert (result.red, result.orders) == (1, 1)
    db.session.commit()
    numbers = db.session.scalars(
        sa.select(SupervisionWarning.number).order_by(SupervisionWarning.id)
    ).all()
    assert numbers == [
        "澄效催〔2026〕1号",
        "澄效催〔2026〕2号",
        "澄效督〔2026〕1号",
        "澄效督〔2026〕2号",
    ]
