"""The decision notices (决定书): built from a decision as data, rendered by app/documents.

The notice goes to the person or unit decided about, so it never carries a
complainant's identity: it is built from the decision's own fields (subject, facts,
bases, form, requirements), never from a complainant row.
"""

from datetime import date

from app.accountability.clocks import appeal_days
from app.extensions import db


def cn_date(d: date) -> str:
    """Return a date as official documents print it: 2026年3月5日."""
    return f"{d.year}年{d.month}月{d.day}日"


def decision_data(decision) -> dict:
    """Return the gongwen data of a decision's notice (what the document engine renders)."""
    acc_case = decision.acc_case
    organ = acc_case.organ
    form = decision.form
    if decision.staff is not None:
        addressee = f"{decision.staff.name}同志："
        subject = f"{decision.unit.name}{decision.staff.post}{decision.staff.name}"
    else:
        addressee = f"{decision.unit.name}："
        subject = decision.unit.name
    paragraphs = [p for p in decision.facts.splitlines() if p.strip()]
    bases = "、".join(b.citation for b in decision.bases)
    paragraphs.append(
        f"根据{bases}的规定，经研究，决定给予{subject}{form.name}。"
        if bases
        else f"经研究，决定给予{subject}{form.name}。"
    )
    if decision.requirements.strip():
        paragraphs.extend(p for p in decision.requirements.splitlines() if p.strip())
    if decision.execution_days:
        paragraphs.append(
            f"请于收到本决定之日起{decision.execution_days}个工作日内落实上述要求，"
            f"并将落实情况书面报送{organ.name}。"
        )
    if decision.consequences.strip():
        paragraphs.append(decision.consequences.strip())
    paragraphs.append(
        f"如对本决定不服，可自收到本决定之日起{appeal_days()}个工作日内向{organ.name}"
        "提出书面申诉。申诉期间，不停止本决定的执行。"
    )
    decided_on = decision.decided_on
    return {
        "organ": organ.name,
        "mark": f"{organ.name}文件",
        "number": decision.number or "",
        "title": f"关于给予{subject}{form.name}的决定",
        "addressee": addressee,
        "paragraphs": paragraphs,
        "signature": organ.name,
        "date": decided_on.isoformat() if decided_on else None,
        "cc": [decision.unit.name] if decision.staff is not None else [],
        "printed_by": f"{organ.name}办公室",
        "printed_on": decided_on.isoformat() if decided_on else None,
        "for_respondent": True,
        "doc_title": form.doc_title,
    }


def request_decision_documents(acc_case, actor) -> list:
    """Ask for the notice of every live decision of the case to be rendered (in a job)."""
    from app.documents.services import request_document

    documents = []
    for decision in acc_case.live_decisions:
        document = request_document(
            "decision", "decision", decision.id, decision_data(decision), actor
        )
        decision.document_id = document.id
        documents.append(document)
    db.session.flush()
    return documents
