"""The handling unit's side: extensions, sign-off, assisting and sub-units, AB posts, comments."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.cases.access import get_visible_or_404
from app.cases.actions import perform_action
from app.cases.models import Contribution
from app.cases.workflow import State, allowed_actions
from app.core.errors import Forbidden, InvalidTransition, NotFound, ValidationFailed
from app.core.types import utcnow
from app.deadlines.workdays import to_local
from app.extensions import db
from app.notifications.models import Notification


def act(org, case, action, user, **data):
    perform_action(case, action, org["users"][user], data)
    db.session.commit()
    return case


# Extensions (延期)


def test_approved_extension_moves_the_handle_deadline(make_case, org, at):
    at(2026, 3, 2, 9, 0)
    case = make_case("dispatch", "sign")
    assert to_local(case.open_clock("handle").due_at).date().isoformat() == "2026-03-23"
    act(org, case, "request_extension", "handler", days=5, reason="需要现场核查")
    act(org, case, "decide_extension", "operator", approve=True, note="")
    # Five working days after Monday 23 March: 24 to 27 and 30 March.
    assert to_local(case.open_clock("handle").due_at).date().isoformat() == "2026-03-30"
    ext = case.extensions[0]
    assert ext.approved and ext.new_due_at > ext.old_due_at
    assert to_local(ext.new_due_at).date().isoformat() == "2026-03-30"


def test_second_extension_needs_the_center_lead_and_there_is_no_third(make_case, org):
    case = make_case("dispatch", "sign")
    act(org, case, "request_extension", "handler", days=3, reason="一")
    act(org, case, "decide_extension", "operator", approve=True)
    act(org, case, "request_extension", "handler", days=3, reason="二")
    with pytest.raises(Forbidden):
        act(org, case, "decide_extension", "operator", approve=True)
    db.session.rollback()
    act(org, case, "decide_extension", "center_lead", approve=True)
    with pytest.raises(InvalidTransition):
        act(org, case, "request_extension", "handler", days=3, reason="三")
    assert sum(1 for e in case.extensions if e.approved) == 2


def test_extension_rules(make_case, org):
    case = make_case("dispatch", "sign")
    with pytest.raises(ValidationFailed) as info:
        act(org, case, "request_extension", "handler", days=16, reason="")
    assert set(info.value.fields) == {"days", "reason"}
    db.session.rollback()
    act(org, case, "request_extension", "handler", days=2, reason="x")
    with pytest.raises(InvalidTransition):  # one request at a time
        act(org, case, "request_extension", "handler", days=2, reason="y")
    db.session.rollback()
    with pytest.raises(ValidationFailed):  # a denial needs a note
        act(org, case, "decide_extension", "operator", approve=False)
    db.session.rollback()
    due = case.open_clock("handle").due_at
    act(org, case, "decide_extension", "operator", approve=False, note="理由不充分")
    assert case.open_clock("handle").due_at == due
    with pytest.raises(InvalidTransition):
        act(org, case, "decide_extension", "operator", approve=True)


# Reply sign-off


def test_handler_reply_waits_for_the_unit_lead(make_case, org):
    case = make_case("dispatch", "sign", "draft_reply")
    assert case.state == State.HANDLING and case.open_clock("handle") is not None
    assert "sign_off" not in allowed_actions(case, org["users"]["handler"])
    assert "review" not in allowed_actions(case, org["users"]["operator"])
    with pytest.raises(InvalidTransition):  # one draft at a time
        act(org, case, "reply", "handler", text="again", finding="substantiated")
    db.session.rollback()
    act(org, case, "sign_off", "unit_lead", approve=True)
    assert case.state == State.REPLIED and case.open_clock("handle") is None


def test_returned_draft_goes_back_to_its_author(make_case, org):
    case = make_case("dispatch", "sign", "draft_reply")
    with pytest.raises(ValidationFailed):
        act(org, case, "sign_off", "unit_lead", approve=False)
    db.session.rollback()
    act(org, case, "sign_off", "unit_lead", approve=False, note="事实不清")
    assert case.state == State.HANDLING and case.replies[-1].signed_off is False
    note = db.session.scalar(
        sa.select(Notification).where(
            Notification.user_id == org["users"]["handler"].id,
            Notification.subject.contains("退回"),
        )
    )
    assert note is not None and note.body == "事实不清"
    act(org, case, "reply", "handler", text="补充后的答复", finding="partly_substantiated")
    act(org, case, "sign_off", "unit_lead", approve=True)
    assert case.state == State.REPLIED and case.replies[-1].text == "补充后的答复"


def test_unit_lead_reply_goes_straight_to_the_center(make_case):
    case = make_case("dispatch", "sign", "reply")
    assert case.state == State.REPLIED and case.replies[-1].signed_off is True


# Assisting units and sub-dispatch


def test_assisting_unit_sees_contributes_and_cannot_lead(make_case, org):
    case = make_case()
    act(org, case, "dispatch", "operator", unit_code="CC-RSJ", assist_unit_codes=["CC-ZJJ"])
    helper = org["users"]["handler2"]
    assert get_visible_or_404(case.id, helper).id == case.id
    assert allowed_actions(case, helper) == ["contribute", "comment"]
    act(org, case, "contribute", "handler2", text="住建局意见：已核实")
    contribution = db.session.scalar(sa.select(Contribution))
    assert contribution.kind == "assist" and contribution.unit.code == "CC-ZJJ"
    with pytest.raises(Forbidden):
        act(org, case, "sign", "handler2")
    with pytest.raises(ValidationFailed):
        act(
            org,
            make_case(),
            "dispatch",
            "operator",
            unit_code="CC-RSJ",
            assist_unit_codes=["CC-RSJ"],
        )


def test_sub_dispatch_keeps_the_lead_responsible(make_case, org):
    from app.auth.models import Role
    from app.auth.services import create_user

    station = create_user(
        "station", "社保所承办", "demo1234", [Role.HANDLER], org["units"]["CC-CGZ-SBS"]
    )
    case = make_case("dispatch", "sign")
    with pytest.raises(ValidationFailed):  # not below 人社局
        act(org, case, "sub_dispatch", "handler", unit_code="CC-ZJJ")
    db.session.rollback()
    act(org, case, "sub_dispatch", "handler", unit_code="CC-CGZ-SBS", note="请核实")
    assert get_visible_or_404(case.id, station).id == case.id
    assert allowed_actions(case, station) == ["sub_reply", "comment"]
    perform_action(case, "sub_reply", station, {"text": "已核实，情况属实"})
    db.session.commit()
    assert case.state == State.HANDLING  # the sub-unit's reply goes up, not to the center
    assert case.contributions[-1].kind == "sub"
    assert case.lead_assignment.unit.code == "CC-RSJ"
    with pytest.raises(Forbidden):
        perform_action(case, "reply", station, {"text": "x", "finding": "substantiated"})


# AB posts (AB岗)


def test_backup_acts_for_an_away_colleague_and_the_trail_says_so(make_case, org):
    handler, backup = org["users"]["handler"], org["users"]["handler2"]
    handler.backup_user_id = backup.id
    handler.away_until = utcnow() + timedelta(days=3)
    db.session.commit()
    case = make_case("dispatch")
    # New work goes to the backup while the handler is away.
    notes = db.session.scalars(sa.select(Notification).where(Notification.case_id == case.id))
    recipients = {n.user_id for n in notes}
    assert backup.id in recipients and handler.id not in recipients
    assert get_visible_or_404(case.id, backup).id == case.id
    act(org, case, "sign", "handler2")
    event = case.events[-1]
    assert event.actor_id == backup.id and event.acting_for.username == "handler"


def test_backup_has_no_powers_once_the_colleague_is_back(make_case, org):
    handler, backup = org["users"]["handler"], org["users"]["handler2"]
    handler.backup_user_id = backup.id
    handler.away_until = utcnow() - timedelta(hours=1)
    db.session.commit()
    case = make_case("dispatch")
    with pytest.raises(NotFound):
        get_visible_or_404(case.id, backup)


# Comments


def test_center_comment_reaches_the_unit(make_case, org):
    case = make_case("dispatch")
    act(org, case, "comment", "operator", text="请尽快签收")
    notes = db.session.scalars(
        sa.select(Notification).where(Notification.subject.contains("留言"))
    ).all()
    assert {n.user_id for n in notes} == {org["users"]["handler"].id, org["users"]["unit_lead"].id}
    with pytest.raises(Forbidden):
        act(org, case, "comment", "handler2", text="not ours")


def test_center_hears_of_returns_extensions_and_rectification(make_case, org):
    """The unit's requests reach the operator who answers for the case (首问责任人)."""
    from app.notifications.models import Notification

    returned = make_case("dispatch", "request_return")
    extended = make_case("dispatch", "sign")
    perform_action(
        extended, "request_extension", org["users"]["handler"], {"days": 5, "reason": "需现场核查"}
    )
    db.session.commit()
    to_operator = set(
        db.session.scalars(
            sa.select(Notification.subject).where(
                Notification.user_id == org["users"]["operator"].id
            )
        )
    )
    assert f"{returned.number} 申请退回" in to_operator
    assert f"{extended.number} 申请延期 5 个工作日" in to_operator


def test_a_website_case_has_its_dispatcher_as_center_contact(org):
    from app.cases.notify import center_contact
    from app.intake.services import register_case
    from tests.conftest import complaint

    case = register_case(complaint(channel="web"), None)
    assert center_contact(case) is None
    perform_action(case, "dispatch", org["users"]["center_lead"], {"unit_code": "CC-RSJ"})
    db.session.flush()
    assert center_contact(case) == org["users"]["center_lead"]


def test_the_unit_lead_is_told_of_a_draft_and_the_center_of_a_reply_to_review(make_case, org):
    users = org["users"]
    case = make_case("dispatch", "sign")
    db.session.execute(sa.delete(Notification))
    act(org, case, "reply", "handler", text="初稿", finding="substantiated")
    told = {n.user_id for n in db.session.scalars(sa.select(Notification))}
    # The lead signs off; the author is not told about their own draft.
    assert told == {users["unit_lead"].id}
    db.session.execute(sa.delete(Notification))
    act(org, case, "sign_off", "unit_lead", approve=True, note="")
    review = db.session.scalars(sa.select(Notification)).all()
    assert {n.user_id for n in review} == {users["operator"].id}
    assert all("待审核" in n.subject for n in review)


def test_nobody_signs_off_their_own_draft_even_as_a_stand_in(make_case, org):
    lead, handler = org["users"]["unit_lead"], org["users"]["handler"]
    lead.backup_user_id = handler.id
    lead.away_until = utcnow() + timedelta(days=2)
    db.session.commit()
    case = make_case("dispatch", "sign", "draft_reply")
    assert "sign_off" not in allowed_actions(case, handler)
    with pytest.raises(Forbidden):
        act(org, case, "sign_off", "handler", approve=True, note="")
    # The lead's own sign-off, were they back, is untouched by the rule.
    assert "sign_off" in allowed_actions(case, lead)
