"""The transition table: every legal transition, illegal ones refused, events, clocks, locking."""

import pytest
import sqlalchemy as sa

from app.cases.actions import perform_action
from app.cases.models import Case
from app.cases.workflow import TRANSITIONS, State, allowed_actions
from app.core.errors import Conflict, Forbidden, InvalidTransition, NotFound, ValidationFailed
from app.core.trail import Event
from app.extensions import db
from tests.conftest import complaint


def events_of(case) -> list[tuple[str, str | None, str | None]]:
    rows = db.session.scalars(
        sa.select(Event)
        .where(Event.subject_type == "case", Event.subject_id == case.id)
        .order_by(Event.id)
    )
    return [(e.action, e.from_state, e.to_state) for e in rows]


def test_hotline_registration_starts_screening_and_screen_clock(make_case, org):
    case = make_case()
    assert case.state == State.SCREENING
    assert case.number.startswith("CC20")
    assert case.entered_by_id == org["users"]["operator"].id
    assert events_of(case) == [
        ("register", None, "registered"),
        ("screen", "registered", "screening"),
    ]
    assert case.open_clock("screen") is not None


def test_case_numbers_are_sequential_without_gaps(make_case):
    numbers = [make_case().number for _ in range(3)]
    seq = [int(n.rsplit("-", 1)[1]) for n in numbers]
    assert seq == [seq[0], seq[0] + 1, seq[0] + 2]


def test_registered_case_is_screened_by_operator(org):
    from app.intake.services import register_case

    case = register_case(complaint(channel="web"), None, screen_now=False)
    assert case.state == State.REGISTERED
    perform_action(case, "screen", org["users"]["operator"], {})
    assert case.state == State.SCREENING


def test_golden_path_through_every_state(make_case):
    case = make_case("dispatch")
    assert case.state == State.DISPATCHED
    assert case.open_clock("sign") and case.open_clock("handle")
    assert case.open_clock("screen") is None
    case = make_case("dispatch", "sign", "reply", "review", "visit")
    assert case.state == State.CLOSED
    assert case.closed_at is not None
    assert case.finding == "substantiated"
    assert [a for a, _f, _t in events_of(case)] == [
        "register",
        "screen",
        "dispatch",
        "sign",
        "reply",
        "review",
        "visit",
    ]
    assert all(c.stopped_at is not None for c in case.clocks)
    assert all(c.late is False for c in case.clocks)


def test_reject_needs_reason_and_composes_one_notice(make_case, org):
    case = make_case()
    with pytest.raises(ValidationFailed) as info:
        perform_action(case, "reject", org["users"]["operator"], {"reason": "  "})
    assert "reason" in info.value.fields
    perform_action(
        case,
        "reject",
        org["users"]["operator"],
        {"reason": "属民事纠纷", "advice": "向人民法院起诉"},
    )
    assert case.state == State.NOT_ACCEPTED
    event = case.events[-1] if case.events else None
    db.session.commit()
    db.session.refresh(case)
    event = case.events[-1]
    assert "属民事纠纷" in event.data["notice"] and "向人民法院起诉" in event.data["notice"]


def test_review_send_back_returns_to_handling_with_new_handle_clock(make_case):
    case = make_case("dispatch", "sign", "reply", "send_back")
    assert case.state == State.HANDLING
    handles = [c for c in case.clocks if c.kind == "handle"]
    assert len(handles) == 2 and handles[0].stopped_at and handles[1].stopped_at is None


def test_send_back_requires_a_note(make_case, org):
    case = make_case("dispatch", "sign", "reply")
    with pytest.raises(ValidationFailed) as info:
        perform_action(case, "review", org["users"]["operator"], {"pass": False, "note": ""})
    assert "note" in info.value.fields


def test_unsatisfied_visit_reopens_handling_and_counts(make_case):
    case = make_case("dispatch", "sign", "reply", "review", "visit_unsatisfied")
    assert case.state == State.HANDLING
    assert case.redo_count == 1 and case.reopen_count == 0
    assert case.open_clock("handle") is not None


def test_center_lead_reopens_closed_case(make_case):
    case = make_case("dispatch", "sign", "reply", "review", "visit", "reopen")
    assert case.state == State.SCREENING
    assert case.closed_at is None
    assert case.open_clock("screen") is not None


def test_operator_may_not_reopen_closed_case(make_case, org):
    case = make_case("dispatch", "sign", "reply", "review", "visit")
    with pytest.raises(Forbidden):
        perform_action(case, "reopen", org["users"]["operator"], {"reason": "x"})


def test_merge_closes_duplicate_with_pointer_and_marks_original(make_case, org):
    original = make_case()
    duplicate = make_case()
    perform_action(duplicate, "merge", org["users"]["operator"], {"case_id": original.id})
    db.session.commit()
    assert duplicate.state == State.MERGED
    assert duplicate.duplicate_of_id == original.id
    assert ("merged_in", None, None) in events_of(original)


def test_merge_into_itself_is_refused(make_case, org):
    case = make_case()
    with pytest.raises(ValidationFailed):
        perform_action(case, "merge", org["users"]["operator"], {"case_id": case.id})
    assert case.state == State.SCREENING


@pytest.mark.parametrize(
    ("steps", "action", "user"),
    [
        ((), "sign", "handler"),  # not dispatched yet
        ((), "reply", "handler"),
        ((), "review", "operator"),
        ((), "visit", "operator"),
        ((), "reopen", "center_lead"),
        (("dispatch",), "dispatch", "operator"),  # twice
        (("dispatch",), "reply", "handler"),  # must sign first
        (("dispatch", "sign"), "sign", "handler"),  # cannot sign twice
        (("dispatch", "sign"), "reject", "operator"),
        (("dispatch", "sign", "reply"), "visit", "operator"),
        (("dispatch", "sign", "reply", "review", "visit"), "dispatch", "operator"),
    ],
)
def test_illegal_transitions_are_refused_and_change_nothing(make_case, org, steps, action, user):
    case = make_case(*steps)
    state, version, n_events = case.state, case.version, len(events_of(case))
    data = {
        "unit_code": "CC-RSJ",
        "reason": "x",
        "text": "x",
        "finding": "substantiated",
        "pass": True,
        "satisfaction": "satisfied",
        "resolved": "yes",
    }
    with pytest.raises(InvalidTransition):
        perform_action(case, action, org["users"][user], data)
    db.session.rollback()
    db.session.refresh(case)
    assert (case.state, case.version, len(events_of(case))) == (state, version, n_events)


@pytest.mark.parametrize(
    ("action", "user"),
    [
        ("dispatch", "handler"),
        ("sign", "operator"),
        ("reply", "operator"),
        ("review", "handler"),
        ("dispatch", "inspector"),
        ("dispatch", "leader"),
    ],
)
def test_roles_outside_the_table_are_forbidden(make_case, org, action, user):
    case = make_case("dispatch") if action in {"sign", "reply"} else make_case()
    with pytest.raises(Forbidden):
        perform_action(case, action, org["users"][user], {"unit_code": "CC-RSJ"})


def test_handler_of_another_unit_cannot_sign(make_case, org):
    case = make_case("dispatch")
    with pytest.raises(Forbidden):
        perform_action(case, "sign", org["users"]["handler2"], {})


def test_unknown_action_is_not_found(make_case, org):
    with pytest.raises(NotFound):
        perform_action(make_case(), "teleport", org["users"]["operator"], {})


def test_dispatch_to_unknown_unit_names_the_field(make_case, org):
    case = make_case()
    with pytest.raises(ValidationFailed) as info:
        perform_action(case, "dispatch", org["users"]["operator"], {"unit_code": "NOPE"})
    assert set(info.value.fields) == {"unit_code"}


def test_stale_version_is_a_conflict(make_case, org):
    case = make_case()
    seen = case.version
    perform_action(
        case, "dispatch", org["users"]["operator"], {"unit_code": "CC-RSJ"}, expected_version=seen
    )
    db.session.commit()
    with pytest.raises(Conflict):
        perform_action(
            case, "reject", org["users"]["operator"], {"reason": "x"}, expected_version=seen
        )


def test_concurrent_update_is_a_conflict_not_an_overwrite(make_case, org, app):
    """Two sessions load the same version; the second flush is refused."""
    case = make_case()
    case_id = case.id
    assert case.version == 2  # loaded here: registered (1), screened (2)
    other = db.session.session_factory()
    try:
        theirs = other.get(Case, case_id)
        theirs.title = "changed elsewhere"
        other.commit()
    finally:
        other.close()
    with pytest.raises(Conflict):
        perform_action(case, "dispatch", org["users"]["operator"], {"unit_code": "CC-RSJ"})
    db.session.rollback()
    fresh = db.session.get(Case, case_id)
    assert fresh.state == State.SCREENING and fresh.title == "changed elsewhere"


def test_allowed_actions_follow_the_table(make_case, org):
    case = make_case()
    assert allowed_actions(case, org["users"]["operator"]) == [
        "dispatch",
        "reject",
        "merge",
        "invalidate",
        "resolve_directly",
        "classify",
        "comment",
    ]
    assert allowed_actions(case, org["users"]["handler"]) == []
    perform_action(case, "dispatch", org["users"]["operator"], {"unit_code": "CC-RSJ"})
    assert allowed_actions(case, org["users"]["handler"]) == ["sign", "request_return", "comment"]
    assert allowed_actions(case, org["users"]["handler2"]) == []


def test_every_row_of_the_table_is_exercised_somewhere():
    # Guard: adding a transition without a service handler would break the UI.
    from app.cases.actions import HANDLERS

    assert {t.action for t in TRANSITIONS} == set(HANDLERS)


def test_events_are_append_only(make_case):
    case = make_case()
    event = db.session.scalars(
        sa.select(Event).where(Event.subject_type == "case", Event.subject_id == case.id)
    ).first()
    event.action = "tampered"
    with pytest.raises(RuntimeError):
        db.session.flush()
    db.session.rollback()


@pytest.mark.parametrize("steps", [("dispatch",), ("dispatch", "sign")])
def test_denied_return_goes_back_to_the_previous_state_with_clocks_running(make_case, steps):
    case = make_case(*steps)
    before = case.state
    handle_due = case.open_clock("handle").due_at
    case = make_case(*steps, "request_return")
    assert case.state == State.RETURN_REQUESTED
    assert case.open_clock("handle") is not None  # the clock never stops for a request
    case = make_case(*steps, "request_return", "deny_return")
    assert case.state == before
    assert case.open_clock("handle").due_at.date() == handle_due.date()
    assert case.return_requests[-1].approved is False


def test_approved_return_releases_the_unit_and_restarts_screening(make_case, org):
    from app.cases.access import get_visible_or_404

    case = make_case("dispatch", "request_return", "approve_return")
    assert case.state == State.SCREENING
    assert case.lead_assignment is None
    assert case.open_clock("handle") is None and case.open_clock("screen") is not None
    request = case.return_requests[-1]
    assert request.approved is True and request.suggested_unit.code == "CC-CGZ"
    with pytest.raises(NotFound):
        get_visible_or_404(case.id, org["users"]["handler"])
    perform_action(
        case,
        "dispatch",
        org["users"]["operator"],
        # Nobody at 城关镇 uses the system yet: the operator confirms.
        {
            "unit_code": "CC-CGZ",
            "override_reason": "单位申请退单后改派",
            "confirm_no_signer": True,
        },
    )
    assert case.state == State.DISPATCHED and case.lead_assignment.unit.code == "CC-CGZ"


def test_return_request_needs_a_reason_and_denial_a_note(make_case, org):
    case = make_case("dispatch")
    with pytest.raises(ValidationFailed) as info:
        perform_action(case, "request_return", org["users"]["handler"], {"reason": ""})
    assert set(info.value.fields) == {"reason"}
    case = make_case("dispatch", "request_return")
    with pytest.raises(ValidationFailed) as info:
        perform_action(case, "decide_return", org["users"]["operator"], {"approve": False})
    assert set(info.value.fields) == {"note"}


def test_only_the_lead_unit_may_request_a_return(make_case, org):
    case = make_case("dispatch")
    with pytest.raises(Forbidden):
        perform_action(case, "request_return", org["users"]["handler2"], {"reason": "x"})
    with pytest.raises(Forbidden):
        perform_action(case, "request_return", org["users"]["operator"], {"reason": "x"})


def test_invalidate_closes_with_reason(make_case, org):
    case = make_case()
    perform_action(case, "invalidate", org["users"]["operator"], {"reason": "广告"})
    assert case.state == State.INVALID and case.closed_at is not None
    assert case.open_clock("screen") is None


def test_resolve_directly_closes_and_tells_the_complainant(make_case, org):
    from app.notifications.models import Notification

    case = make_case()
    perform_action(case, "resolve_directly", org["users"]["operator"], {"text": "请携带身份证。"})
    db.session.commit()
    assert case.state == State.CLOSED and case.public_reply == "请携带身份证。"
    receipt, note = db.session.scalars(
        sa.select(Notification).where(Notification.case_id == case.id).order_by(Notification.id)
    )
    assert case.tracking_code in receipt.body
    assert note.channel == "sms" and note.to_address == "13812345678"
    assert "请携带身份证。" in note.body


def test_email_case_must_be_classified_before_dispatch(org):
    from app.intake.services import register_case

    case = register_case(
        {
            "channel": "email",
            "complainant": {"name": "a", "email": "a@example.net"},
            "title": "t",
            "content": "c",
        },
        None,
    )
    assert case.state == State.SCREENING and case.respondent_unit_id is None
    operator = org["users"]["operator"]
    with pytest.raises(ValidationFailed):
        perform_action(case, "dispatch", operator, {"unit_code": "CC-RSJ"})
    perform_action(
        case, "classify", operator, {"respondent_unit_code": "CC-RSJ", "category_code": "sloth"}
    )
    assert case.state == State.SCREENING and case.category.code == "sloth"
    assert case.events[-1].data["changes"] == {"respondent_unit": "CC-RSJ", "category": "sloth"}
    perform_action(case, "dispatch", operator, {"unit_code": "CC-RSJ"})
    assert case.state == State.DISPATCHED


def test_classify_needs_unit_and_category(make_case, org):
    case = make_case()
    with pytest.raises(ValidationFailed) as info:
        perform_action(case, "classify", org["users"]["operator"], {"respondent_unit_code": "X"})
    assert set(info.value.fields) == {"respondent_unit_code", "category_code"}


def test_decisions_are_offered_only_while_something_waits_for_them(make_case, org):
    users = org["users"]
    case = make_case("dispatch", "sign")
    assert "decide_extension" not in allowed_actions(case, users["operator"])
    assert "sign_off" not in allowed_actions(case, users["unit_lead"])
    perform_action(case, "request_extension", users["handler"], {"days": 5, "reason": "需调查"})
    perform_action(case, "reply", users["handler"], {"text": "初稿", "finding": "substantiated"})
    assert "decide_extension" in allowed_actions(case, users["operator"])
    assert "sign_off" in allowed_actions(case, users["unit_lead"])
    # A second draft cannot be written while the first waits for the unit lead.
    assert "reply" not in allowed_actions(case, users["handler"])
    with pytest.raises(InvalidTransition):
        second = {"text": "再稿", "finding": "substantiated"}
        perform_action(case, "reply", users["handler"], second)
    perform_action(case, "decide_extension", users["operator"], {"approve": True, "note": ""})
    assert "decide_extension" not in allowed_actions(case, users["operator"])
