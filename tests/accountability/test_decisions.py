"""From approval to closing: numbers, notices, service, appeals, execution."""

import threading

import pytest
import sqlalchemy as sa

from app.accountability.models import AccClock, AccountabilityCase, Decision
from app.accountability.services import perform_acc_action
from app.accountability.workflow import AccState
from app.auth.models import User
from app.core.errors import InvalidTransition, ValidationFailed
from app.core.trail import verify_chains
from app.deadlines.workdays import to_local
from app.documents.models import Document
from app.extensions import db
from tests.accountability.helpers import proposed_case
from tests.conftest import sh
from tests.documents.papers import (
    docx_paragraphs,
    first_page_pixels,
    is_red,
    pdf_fonts,
    pdf_info,
    pdf_text,
)


def approve(acc_org, acc_case):
    perform_acc_action(acc_case, "approve", acc_org["users"]["jw_head"], {"note": "同意"})
    db.session.commit()
    db.session.refresh(acc_case)
    return acc_case


def test_approval_numbers_renders_and_issues(acc_org, at):
    at(2026, 3, 5, 10, 0)
    acc_case = approve(acc_org, proposed_case(acc_org))
    decision = acc_case.decisions[0]
    assert decision.number == "澄纪效告〔2026〕1号"
    assert decision.decided_on.isoformat() == "2026-03-05"
    assert decision.effective_until.isoformat() == "2026-09-05"
    # Without Redis the job ran after the commit: rendered, and the case issued by it.
    document = db.session.get(Document, decision.document_id)
    assert document.status == "done" and document.number == decision.number
    assert acc_case.state == AccState.ISSUED
    assert [e.action for e in acc_case.events][-2:] == ["approve", "issue"]
    assert acc_case.events[-1].actor_id is None  # the system issued it
    text = pdf_text(document.pdf)
    for expected in ("澄纪效告〔2026〕1号", "关于给予", "效能告诫的决定", "2026年3月5日", "— 1 —"):
        assert expected in text.replace("\n", ""), expected
    # The decision's own notice: A4, fonts embedded, red mark and rule, the same text in DOCX.
    assert pdf_info(document.pdf)["Page size"].strip().startswith("595")
    fonts = pdf_fonts(document.pdf)
    assert fonts and all(f["emb"] == "yes" for f in fonts)
    width, height, pixels = first_page_pixels(document.pdf)
    rows = [
        sum(is_red(*pixels[(y * width + x) * 3 : (y * width + x) * 3 + 3]) for x in range(width))
        for y in range(height)
    ]
    assert sum(rows[: height // 3]) > 200 and max(rows[: height // 3]) > width * 0.6
    paragraphs = "".join(docx_paragraphs(document.docx))
    assert "澄纪效告〔2026〕1号" in paragraphs and "效能告诫的决定" in paragraphs
    assert "2026年3月5日" in paragraphs


def test_numbers_run_per_kind_and_a_revoked_one_keeps_its_number(acc_org, at):
    at(2026, 3, 5, 10, 0)
    first = approve(acc_org, proposed_case(acc_org))
    second = approve(acc_org, proposed_case(acc_org, staff_name="刘某某"))
    other = approve(acc_org, proposed_case(acc_org, staff_name="陈某某", form="admonition"))
    assert second.decisions[0].number == "澄纪效告〔2026〕2号"
    assert other.decisions[0].number == "澄纪效诫〔2026〕1号"
    head, inspector = acc_org["users"]["jw_head"], acc_org["users"]["inspector"]
    decision = first.decisions[0]
    perform_acc_action(first, "serve", inspector, _service(decision))
    perform_acc_action(
        first, "file_appeal", inspector, {"decision": str(decision.id), "text": "不服"}
    )
    perform_acc_action(
        first,
        "decide_appeal",
        head,
        {"decision": str(decision.id), "outcome": "revoked", "note": "事实不清"},
    )
    db.session.commit()
    assert decision.revoked and decision.number == "澄纪效告〔2026〕1号"
    third = approve(acc_org, proposed_case(acc_org, staff_name="王某某"))
    assert third.decisions[0].number == "澄纪效告〔2026〕3号"


def _service(decision, **overrides):
    return {
        "decision": str(decision.id),
        "served_to": "王某某",
        "served_how": "in_person",
        **overrides,
    }


def test_service_appeal_execution_and_close(acc_org, at):
    inspector, head = acc_org["users"]["inspector"], acc_org["users"]["jw_head"]
    at(2026, 3, 5, 10, 0)
    acc_case = approve(acc_org, proposed_case(acc_org, days=5))
    decision = acc_case.decisions[0]
    at(2026, 3, 6, 9, 0)
    with pytest.raises(ValidationFailed) as refused:
        perform_acc_action(acc_case, "serve", inspector, _service(decision, served_how="fax"))
    assert "served_how" in refused.value.fields
    perform_acc_action(acc_case, "serve", inspector, _service(decision))
    assert acc_case.state == AccState.SERVED
    # 15 working days from Friday 6 March 2026 (次日起算).
    assert decision.appeal_until == sh(2026, 3, 27, 23, 59, 59)
    perform_acc_action(acc_case, "start_execution", inspector, {})
    assert acc_case.state == AccState.EXECUTING
    assert decision.execution_due_at == sh(2026, 3, 13, 23, 59, 59)
    # An appeal does not suspend execution: it may come while executing.
    at(2026, 3, 10, 9, 0)
    perform_acc_action(
        acc_case, "file_appeal", inspector, {"decision": str(decision.id), "text": "过重"}
    )
    assert acc_case.state == AccState.APPEALED
    perform_acc_action(
        acc_case,
        "record_execution",
        inspector,
        {"decision": str(decision.id), "note": "已交书面检查"},
    )
    with pytest.raises(ValidationFailed) as refused:
        perform_acc_action(
            acc_case,
            "decide_appeal",
            head,
            {"decision": str(decision.id), "outcome": "changed", "note": "x"},
        )
    assert "form_code" in refused.value.fields
    perform_acc_action(
        acc_case,
        "decide_appeal",
        head,
        {
            "decision": str(decision.id),
            "outcome": "changed",
            "form_code": "criticism",
            "note": "情节较轻",
        },
    )
    assert acc_case.state == AccState.EXECUTING  # back where the appeal found it
    assert decision.form_code == "criticism" and decision.changed_from_code == "efficiency_warning"
    perform_acc_action(acc_case, "close", inspector, {})
    db.session.commit()
    assert acc_case.state == AccState.CLOSED and acc_case.closed_at is not None
    clocks = {c.kind: c for c in db.session.scalars(sa.select(AccClock))}
    assert clocks["execution"].late is False and clocks["appeal"].stopped_at is not None
    assert verify_chains().broken == []


def test_closing_waits_for_the_appeal_period(acc_org, at):
    inspector = acc_org["users"]["inspector"]
    at(2026, 3, 5, 10, 0)
    acc_case = approve(acc_org, proposed_case(acc_org, days=None))
    perform_acc_action(acc_case, "serve", inspector, _service(acc_case.decisions[0]))
    with pytest.raises(InvalidTransition):
        perform_acc_action(acc_case, "start_execution", inspector, {})
    with pytest.raises(InvalidTransition):
        perform_acc_action(acc_case, "close", inspector, {})
    at(2026, 3, 30, 9, 0)  # the period ended on 26 March
    with pytest.raises(InvalidTransition):  # and no appeal can be recorded any more
        perform_acc_action(
            acc_case,
            "file_appeal",
            inspector,
            {"decision": str(acc_case.decisions[0].id), "text": "x"},
        )
    perform_acc_action(acc_case, "close", inspector, {})
    assert acc_case.state == AccState.CLOSED


def test_a_case_with_two_subjects_is_served_when_both_are(acc_org, at):
    inspector = acc_org["users"]["inspector"]
    at(2026, 3, 5, 10, 0)
    acc_case = proposed_case(acc_org)
    head = acc_org["users"]["jw_head"]
    perform_acc_action(acc_case, "send_back", head, {"reason": "单位也应问责"})
    perform_acc_action(acc_case, "add_subject", inspector, {"unit_code": "CC-RSJ"})
    unit_decision = acc_case.decisions[1]
    perform_acc_action(
        acc_case,
        "draft_decision",
        inspector,
        {
            "decision": str(unit_decision.id),
            "form_code": "circulated_criticism",
            "facts": "该局对超期问题督促不力。",
            "basis_ids": [str(acc_case.decisions[0].bases[0].id)],
        },
    )
    perform_acc_action(acc_case, "propose", inspector, {})
    approve(acc_org, acc_case)
    assert unit_decision.number == "澄纪效通〔2026〕1号"
    assert acc_case.state == AccState.ISSUED
    perform_acc_action(acc_case, "serve", inspector, _service(acc_case.decisions[0]))
    assert acc_case.state == AccState.ISSUED
    perform_acc_action(acc_case, "serve", inspector, _service(unit_decision, served_to="办公室"))
    assert acc_case.state == AccState.SERVED


def test_fifty_concurrent_approvals_number_without_gap_or_duplicate(
    app, acc_org, backend, redis_conn
):
    # Jobs go to a queue, as in production: the approvals race for numbers only.
    app.config["REDIS_URL"] = "redis://test"
    app.extensions["redis"] = redis_conn
    n = 50 if backend == "postgresql" else 10
    names = ["张某某", "李某某", "王某某", "刘某某", "陈某某", "赵某某", "孙某某"]  # county units
    ids = [proposed_case(acc_org, staff_name=names[i % len(names)]).id for i in range(n)]
    head_id = acc_org["users"]["jw_head"].id
    barrier, errors = threading.Barrier(n), []

    def run(acc_case_id):
        with app.app_context():
            try:
                barrier.wait(timeout=30)
                acc_case = db.session.get(AccountabilityCase, acc_case_id)
                perform_acc_action(acc_case, "approve", db.session.get(User, head_id), {})
                db.session.commit()
            except Exception as error:  # asserted below
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(i,)) for i in ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    app.extensions.pop("redis")
    assert errors == []
    numbers = db.session.scalars(sa.select(Decision.number)).all()
    year = to_local(db.session.scalar(sa.select(sa.func.max(AccountabilityCase.approved_at)))).year
    assert sorted(numbers) == sorted(f"澄纪效告〔{year}〕{i}号" for i in range(1, n + 1))


def test_execution_starts_while_an_appeal_waits_and_continues_after_it(acc_org, at):
    inspector, head = acc_org["users"]["inspector"], acc_org["users"]["jw_head"]
    at(2026, 3, 5, 10, 0)
    acc_case = approve(acc_org, proposed_case(acc_org, days=5))
    decision = acc_case.decisions[0]
    perform_acc_action(acc_case, "serve", inspector, _service(decision))
    perform_acc_action(
        acc_case, "file_appeal", inspector, {"decision": str(decision.id), "text": "过重"}
    )
    perform_acc_action(acc_case, "start_execution", inspector, {})
    assert acc_case.state == AccState.APPEALED and decision.execution_due_at is not None
    perform_acc_action(
        acc_case,
        "decide_appeal",
        head,
        {"decision": str(decision.id), "outcome": "revoked", "note": "依据不足"},
    )
    # Revoked: nothing left to execute, no effect period; the case waits only to be closed.
    assert decision.revoked and decision.effective_until is None
    assert acc_case.state == AccState.SERVED
    assert not decision.awaits_execution
    perform_acc_action(acc_case, "close", inspector, {})
    assert acc_case.state == AccState.CLOSED
    running = db.session.scalars(sa.select(AccClock).where(AccClock.stopped_at.is_(None))).all()
    assert running == []  # closing stops what still ran (the appeal period)


def test_a_draft_citing_a_basis_no_longer_in_force_is_not_approved(acc_org, at):
    at(2026, 3, 5, 10, 0)
    acc_case = proposed_case(acc_org)
    acc_case.decisions[0].bases[0].active = False
    db.session.commit()
    with pytest.raises(InvalidTransition):
        perform_acc_action(acc_case, "approve", acc_org["users"]["jw_head"], {})
    assert acc_case.decisions[0].number is None


def test_an_appeal_upheld_while_executing_goes_back_to_executing(acc_org, at):
    inspector, head = acc_org["users"]["inspector"], acc_org["users"]["jw_head"]
    at(2026, 3, 5, 10, 0)
    acc_case = approve(acc_org, proposed_case(acc_org, days=5))
    decision = acc_case.decisions[0]
    perform_acc_action(acc_case, "serve", inspector, _service(decision))
    perform_acc_action(
        acc_case, "file_appeal", inspector, {"decision": str(decision.id), "text": "x"}
    )
    perform_acc_action(acc_case, "start_execution", inspector, {})
    perform_acc_action(
        acc_case,
        "decide_appeal",
        head,
        {"decision": str(decision.id), "outcome": "upheld", "note": "维持"},
    )
    assert acc_case.state == AccState.EXECUTING and decision.awaits_execution
