"""The printed notices of the cards: 催办通知书 (reminder) and 督办单 (supervision order).

Each numbered card becomes one official paper through the documents engine. The paper
goes to the lead unit, the unit complained about or working on the complaint, so it
names the case by its number and title and never the complainant (DESIGN §8).
Its text is Chinese whatever the reader's interface language: it is an official paper.
"""

from datetime import timedelta

import sqlalchemy as sa

from app.auth.models import UNIT_ROLES
from app.cases.access import visibility_clause
from app.cases.models import Case
from app.core.errors import NotFound
from app.core.masking import without_identity
from app.deadlines.models import Clock, ClockKind
from app.deadlines.services import load_calendar
from app.deadlines.workdays import to_local
from app.documents.access import register_reader
from app.documents.gongwen import Gongwen, Section, cn_date
from app.documents.models import Document, DocumentKind
from app.documents.services import request_document
from app.extensions import db
from app.routing.models import Relation
from app.routing.router import complaint_center_for, resolve_relation
from app.supervision.models import NoticeKind, SupervisionWarning
from app.supervision.queries import BOARD_ROLES
from app.units.models import Unit, UnitKind

SUBJECT = "warning"
TITLES = {NoticeKind.REMINDER: "催办通知书", NoticeKind.ORDER: "督办单"}
# Per clock: the stage whose limit ran out, what is not done, what the unit must do now.
STAGES = {
    ClockKind.SIGN: ("签收", "签收", "签收并抓紧办理"),
    ClockKind.HANDLE: ("办理", "办结", "办结并报送答复"),
    ClockKind.RECTIFY: ("整改", "报送整改情况", "落实整改并报送整改情况"),
}


def readable_notices(user, notices: list[SupervisionWarning]) -> set[int]:
    """Return the ids of the notices ``user`` may read and print.

    The center, inspectors and leaders (for the cases they see, as on the board), and
    the people of the unit the notice went to.
    """
    ids = [n.id for n in notices if n.number is not None]
    if not ids or not user.is_authenticated:
        return set()
    readable = set()
    if user.has_role(*UNIT_ROLES) and user.unit_id is not None:
        readable |= {n.id for n in notices if n.id in ids and n.unit_id == user.unit_id}
    if user.has_role(*BOARD_ROLES):
        readable |= set(
            db.session.scalars(
                sa.select(SupervisionWarning.id)
                .join(Clock, Clock.id == SupervisionWarning.clock_id)
                .join(Case, Case.id == Clock.case_id)
                .where(SupervisionWarning.id.in_(ids), visibility_clause(user))
            )
        )
    return readable


def get_notice_or_404(warning_id: int, user) -> SupervisionWarning:
    """Return the numbered notice if ``user`` may read it; otherwise raise NotFound."""
    notice = db.session.get(SupervisionWarning, warning_id)
    if notice is None or notice.id not in readable_notices(user, [notice]):
        raise NotFound("notice not found")
    return notice


def _may_read_document(user, document: Document) -> bool:
    notice = db.session.get(SupervisionWarning, document.subject_id)
    return (
        document.subject_type == SUBJECT
        and notice is not None
        and notice.id in readable_notices(user, [notice])
    )


for _kind in (DocumentKind.REMINDER, DocumentKind.ORDER):
    register_reader(_kind, _may_read_document)


def notice_documents(notices: list[SupervisionWarning], user) -> dict[int, Document | None]:
    """Return, for each notice ``user`` may print, its document (None if not yet asked for)."""
    readable = readable_notices(user, notices)
    if not readable:
        return {}
    found = {
        d.subject_id: d
        for d in db.session.scalars(
            sa.select(Document).where(
                Document.subject_type == SUBJECT, Document.subject_id.in_(readable)
            )
        )
    }
    return {notice_id: found.get(notice_id) for notice_id in readable}


def request_notice_document(notice: SupervisionWarning, user) -> Document:
    """Ask for the printed paper of a numbered notice (rendered by a job after the commit)."""
    kind = DocumentKind(notice.notice_kind)
    return request_document(kind, SUBJECT, notice.id, notice_paper(notice), user)


def _issuer(unit: Unit) -> Unit:
    """The complaint center over the unit, or else the (first) one there is."""
    center = complaint_center_for(unit) or db.session.scalar(
        sa.select(Unit)
        .where(Unit.kind == UnitKind.COMPLAINT_CENTER, Unit.active.is_(True))
        .order_by(Unit.tier.desc(), Unit.id)
        .limit(1)
    )
    if center is None:
        raise ValueError("no complaint center issues notices")
    return center


def _workdays_late(clock: Clock, at) -> int:
    """Working days from the day after the deadline to the day of ``at``, both counted."""
    first, last = to_local(clock.due_at).date() + timedelta(days=1), to_local(at).date()
    if last < first:
        return 0
    calendar = load_calendar(first, last)
    return sum(
        calendar.day(first + timedelta(days=n)).is_workday for n in range((last - first).days + 1)
    )


def _masked_title(text: str, case: Case) -> str:
    return without_identity(text, case.complainant)


def notice_paper(notice: SupervisionWarning) -> Gongwen:
    """Build the paper of a numbered notice: what it asks of the lead unit, and by when."""
    if notice.number is None or notice.unit is None:
        raise ValueError(f"card {notice.id} carries no notice")
    kind = NoticeKind(notice.notice_kind)
    clock = db.session.get(Clock, notice.clock_id)
    case = db.session.get(Case, clock.case_id)
    center = _issuer(notice.unit)
    stage, undone, action = STAGES[ClockKind(clock.kind)]
    issued = to_local(notice.issued_at).date()
    late = _workdays_late(clock, notice.issued_at)
    overdue = f"已超期{late}个工作日" if late else "已超过规定时限"
    facts = (
        f"你单位承办的第{case.number}号投诉件（{_masked_title(case.title, case)}），"
        f"{stage}时限已于{cn_date(to_local(clock.due_at).date())}届满，"
        f"截至{cn_date(issued)}尚未{undone}，{overdue}。"
    )
    sections, cc = [], []
    if kind is NoticeKind.REMINDER:
        paragraphs = [
            facts,
            "根据限时办结制有关规定，现予催办。请你单位接到本通知后立即"
            f"{action}，并将办理情况及时报送{center.name}。",
        ]
    else:
        paragraphs = [facts, "根据限时办结制和责任追究制有关规定，现予督办。"]
        requirements = [
            f"请你单位于{cn_date(to_local(notice.respond_by).date())}前{action}，"
            f"并将办理情况和超期原因书面报送{center.name}。"
            if notice.respond_by
            else f"请你单位立即{action}，并将办理情况和超期原因书面报送{center.name}。",
            "逾期仍未办结或者未按要求报送的，将依照有关规定追究相关人员的责任。",
        ]
        sections = [Section("督办要求", requirements)]
        discipline = resolve_relation(Relation.DISCIPLINE_SAME_TIER, notice.unit)
        if notice.refer_to_inspectors and discipline is not None:
            cc = [discipline.name]
    return Gongwen(
        organ=center.name,
        mark=center.name,
        number=notice.number,
        title=TITLES[kind],
        addressee=f"{notice.unit.name}：",
        paragraphs=paragraphs,
        sections=sections,
        signature=center.name,
        date=issued,
        cc=cc,
        printed_by=center.name,
        printed_on=issued,
        for_respondent=True,
    )
