"""The accountability case up to the proposal: verifying, statements, drafts, sending back."""

import pytest
import sqlalchemy as sa

from app.accountability.models import AccClock, LegalBasis
from app.accountability.referrals import accept_referral, create_referral
from app.accountability.services import perform_acc_action
from app.accountability.workflow import ACC_WORKFLOW, AccState
from app.core.errors import Forbidden, InvalidTransition, NotFound, StaleVersion, ValidationFailed
from app.core.trail import Event
from app.extensions import db
from tests.conftest import sh


@pytest.fixture
def acc_case(acc_org):
    inspector = acc_org["users"]["inspector"]
    referral = create_referral(
        {"staff": str(acc_org["staff"]["王某某"].id), "summary": "失业保险金申领超期。"},
        inspector,
    )
    acc_case = accept_referral(referral, {}, inspector)
    db.session.commit()
    return acc_case


def _bases(n=2) -> list[str]:
    ids = db.session.scalars(sa.select(LegalBasis.id).order_by(LegalBasis.id).limit(n))
    return [str(i) for i in ids]


def draft(acc_case, actor, **overrides):
    data = {
        "decision": str(acc_case.decisions[0].id),
        "form_code": "efficiency_warning",
        "facts": "经核实，王某某在办理失业保险金申领中超期未办结。",
        "basis_ids": _bases(),
        "requirements": "作出书面检查。",
        "execution_days": 10,
        **overrides,
    }
    return perform_acc_action(acc_case, "draft_decision", actor, data)


def test_verify_draft_and_propose(acc_org, acc_case):
    inspector = acc_org["users"]["inspector"]
    perform_acc_action(acc_case, "verify", inspector, {})
    assert acc_case.state == AccState.VERIFYING
    with pytest.raises(InvalidTransition):  # no draft yet
        perform_acc_action(acc_case, "propose", inspector, {})
    draft(acc_case, inspector)
    decision = acc_case.decisions[0]
    assert decision.form.name == "效能告诫" and len(decision.bases) == 2
    assert decision.consequences.startswith("受到效能告诫的")  # the form's, not typed
    perform_acc_action(acc_case, "propose", inspector, {"findings": "属实。"})
    db.session.commit()
    assert acc_case.state == AccState.PROPOSED and acc_case.proposed_by_id == inspector.id
    actions = [e.action for e in acc_case.events]
    assert actions == ["register", "verify", "draft_decision", "propose"]


def test_the_head_sends_back_with_a_reason_and_nobody_approves_their_own(acc_org, acc_case):
    inspector, head = acc_org["users"]["inspector"], acc_org["users"]["jw_head"]
    perform_acc_action(acc_case, "verify", head, {})
    draft(acc_case, head)
    perform_acc_action(acc_case, "propose", head, {})
    with pytest.raises(Forbidden):
        perform_acc_action(acc_case, "approve", head, {})
    with pytest.raises(Forbidden):  # an inspector does not decide
        perform_acc_action(acc_case, "send_back", inspector, {"reason": "x"})
    with pytest.raises(ValidationFailed) as refused:
        perform_acc_action(acc_case, "send_back", head, {"reason": ""})
    assert "reason" in refused.value.fields
    perform_acc_action(acc_case, "send_back", head, {"reason": "补充陈述申辩材料"})
    assert acc_case.state == AccState.VERIFYING and acc_case.proposed_by_id is None


def test_a_statement_is_asked_with_a_working_day_deadline(acc_org, acc_case, at):
    inspector = acc_org["users"]["inspector"]
    at(2026, 2, 13, 10, 0)  # a Friday before the Spring Festival
    perform_acc_action(acc_case, "verify", inspector, {})
    with pytest.raises(InvalidTransition):
        perform_acc_action(acc_case, "record_statement", inspector, {"statement": "x"})
    perform_acc_action(acc_case, "request_statement", inspector, {"days": 1, "note": "请说明"})
    # 次日起算: Saturday 2026-02-14 is a make-up working day.
    assert acc_case.statement_due_at == sh(2026, 2, 14, 23, 59, 59)
    with pytest.raises(InvalidTransition):
        perform_acc_action(acc_case, "request_statement", inspector, {"days": 3})
    at(2026, 2, 26, 9, 0)
    perform_acc_action(acc_case, "record_statement", inspector, {"statement": "我有异议。"})
    clock = db.session.scalar(sa.select(AccClock))
    assert clock.kind == "statement" and clock.late is True
    assert acc_case.statement == "我有异议。"


@pytest.mark.parametrize("days", [0, 31, "3", None, True, -1])
def test_a_bad_statement_deadline_is_refused(acc_org, acc_case, days):
    inspector = acc_org["users"]["inspector"]
    perform_acc_action(acc_case, "verify", inspector, {})
    with pytest.raises(ValidationFailed) as refused:
        perform_acc_action(acc_case, "request_statement", inspector, {"days": days})
    assert "days" in refused.value.fields


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"form_code": "nope"}, "form_code"),
        ({"facts": ""}, "facts"),
        ({"basis_ids": []}, "basis_ids"),
        ({"basis_ids": ["999999"]}, "basis_ids"),
        ({"basis_ids": "1"}, "basis_ids"),
        ({"execution_days": 0}, "execution_days"),
        ({"execution_days": 61}, "execution_days"),
        ({"decision": "999999"}, "decision"),
        ({"decision": "x"}, "decision"),
        ({"facts": "x" * 20001}, "facts"),
    ],
)
def test_a_bad_draft_is_refused_and_changes_nothing(acc_org, acc_case, overrides, field):
    inspector = acc_org["users"]["inspector"]
    perform_acc_action(acc_case, "verify", inspector, {})
    db.session.commit()
    with pytest.raises(ValidationFailed) as refused:
        draft(acc_case, inspector, **overrides)
    assert field in refused.value.fields
    db.session.rollback()
    assert acc_case.decisions[0].form_code is None


def test_a_decision_of_another_case_is_not_found(acc_org, acc_case):
    inspector = acc_org["users"]["inspector"]
    other = accept_referral(
        create_referral({"unit_code": "CC-ZJJ", "summary": "另案"}, inspector), {}, inspector
    )
    perform_acc_action(acc_case, "verify", inspector, {})
    with pytest.raises(ValidationFailed) as refused:
        draft(acc_case, inspector, decision=str(other.decisions[0].id))
    assert "decision" in refused.value.fields


def test_subjects_are_added_once_and_must_belong_to_their_unit(acc_org, acc_case):
    inspector = acc_org["users"]["inspector"]
    perform_acc_action(acc_case, "verify", inspector, {})
    perform_acc_action(acc_case, "add_subject", inspector, {"unit_code": "CC-RSJ"})
    db.session.commit()
    assert [d.subject_type for d in acc_case.decisions] == ["staff", "unit"]
    with pytest.raises(ValidationFailed):
        perform_acc_action(acc_case, "add_subject", inspector, {"unit_code": "CC-RSJ"})
    db.session.rollback()
    with pytest.raises(ValidationFailed) as refused:
        perform_acc_action(
            acc_case,
            "add_subject",
            inspector,
            {"unit_code": "CC-ZJJ", "staff": str(acc_org["staff"]["王某某"].id)},
        )
    assert "staff" in refused.value.fields
    with pytest.raises(ValidationFailed):
        perform_acc_action(acc_case, "add_subject", inspector, {})


def test_no_accountability_closes_with_a_kind_and_reason(acc_org, acc_case):
    inspector, head = acc_org["users"]["inspector"], acc_org["users"]["jw_head"]
    perform_acc_action(acc_case, "verify", inspector, {})
    with pytest.raises(ValidationFailed) as refused:
        perform_acc_action(acc_case, "no_action", inspector, {"kind": "maybe", "reason": ""})
    assert set(refused.value.fields) == {"kind", "reason"}
    draft(acc_case, inspector)
    perform_acc_action(acc_case, "propose", inspector, {})
    with pytest.raises(InvalidTransition):  # once proposed, only the head decides
        perform_acc_action(acc_case, "no_action", inspector, {"kind": "exempt", "reason": "x"})
    perform_acc_action(
        acc_case, "no_action", head, {"kind": "exempt", "reason": "主动纠错，免予问责"}
    )
    db.session.commit()
    assert acc_case.state == AccState.NO_ACTION and acc_case.closed_at is not None
    assert ACC_WORKFLOW.allowed(acc_case, head) == []


def test_only_the_deciding_office_acts(acc_org, acc_case):
    from tests.factories import create_user

    elsewhere = create_user(
        "town_inspector", unit=acc_org["units"]["CC-CGZ-JW"], roles=["inspector"]
    )
    with pytest.raises(Forbidden):
        perform_acc_action(acc_case, "verify", elsewhere, {})
    for username in ("operator", "handler", "unit_lead", "leader", "admin", "jw_handler"):
        with pytest.raises(Forbidden):
            perform_acc_action(acc_case, "verify", acc_org["users"][username], {})
    with pytest.raises(NotFound):
        perform_acc_action(acc_case, "fly", acc_org["users"]["inspector"], {})


def test_a_stale_page_is_told(acc_org, acc_case):
    inspector = acc_org["users"]["inspector"]
    version = acc_case.version
    perform_acc_action(acc_case, "verify", inspector, {}, expected_version=version)
    db.session.commit()
    with pytest.raises(StaleVersion):
        draft_data = {"expected_version": version}
        perform_acc_action(acc_case, "add_subject", inspector, {}, **draft_data)
    assert db.session.scalar(sa.select(sa.func.count(Event.id))) > 0


def test_a_subject_is_removed_but_never_the_last(acc_org, acc_case):
    inspector = acc_org["users"]["inspector"]
    perform_acc_action(acc_case, "verify", inspector, {})
    with pytest.raises(InvalidTransition):
        perform_acc_action(
            acc_case, "remove_subject", inspector, {"decision": str(acc_case.decisions[0].id)}
        )
    perform_acc_action(acc_case, "add_subject", inspector, {"unit_code": "CC-RSJ"})
    person = acc_case.decisions[0]
    draft(acc_case, inspector)
    perform_acc_action(acc_case, "remove_subject", inspector, {"decision": str(person.id)})
    db.session.commit()
    assert [d.subject_type for d in acc_case.decisions] == ["unit"]
    assert acc_case.events[-1].data["staff_id"] == acc_org["staff"]["王某某"].id
