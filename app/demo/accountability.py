"""The demo's accountability cases: one in each main state, driven through the real services.

Each case starts as an inspector's referral about a person on the demo staff lists and
takes its steps on working days in the past, so that its clocks read as in service: the
statement still due, the appeal filed within its period, the execution not yet due, the
closed one past its appeal period.
"""

from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa

from app.accountability.models import AccountabilityCase, LegalBasis
from app.accountability.referrals import accept_referral, create_referral
from app.accountability.services import perform_acc_action
from app.accountability.workflow import AccState
from app.core.types import as_of
from app.demo.past import workdays_ago
from app.documents.tasks import render_document
from app.extensions import db
from app.units.models import Staff

LOCAL_RULES = "《澄川县机关效能问责办法（示范文本）》"
# The legal bases a draft cites, by (name, article): their ids differ per database.
OVERDUE = (LOCAL_RULES, "第六条")
WRITTEN_CHECK = (LOCAL_RULES, "第十二条")
# The steps about one decision: the case's only one in the demo.
ABOUT_A_DECISION = {"draft_decision", "serve", "file_appeal", "decide_appeal", "record_execution"}
# Steps on one working day are this far apart, the last at this time of day.
STEP_GAP = timedelta(minutes=20)


@dataclass(frozen=True)
class DemoAccCase:
    staff: str  # a name on the demo STAFF lists
    title: str
    summary: str  # the referral's text
    # (working days ago, username, action, data); "refer" and "accept" start the case.
    steps: tuple


def _draft(form: str, facts: str, bases, requirements: str = "", days: int | None = None):
    return {
        "form_code": form,
        "facts": facts,
        "bases": bases,
        "requirements": requirements,
        "execution_days": days,
    }


def _served(name: str) -> dict:
    return {"served_to": name, "served_how": "in_person", "note": "本人签收送达回证。"}


# Oldest first, so that the case numbers follow the dates.
DEMO_ACC_CASES = [
    DemoAccCase(
        "李某某",
        "综合窗口未落实首问负责制问题",
        "投诉件反映，县政务服务中心综合窗口对群众咨询的不动产与税务联办事项，"
        "以“不归本窗口管”为由让其自行到其他窗口询问，未落实首问负责制。",
        (
            (40, "inspector", "refer", {}),
            (40, "inspector", "accept", {}),
            (39, "inspector", "verify", {}),
            (
                37,
                "inspector",
                "draft_decision",
                _draft(
                    "criticism",
                    "经核实，李某某作为县政务服务中心综合窗口科长，对本窗口工作人员未落实"
                    "首问负责制的问题督促不力，致使群众在窗口间往返询问三次。\n"
                    "李某某对上述事实无异议。",
                    [OVERDUE],
                    "责令其在科室会议上作出检讨，并建立首问负责登记台账。",
                    5,
                ),
            ),
            (36, "inspector", "propose", {"findings": "事实清楚，情节较轻，建议批评教育。"}),
            (35, "jw_head", "approve", {"note": "同意。"}),
            (34, "inspector", "serve", _served("李某某")),
            (34, "inspector", "start_execution", {}),
            (
                30,
                "inspector",
                "record_execution",
                {"note": "已在科室会议上作出检讨，首问负责登记台账已建立，书面材料已报送。"},
            ),
            (
                15,
                "inspector",
                "close",
                {"note": "决定已执行完毕，申诉期届满未提出申诉，予以办结。"},
            ),
        ),
    ),
    DemoAccCase(
        "刘某某",
        "社保关系转移接续推诿扯皮问题",
        "投诉件反映，群众办理社保关系转移接续时，县社会保险经办窗口称应到乡镇办理，"
        "乡镇又称应到县里办理，群众往返多次未能办成。",
        (
            (14, "inspector", "refer", {}),
            (14, "inspector", "accept", {}),
            (13, "inspector", "verify", {}),
            (
                11,
                "inspector",
                "draft_decision",
                _draft(
                    "written_check",
                    "经核实，社保关系转移接续由县社会保险经办机构受理，刘某某作为经办科员，"
                    "在群众首次到窗口办理时未予受理，反而告知其到乡镇办理，造成群众往返三次。\n"
                    "刘某某的行为属于推诿扯皮，违反了首问负责和限时办结的规定。",
                    [OVERDUE, WRITTEN_CHECK],
                    "责令其作出书面检查，抄送所在单位。",
                    10,
                ),
            ),
            (10, "inspector", "propose", {}),
            (9, "jw_head", "approve", {"note": "同意。"}),
            (7, "inspector", "serve", _served("刘某某")),
            (7, "inspector", "start_execution", {}),
        ),
    ),
    DemoAccCase(
        "张某某",
        "政务服务中心三号窗口服务态度生硬问题",
        "投诉件反映，县政务服务中心三号窗口工作人员在群众办理营业执照变更时态度生硬，"
        "多次打断群众说话。",
        (
            (12, "inspector", "refer", {}),
            (12, "inspector", "accept", {}),
            (11, "inspector", "verify", {}),
            (
                9,
                "inspector",
                "draft_decision",
                _draft(
                    "circulated_criticism",
                    "经调取窗口录音录像核实，张某某在为群众办理营业执照变更时，"
                    "多次打断群众陈述，语气生硬，未耐心解释所需材料，造成不良影响。\n"
                    "该中心同类问题本季度已被投诉两次。",
                    [OVERDUE],
                ),
            ),
            (8, "inspector", "propose", {}),
            (7, "jw_head", "approve", {"note": "同意，在全县政务服务系统通报。"}),
            (6, "inspector", "serve", _served("张某某")),
            (
                2,
                "inspector",
                "file_appeal",
                {
                    "text": "本人当日因系统故障无法受理，并非故意刁难服务对象，"
                    "认为给予通报批评过重，请求改为批评教育。"
                },
            ),
        ),
    ),
    DemoAccCase(
        "孙某某",
        "农村危房改造补助申请推诿问题",
        "投诉件反映，群众到县住建局询问农村危房改造补助，被告知先到乡里初审，"
        "乡里又称直接找县里，群众认为住建局推诿。",
        (
            (10, "inspector", "refer", {}),
            (10, "inspector", "accept", {}),
            (9, "inspector", "verify", {}),
            (
                9,
                "inspector",
                "request_statement",
                {"days": 5, "note": "请说明告知群众到乡镇初审的依据及后续对接情况。"},
            ),
            (
                7,
                "inspector",
                "record_statement",
                {
                    "statement": "危房改造补助初审依规由乡镇负责，本人已告知申请人向石桥乡"
                    "人民政府提出，并当场电话联系了乡里经办人员。"
                },
            ),
            (
                5,
                "inspector",
                "no_action",
                {
                    "kind": "not_accountable",
                    "reason": "经核实，农村危房改造补助初审职责在乡镇，孙某某已履行告知义务"
                    "并主动对接，不存在推诿扯皮情形，不予问责。",
                },
            ),
        ),
    ),
    DemoAccCase(
        "王某某",
        "失业保险金申领超期未办结问题",
        "投诉件反映，县人社局就业和失业保险股受理失业保险金申领后，超过承诺的"
        "15个工作日仍未办结，群众多次电话询问无果。",
        (
            (9, "inspector", "refer", {}),
            (9, "inspector", "accept", {}),
            (8, "inspector", "verify", {}),
            (
                8,
                "inspector",
                "request_statement",
                {"days": 5, "note": "请就失业保险金申领超期未办结的原因作出书面说明。"},
            ),
            (
                5,
                "inspector",
                "record_statement",
                {
                    "statement": "因股室人员调整，申领材料积压未及时审核，"
                    "本人作为股长负有直接责任，愿意接受处理。"
                },
            ),
            (
                3,
                "inspector",
                "draft_decision",
                _draft(
                    "efficiency_warning",
                    "经核实，王某某作为县人力资源和社会保障局就业和失业保险股股长，对股室"
                    "受理的失业保险金申领未按承诺时限审核，超过承诺时限十二个工作日未办结；"
                    "电子监察亮出黄牌后仍未及时整改。\n"
                    "王某某在陈述中承认上述事实。",
                    [OVERDUE, WRITTEN_CHECK],
                    "责令其作出书面检查，并对本股室积压的申领件逐件清理、限期办结。",
                    10,
                ),
            ),
            (2, "inspector", "propose", {"findings": "事实清楚，证据充分，建议给予效能告诫。"}),
            (0, "jw_head", "approve", {"note": "同意拟处理意见。"}),
        ),
    ),
    DemoAccCase(
        "陈某某",
        "食品经营许可未落实一次性告知问题",
        "投诉件反映，县市场监管局行政审批股办理食品经营许可时未一次性告知所需材料，"
        "申请人前后往返四次。",
        (
            (6, "inspector", "refer", {}),
            (6, "inspector", "accept", {}),
            (5, "inspector", "verify", {}),
            (
                5,
                "inspector",
                "request_statement",
                {"days": 3, "note": "请说明未一次性告知的原因。"},
            ),
            (
                3,
                "inspector",
                "record_statement",
                {"statement": "本人对材料要求理解不准确，前后告知不一致，愿意接受处理。"},
            ),
            (
                2,
                "inspector",
                "draft_decision",
                _draft(
                    "written_check",
                    "经核实，陈某某在受理食品经营许可申请时，未按规定一次性告知所需材料，"
                    "致使申请人往返四次。",
                    [OVERDUE, WRITTEN_CHECK],
                    "责令其作出书面检查，并向申请人当面致歉。",
                    10,
                ),
            ),
            (1, "inspector", "propose", {}),
        ),
    ),
    DemoAccCase(
        "赵某某",
        "不动产登记中心二手房转移登记超时限问题",
        "群众反映，县不动产登记中心受理二手房转移登记后，超过承诺的5个工作日仍未办结，"
        "多次询问均答复“系统在走流程”。",
        (
            (3, "inspector", "refer", {}),
            (3, "inspector", "accept", {}),
            (2, "inspector", "verify", {}),
            (
                1,
                "inspector",
                "request_statement",
                {
                    "days": 5,
                    "note": "请就二手房转移登记超过承诺时限的原因，以及中心对超时限件的督促"
                    "措施，作出书面说明。",
                },
            ),
        ),
    ),
]


def seed_acc_cases(users: dict) -> int:
    """Create the demo accountability cases once; return how many were added."""
    titles = [c.title for c in DEMO_ACC_CASES]
    if db.session.scalar(
        sa.select(sa.func.count(AccountabilityCase.id)).where(AccountabilityCase.title.in_(titles))
    ):
        return 0
    bases = {(b.name, b.article): b.id for b in db.session.scalars(sa.select(LegalBasis))}
    for demo in DEMO_ACC_CASES:
        staff = db.session.scalar(sa.select(Staff).where(Staff.name == demo.staff))
        current = None  # the referral, then the case it was accepted into
        for index, (ago, username, action, data) in enumerate(demo.steps):
            later_same_day = sum(1 for step in demo.steps[index + 1 :] if step[0] == ago)
            with as_of(workdays_ago(ago) - later_same_day * STEP_GAP):
                current = _step(demo, staff, current, users[username], action, dict(data), bases)
        db.session.flush()
    return len(DEMO_ACC_CASES)


def _step(demo, staff, current, actor, action, data, bases):
    if action == "refer":
        return create_referral({"staff": str(staff.id), "summary": demo.summary}, actor)
    if action == "accept":
        return accept_referral(current, {"title": demo.title}, actor)
    acc_case = current
    if action in ABOUT_A_DECISION:
        data["decision"] = str(acc_case.decisions[0].id)
    if "bases" in data:
        data["basis_ids"] = [str(bases[key]) for key in data.pop("bases")]
    perform_acc_action(acc_case, action, actor, data)
    if action == "approve":
        _render_notices(acc_case)
    return acc_case


def _render_notices(acc_case) -> None:
    """Render the approved case's notices now: the demo ends with them stored.

    The render claims each notice inside this transaction, so the job queued for after
    the commit (in process, or on Redis for a worker) finds it taken and skips it; the
    render's hook then issues the case, as it does in service.
    """
    for decision in acc_case.live_decisions:
        render_document(decision.document_id)
    if acc_case.state != AccState.ISSUED:
        errors = [d.document.error for d in acc_case.live_decisions if d.document.error]
        raise RuntimeError(f"the notices of {acc_case.number} were not rendered: {errors}")
