"""A paper that goes to the unit complained about never names the complainant (DESIGN §8)."""

import json

import pytest
import sqlalchemy as sa

from app.accountability.models import LegalBasis, Referral
from app.documents.models import DocumentKind
from app.documents.pdf import render_pdf
from app.documents.word import render_docx
from app.extensions import db
from app.supervision.notices import notice_paper
from tests.documents.notices import COMPLAINANT, carded_case
from tests.documents.papers import docx_paragraphs, paper, pdf_text

IDENTITY = [COMPLAINANT[k] for k in ("name", "phone", "address", "email")]


def _papers(org):
    """Every kind of paper the engine prints, about a case whose complainant is known."""
    # The title names the complainant, as a careless one might.
    case, reminder, order = carded_case(
        org, title=f"{COMPLAINANT['name']}（{COMPLAINANT['phone']}）反映失业保险金申领超期"
    )
    return {
        DocumentKind.REMINDER: notice_paper(reminder),
        DocumentKind.ORDER: notice_paper(order),
        DocumentKind.DECISION: _decision_paper(org),
        "generic": paper(paragraphs=[f"关于第{case.number}号投诉件的处理决定。"]),
    }


def _decision_paper(org):
    """The notice of a decision whose facts come from the red card's referral, approved."""
    from app.accountability.notices import decision_paper
    from app.accountability.reference import seed_reference
    from app.accountability.referrals import accept_referral, refer_all
    from app.accountability.services import perform_acc_action

    seed_reference()
    inspector, head = org["users"]["inspector"], org["users"]["jw_head"]
    assert refer_all() >= 1
    referral = db.session.scalar(sa.select(Referral).order_by(Referral.id))
    acc_case = accept_referral(referral, {}, inspector)
    decision = acc_case.decisions[0]
    perform_acc_action(acc_case, "verify", inspector, {})
    perform_acc_action(
        acc_case,
        "draft_decision",
        inspector,
        {
            "decision": str(decision.id),
            "form_code": "circulated_criticism",
            "facts": decision.facts,  # as the referral filled it in, the case title in it
            "basis_ids": [str(db.session.scalar(sa.select(LegalBasis.id)))],
        },
    )
    perform_acc_action(acc_case, "propose", inspector, {})
    perform_acc_action(acc_case, "approve", head, {})
    return decision_paper(decision)


def test_every_paper_for_the_respondent_leaves_the_complainant_out(app, org):
    papers = _papers(org)
    assert all(p.for_respondent for p in papers.values())
    for kind, each in papers.items():
        texts = {
            "data": json.dumps(each.to_data(), ensure_ascii=False),
            "pdf": pdf_text(render_pdf(each)),
            "docx": "\n".join(docx_paragraphs(render_docx(each))),
        }
        for where, text in texts.items():
            for value in IDENTITY:
                assert value not in text, f"{kind} {where} shows {value}"


def test_the_notices_say_what_is_late_and_what_is_asked(app, org):
    papers = _papers(org)
    reminder, order = papers[DocumentKind.REMINDER], papers[DocumentKind.ORDER]
    assert reminder.title == "催办通知书" and order.title == "督办单"
    assert reminder.addressee == "澄川县人力资源和社会保障局："
    assert reminder.organ == reminder.signature == "澄川县机关效能投诉中心"
    text = "".join(order.paragraphs + order.sections[0].paragraphs)
    assert "办理时限已于" in text and "个工作日" in text and "书面报送" in text
    assert "欧某（139****5678）反映失业保险金申领超期" in text  # the title, masked


@pytest.mark.parametrize("kind", [DocumentKind.REMINDER, DocumentKind.ORDER])
def test_the_number_of_the_notice_is_the_number_of_the_paper(app, org, kind):
    papers = _papers(org)
    assert papers[kind].number.startswith("澄效督〔2026〕" if kind == "order" else "澄效催〔2026〕")


def test_a_decision_cites_the_case_with_its_complainant_masked(app, org):
    decision = _papers(org)[DocumentKind.DECISION]
    text = "".join(decision.paragraphs)
    assert "欧某（139****5678）反映失业保险金申领超期" in text
    assert decision.number.startswith("澄纪效通〔") and decision.title.endswith("通报批评的决定")
