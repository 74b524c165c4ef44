"""Clocks started by the workflow, on the stored calendar, at chosen moments."""

from datetime import datetime

import pytest
import sqlalchemy as sa

from app.cases.actions import perform_action
from app.core.errors import InvalidTransition
from app.deadlines.workdays import to_local
from app.extensions import db
from app.notifications.models import Notification
from tests.conftest import login


def due(case, kind):
    return to_local(case.open_clock(kind).due_at).replace(tzinfo=None)


def test_dispatch_before_spring_festival_uses_makeup_saturday(make_case, at):
    at(2026, 2, 13, 10, 0)
    case = make_case("dispatch")
    assert due(case, "sign") == datetime(2026, 2, 14, 23, 59, 59)
    assert due(case, "handle") == datetime(2026, 3, 12, 23, 59, 59)
    assert not case.open_clock("handle").provisional


def test_screen_clock_runs_three_working_days_from_registration(make_case, at):
    at(2026, 9, 30, 16, 0)
    case = make_case()
    # 1-7 October are off; 8, 9 and Saturday 10 October are working days.
    assert due(case, "screen") == datetime(2026, 10, 10, 23, 59, 59)


def test_urgent_case_signs_in_hours_and_handles_in_three_days(make_case, at):
    at(2026, 2, 13, 10, 0)
    case = make_case("dispatch", urgency="urgent")
    assert due(case, "sign") == datetime(2026, 2, 13, 12, 0)
    assert case.open_clock("sign").limit_unit == "hours"
    assert due(case, "handle") == datetime(2026, 2, 25, 23, 59, 59)


def test_category_limit_overrides_the_default(make_case, at):
    at(2026, 3, 2, 9, 0)
    case = make_case("dispatch", category_code="one_time_notice")  # 10 working days
    assert case.open_clock("handle").limit_amount == 10
    assert due(case, "handle") == datetime(2026, 3, 16, 23, 59, 59)


def test_deadline_in_a_year_without_calendar_is_provisional_and_shown(client, make_case, at):
    at(2026, 12, 28, 9, 0)
    case = make_case("dispatch")
    clock = case.open_clock("handle")
    assert clock.provisional and to_local(clock.due_at).year == 2027
    assert not case.open_clock("sign").provisional
    login(client, "operator")
    html = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "暂定" in html


def test_late_signing_freezes_a_late_verdict(make_case, org, at):
    at(2026, 3, 2, 9, 0)
    case = make_case("dispatch")
    at(2026, 3, 4, 9, 0)  # sign limit was the end of 3 March
    perform_action(case, "sign", org["users"]["handler"], {})
    db.session.commit()
    sign = next(c for c in case.clocks if c.kind == "sign")
    assert sign.late is True and case.events[-1].data["late"] is True
    assert case.open_clock("handle") is not None


def test_reply_on_time_is_not_late(make_case, org, at):
    at(2026, 3, 2, 9, 0)
    case = make_case("dispatch", "sign")
    at(2026, 3, 23, 23, 0)  # handle limit: end of 23 March (15 working days)
    perform_action(
        case, "reply", org["users"]["unit_lead"], {"text": "已办结", "finding": "unsubstantiated"}
    )
    handle = next(c for c in case.clocks if c.kind == "handle")
    assert handle.late is False


# The rectify clock: set by the reviewer, stopped by the unit's rectification report.


def review_with_rectification(case, org, days):
    perform_action(case, "review", org["users"]["operator"], {"pass": True, "rectify_days": days})
    db.session.commit()


def test_reviewer_sets_a_rectification_clock_that_survives_closing(make_case, org, at):
    at(2026, 3, 2, 9, 0)
    case = make_case("dispatch", "sign", "reply")
    review_with_rectification(case, org, 10)
    rectify = case.open_clock("rectify")
    assert (rectify.limit_unit, rectify.limit_amount) == ("workdays", 10)
    assert due(case, "rectify") == datetime(2026, 3, 16, 23, 59, 59)
    assert case.events[-1].data["rectify_days"] == 10
    at(2026, 3, 3, 9, 0)
    perform_action(
        case, "visit", org["users"]["operator"], {"satisfaction": "satisfied", "resolved": "yes"}
    )
    db.session.commit()
    assert case.state == "closed" and case.open_clock("visit") is None
    assert case.open_clock("rectify") is not None  # still due after closing
    at(2026, 3, 16, 20, 0)
    perform_action(case, "report_rectification", org["users"]["handler"], {"text": "已整改"})
    db.session.commit()
    clock = next(c for c in case.clocks if c.kind == "rectify")
    assert clock.stopped_at is not None and clock.late is False
    assert case.state == "closed" and case.events[-1].data == {"text": "已整改", "late": False}
    # The operator who registered the case hears of it.
    subjects = db.session.scalars(
        sa.select(Notification.subject).where(
            Notification.user_id == org["users"]["operator"].id, Notification.case_id == case.id
        )
    ).all()
    assert f"{case.number} 整改情况已报送" in subjects


def test_late_rectification_is_judged_late_once_and_for_all(make_case, org, at):
    at(2026, 3, 2, 9, 0)
    case = make_case("dispatch", "sign", "reply")
    review_with_rectification(case, org, 1)
    at(2026, 3, 5, 9, 0)
    perform_action(case, "report_rectification", org["users"]["unit_lead"], {"text": "已整改"})
    db.session.commit()
    assert next(c for c in case.clocks if c.kind == "rectify").late is True
    # Reported once: there is nothing more to report.
    with pytest.raises(InvalidTransition):
        perform_action(case, "report_rectification", org["users"]["handler"], {"text": "再报"})


def test_no_rectification_is_reported_unless_one_is_due(client, make_case, org):
    case = make_case("dispatch", "sign", "reply", "review")
    assert case.open_clock("rectify") is None
    with pytest.raises(InvalidTransition):
        perform_action(case, "report_rectification", org["users"]["handler"], {"text": "x"})
    login(client, "handler")
    html = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "action-report_rectification" not in html
    assert (
        client.post(f"/cases/{case.id}/report_rectification", data={"text": "x"}).status_code == 409
    )


def test_rectification_button_shows_for_the_lead_unit_only(client, make_case, org):
    case = make_case("dispatch", "sign", "reply")
    review_with_rectification(case, org, 5)
    login(client, "handler")
    assert "action-report_rectification" in client.get(f"/cases/{case.id}").get_data(as_text=True)
    client.post("/logout")
    login(client, "operator")
    assert "action-report_rectification" not in client.get(f"/cases/{case.id}").get_data(
        as_text=True
    )


@pytest.mark.parametrize("days", [0, 61, "x", True])
def test_bad_rectification_limits_are_refused(client, make_case, org, days):
    case = make_case("dispatch", "sign", "reply")
    from app.auth.services import create_token

    token = create_token(org["users"]["operator"])
    db.session.commit()
    r = client.post(
        f"/api/v1/cases/{case.id}/actions/review",
        json={"pass": True, "rectify_days": days},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert r.status_code in (400, 422), r.json
    db.session.expire_all()
    assert case.state == "replied" and case.open_clock("rectify") is None
