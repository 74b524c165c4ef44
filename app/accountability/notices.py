"""The decision notices (决定书): built from a decision as data, rendered by app/documents.

The notice goes to the person or unit decided about, so it never carries a
complainant's identity: it is built from the decision's own fields (subject, facts,
bases, form, requirements), never from a complainant row. The facts are the
inspector's text; the case numbers it cites name no complainant.
"""

from app.accountability.access import is_office_staff, jurisdiction
from app.accountability.clocks import appeal_days
from app.accountability.models import Decision
from app.core.types import utcnow
from app.deadlines.workdays import to_local
from app.documents.access import register_reader
from app.documents.gongwen import Gongwen
from app.documents.models import DocumentKind
from app.documents.services import request_document
from app.extensions import db


def decision_paper(decision: Decision) -> Gongwen:
    """Return the notice of a decision as the document engine prints it."""
    acc_case = decision.acc_case
    organ = acc_case.organ
    form = decision.form
    if decision.staff is not None:
        addressee = f"{decision.staff.name}同志："
        subject = f"{decision.unit.name}{decision.staff.post}{decision.staff.name}"
    else:
        addressee = f"{decision.unit.name}："
        subject = decision.unit.name
    paragraphs = [p.strip() for p in decision.facts.splitlines() if p.strip()]
    bases = "、".join(b.citation for b in decision.bases)
    decided = f"决定给予{subject}{form.name}。"
    paragraphs.append(f"根据{bases}的规定，经研究，{decided}" if bases else f"经研究，{decided}")
    paragraphs.extend(p.strip() for p in decision.requirements.splitlines() if p.strip())
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
    return Gongwen(
        organ=organ.name,
        mark=f"{organ.name}文件",
        number=decision.number or "",
        title=f"关于给予{subject}{form.name}的决定",
        addressee=addressee,
        paragraphs=paragraphs,
        signature=organ.name,
        date=decided_on,
        cc=[decision.unit.name] if decision.staff is not None else [],
        printed_by=f"{organ.name}办公室",
        printed_on=decided_on,
        for_respondent=True,
    )


def decision_data(decision: Decision) -> dict:
    """The notice as the case page previews it (before approval it has no number or date)."""
    if decision.decided_on is None:
        decision_copy = _Undated(decision, to_local(utcnow()).date())
        return decision_paper(decision_copy).to_data()
    return decision_paper(decision).to_data()


class _Undated:
    """A draft decision seen as if decided today, for the preview only."""

    def __init__(self, decision: Decision, today):
        self._decision, self.decided_on = decision, today

    def __getattr__(self, name):
        return getattr(self._decision, name)


def request_decision_documents(acc_case, actor) -> list:
    """Ask for the notice of every live decision of the case (rendered in a job)."""
    documents = []
    for decision in acc_case.live_decisions:
        document = request_document(
            DocumentKind.DECISION, "decision", decision.id, decision_paper(decision), actor
        )
        decision.document_id = document.id
        documents.append(document)
    db.session.flush()
    return documents


def may_read_notice(user, document) -> bool:
    """The deciding office, and leaders whose jurisdiction the decision is about."""
    decision = db.session.get(Decision, document.subject_id)
    if decision is None:
        return False
    if is_office_staff(user) and decision.acc_case.organ_id == user.unit_id:
        return True
    return decision.unit_id in jurisdiction(user)


register_reader(DocumentKind.DECISION, may_read_notice)
