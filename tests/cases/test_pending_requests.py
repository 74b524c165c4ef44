"""A request waits for a decision, is withdrawn by whoever asked, or lapses with a trail
entry when the case moves on without it (extensions, returns, draft replies)."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.cases.actions import perform_action
from app.cases.models import WITHDRAWN
from app.cases.pending import lapse_pending
from app.cases.workflow import (
    State,
    allowed_actions,
    pending_extension,
    pending_reply,
    pending_return,
)
from app.core.errors import Forbidden, InvalidTransition
from app.core.trail import verify_chains
from app.core.types import utcnow
from app.extensions import db
from app.notifications.models import Notification

DRAFT = {"text": "拟答复：已核查。", "finding": "substantiated"}
DIRECT = {"text": "已核查并整改。", "finding": "partly_substantiated"}


def act(org, case, action, user, **data):
    perform_action(case, action, org["users"][user], data)
    db.session.commit()
    return case


def trail(case) -> list[str]:
    db.session.expire(case, ["events"])
    return [e.action for e in case.events]


def told(user, case) -> list[str]:
    return list(
        db.session.scalars(
            sa.select(Notification.subject).where(
                Notification.user_id == user.id,
                Notification.case_id == case.id,
                Notification.channel == "inapp",
            )
        )
    )


def ask_extension(org, case, user="handler"):
    return act(org, case, "request_extension", user, days=3, reason="需要现场核查")


# Withdrawing


def test_the_requester_withdraws_an_extension_request(make_case, org):
    case = ask_extension(org, make_case("dispatch", "sign"))
    assert "withdraw_extension" in allowed_actions(case, org["users"]["handler"])
    assert "decide_extension" in allowed_actions(case, org["users"]["operator"])
    act(org, case, "withdraw_extension", "handler")
    request = case.extensions[0]
    assert request.ended_at is not None and request.end_reason == WITHDRAWN
    assert request.approved is None and pending_extension(case) is None
    assert trail(case)[-1] == "withdraw_extension"
    assert "decide_extension" not in allowed_actions(case, org["users"]["operator"])
    # The way is clear for a new request.
    ask_extension(org, case)
    assert pending_extension(case) is case.extensions[1]


def test_only_the_requester_withdraws_and_only_while_it_waits(make_case, org):
    case = ask_extension(org, make_case("dispatch", "sign"))
    assert "withdraw_extension" not in allowed_actions(case, org["users"]["unit_lead"])
    with pytest.raises(Forbidden):
        act(org, case, "withdraw_extension", "unit_lead")
    db.session.rollback()
    act(org, case, "decide_extension", "operator", approve=True, note="")
    with pytest.raises(InvalidTransition):
        act(org, case, "withdraw_extension", "handler")
    db.session.rollback()
    assert case.extensions[0].approved is True and case.extensions[0].ended_at is None


def test_a_stand_in_withdraws_for_an_away_requester(make_case, org):
    users = org["users"]
    case = ask_extension(org, make_case("dispatch", "sign"))
    users["handler"].backup_user_id = users["handler2"].id
    users["handler"].away_until = utcnow() + timedelta(days=2)
    db.session.commit()
    act(org, case, "withdraw_extension", "handler2")
    assert case.events[-1].acting_for_id == users["handler"].id


def test_the_requester_withdraws_a_return_request_and_the_case_goes_back(make_case, org):
    case = make_case("dispatch", "sign", "request_return")
    assert "withdraw_return" in allowed_actions(case, org["users"]["handler"])
    with pytest.raises(Forbidden):
        act(org, case, "withdraw_return", "unit_lead")
    db.session.rollback()
    act(org, case, "withdraw_return", "handler")
    assert case.state == State.HANDLING
    assert case.return_requests[0].end_reason == WITHDRAWN and pending_return(case) is None
    assert "decide_return" not in allowed_actions(case, org["users"]["operator"])
    with pytest.raises(InvalidTransition):
        act(org, case, "withdraw_return", "handler")
    db.session.rollback()
    before_signing = make_case("dispatch", "request_return")
    act(org, before_signing, "withdraw_return", "handler")
    assert before_signing.state == State.DISPATCHED


# Lapsing, on each path a case leaves handling by


def test_a_direct_reply_lets_a_waiting_extension_and_draft_lapse(make_case, org):
    users = org["users"]
    case = ask_extension(org, make_case("dispatch", "sign", "draft_reply"))
    act(org, case, "reply", "unit_lead", **DIRECT)
    assert case.state == State.REPLIED
    assert pending_extension(case) is None and pending_reply(case) is None
    extension, draft = case.extensions[0], case.replies[0]
    assert (extension.end_reason, draft.end_reason) == ("reply", "reply")
    assert extension.approved is None and draft.signed_off is None
    assert trail(case)[-3:] == ["reply", "extension_lapsed", "reply_lapsed"]
    lapsed = case.events[-2]
    assert lapsed.actor_id is None and lapsed.data["cause"] == "reply"
    assert lapsed.data["days"] == 3 and lapsed.data["by"] == "handler"
    # The handler who asked is told; nobody is told of their own act.
    assert any("延期申请已失效" in s for s in told(users["handler"], case))
    assert any("拟答复已失效" in s for s in told(users["handler"], case))
    assert not any("失效" in s for s in told(users["unit_lead"], case))
    # Sent back to be redone, nothing old waits: a new request is possible, no stale sign-off.
    act(org, case, "review", "operator", **{"pass": False, "note": "答复不完整"})
    assert "sign_off" not in allowed_actions(case, users["unit_lead"])
    assert "decide_extension" not in allowed_actions(case, users["operator"])
    ask_extension(org, case)
    assert verify_chains().broken == []


def test_a_signed_off_reply_lets_a_waiting_extension_lapse(make_case, org):
    case = make_case("dispatch", "sign")
    act(org, case, "reply", "handler", **DRAFT)
    ask_extension(org, case)
    act(org, case, "sign_off", "unit_lead", approve=True, note="")
    assert case.replies[0].signed_off is True and case.replies[0].ended_at is None
    assert case.extensions[0].end_reason == "sign_off"
    assert trail(case)[-2:] == ["sign_off", "extension_lapsed"]


def test_a_return_request_lets_a_waiting_extension_and_draft_lapse(make_case, org):
    users = org["users"]
    case = ask_extension(org, make_case("dispatch", "sign", "draft_reply"))
    act(org, case, "request_return", "handler", reason="应由乡镇办理")
    assert {e.end_reason for e in (case.extensions[0], case.replies[0])} == {"request_return"}
    # The handler asked for the return themselves: not told their own requests lapsed.
    assert not any("失效" in s for s in told(users["handler"], case))
    act(org, case, "decide_return", "operator", approve=False, note="属于你单位职责")
    assert case.state == State.HANDLING
    assert allowed_actions(case, users["unit_lead"]).count("sign_off") == 0
    assert "decide_extension" not in allowed_actions(case, users["operator"])


def test_nothing_waits_through_review_closing_and_reopening(make_case, org):
    case = ask_extension(org, make_case("dispatch", "sign"))
    for step, user, data in (
        ("reply", "unit_lead", DIRECT),
        ("review", "operator", {"pass": True, "note": ""}),
        ("visit", "operator", {"satisfaction": "satisfied", "resolved": "yes"}),
        ("reopen", "center_lead", {"reason": "新证据"}),
    ):
        act(org, case, step, user, **data)
        assert pending_extension(case) is None
        assert "decide_extension" not in allowed_actions(case, org["users"]["operator"])
    assert trail(case).count("extension_lapsed") == 1


def test_a_return_request_left_waiting_lapses_too(make_case, org):
    # No row of the table leaves return_requested but a decision or a withdrawal; the
    # rule does not depend on that.
    case = make_case("dispatch", "request_return")
    case.state = State.SCREENING
    lapse_pending(case, "decide_return", org["users"]["operator"], utcnow())
    assert case.return_requests[0].end_reason == "decide_return"
    db.session.flush()
    assert trail(case)[-1] == "return_request_lapsed"
    db.session.rollback()
