"""The case page's timeline: each action's entry says, in words, what that action did.

Every action has its partial in templates/cases/events/; EVENT_ACTIONS lists them, and
the first test keeps that list, the partials, the event labels and the workflow's
actions in step, so that an action without a partial or a partial without a test fails.
"""

import html
import re
from datetime import timedelta
from pathlib import Path

from app.auth.models import Role
from app.auth.services import create_user
from app.cases.actions import perform_action
from app.cases.workflow import ACTIONS
from app.core.templating import CHOICE_LABELS
from app.core.trail import record_event
from app.core.types import utcnow
from app.extensions import db
from app.units.models import Staff
from app.units.naming import name_staff_for_case
from app.units.staff import merge_staff
from tests.conftest import login
from tests.factories import create_card

EVENTS_DIR = Path(__file__).resolve().parents[2] / "templates/cases/events"

# Every action that writes an event on a case's trail, each with its own partial.
EVENT_ACTIONS = frozenset(
    {
        "register",
        "screen",
        "classify",
        "correspondence",
        "dispatch",
        "reject",
        "merge",
        "merged_in",
        "name_staff",
        "staff_merged",
        "invalidate",
        "resolve_directly",
        "sign",
        "sign_off",
        "request_extension",
        "decide_extension",
        "sub_dispatch",
        "sub_reply",
        "contribute",
        "comment",
        "request_return",
        "decide_return",
        "reply",
        "review",
        "visit",
        "reopen",
        "deadline_recomputed",
        "report_rectification",
        "answer_order",
        "withdraw_extension",
        "withdraw_return",
        "extension_lapsed",
        "reply_lapsed",
        "return_request_lapsed",
    }
)

RSJ, ZJJ = "澄川县人力资源和社会保障局", "澄川县住房和城乡建设局"
# What a return request calls the unit it names, and what a dispatch must never say.
RETURN_LABEL = "认为应由"
FORM_RETURN_LABEL = "建议承办单位"


def test_every_action_has_a_partial_a_label_and_a_place_in_this_test():
    partials = {p.name for p in EVENTS_DIR.iterdir()}
    assert all(re.fullmatch(r"_[a-z_]+\.html", name) for name in partials), partials
    actions = {name.removeprefix("_").removesuffix(".html") for name in partials}
    assert "generic" in actions
    assert actions - {"generic"} == EVENT_ACTIONS
    assert set(CHOICE_LABELS["event"]) == EVENT_ACTIONS
    assert set(ACTIONS) <= EVENT_ACTIONS


def timeline(client, case) -> list[tuple[str, str, str]]:
    """Return (action, text, html) of each entry of the case page's timeline, in order."""
    response = client.get(f"/cases/{case.id}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    ol = re.search(r'<ol class="timeline" id="timeline">(.*?)</ol>', page, re.S).group(1)
    entries = []
    for action, body in re.findall(r'<li data-action="([^"]+)">(.*?)</li>', ol, re.S):
        text = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())
        entries.append((action, text, body))
    return entries


def test_every_action_reads_as_what_it_did(app, client, org, make_case):
    users = org["users"]

    def act(case, action, username, **data):
        perform_action(case, action, users[username], data)
        db.session.commit()

    station = create_user(
        "station", "社保所承办", "demo1234", [Role.HANDLER], org["units"]["CC-CGZ-SBS"]
    )
    db.session.commit()

    case = make_case()  # registered by the operator, and in screening at once
    act(
        case,
        "classify",
        "operator",
        respondent_unit_code="CC-RSJ",
        category_code="time_limit",
        subject_kind="staff",
        respondent_staff="李科员",
    )
    # A name typed at intake, later found on the unit's list under its real entry.
    real = Staff(unit_id=org["units"]["CC-RSJ"].id, name="李明", post="科员")
    db.session.add(real)
    db.session.flush()
    name_staff_for_case(case, [], [{"name": "李科员", "post": ""}], users["operator"])
    typed = case.staff[0]
    merge_staff(typed, real, users["admin"])
    db.session.commit()
    record_event(
        "case", case.id, None, "correspondence", data={"message": 1, "subject": "补充材料"}
    )
    db.session.commit()
    # Sent elsewhere than the router says (it suggests 人社局), then returned twice.
    act(case, "dispatch", "operator", unit_code="CC-ZJJ", override_reason="住建局负责该审批窗口")
    first = {"reason": "该事项不属于住建局", "suggested_unit_code": "CC-RSJ"}
    act(case, "request_return", "handler2", **first)
    act(case, "withdraw_return", "handler2")
    act(
        case,
        "request_return",
        "handler2",
        reason="该事项不属于住建局",
        suggested_unit_code="CC-RSJ",
    )
    act(case, "decide_return", "operator", approve=False, note="请先核实")
    act(case, "request_return", "handler2", reason="确属人社局职责", suggested_unit_code="CC-RSJ")
    act(case, "decide_return", "operator", approve=True, note="")
    # Now where the router says, with 住建局 assisting.
    act(
        case,
        "dispatch",
        "operator",
        unit_code="CC-RSJ",
        assist_unit_codes=["CC-ZJJ"],
        note="请于期限内答复",
    )
    act(case, "contribute", "handler2", text="住建局协办意见：已配合核查")
    act(case, "sign", "handler")
    act(case, "comment", "operator", text="<b>请加快办理</b>")
    act(case, "request_extension", "handler", days=2, reason="先申请后撤回")
    act(case, "withdraw_extension", "handler")
    act(case, "request_extension", "handler", days=5, reason="需要现场核查")
    act(case, "decide_extension", "operator", approve=True, note="")
    act(case, "request_extension", "handler", days=3, reason="仍需时间")
    act(case, "decide_extension", "operator", approve=False, note="理由不充分")
    act(case, "sub_dispatch", "handler", unit_code="CC-CGZ-SBS", note="请核实")
    perform_action(case, "sub_reply", station, {"text": "已核实，情况属实"})
    create_card(case, "red", issued_at=utcnow())  # a supervision order to answer
    db.session.commit()
    act(case, "answer_order", "handler", text="已约谈相关人员")
    act(case, "reply", "handler", text="拟答复：已核查。", finding="substantiated")
    act(case, "sign_off", "unit_lead", approve=False, note="<i>请补充依据</i>")
    # A colleague redrafts: nobody signs off their own draft, a stand-in included.
    clerk = create_user("clerk", "钱七", "demo1234", [Role.HANDLER], org["units"]["CC-RSJ"])
    redraft = {"text": "拟答复：已补充依据。", "finding": "substantiated"}
    perform_action(case, "reply", clerk, redraft)
    db.session.commit()
    # The unit lead is away: the handler, their AB backup, signs the reply off for them.
    users["unit_lead"].backup_user_id = users["handler"].id
    users["unit_lead"].away_until = utcnow() + timedelta(days=2)
    db.session.commit()
    act(case, "sign_off", "handler", approve=True, note="")
    users["unit_lead"].away_until = None
    db.session.commit()
    act(case, "review", "operator", **{"pass": False, "note": "答复不完整"})
    # Left waiting when the unit lead answers directly: both lapse.
    act(case, "request_extension", "handler", days=4, reason="等待补充材料")
    perform_action(case, "reply", clerk, {"text": "拟答复：第三稿。", "finding": "substantiated"})
    db.session.commit()
    act(case, "reply", "unit_lead", text="已核查并整改。", finding="partly_substantiated")
    act(case, "review", "operator", **{"pass": True, "note": "", "rectify_days": 10})
    act(case, "report_rectification", "handler", text="已整改完毕")
    act(case, "visit", "operator", satisfaction="satisfied", resolved="yes", note="投诉人认可")
    act(case, "reopen", "center_lead", reason="投诉人提供了新证据")
    # No row of today's table leaves a return request waiting; the trail would say this.
    record_event(
        "case",
        case.id,
        None,
        "return_request_lapsed",
        data={"cause": "decide_return", "by": "handler2", "reason": "确属人社局职责"},
    )
    record_event(
        "case",
        case.id,
        users["admin"],
        "deadline_recomputed",
        data={
            "clock": "handle",
            "old_due": "2026-03-23T15:59:59+00:00",
            "new_due": "2026-03-24T15:59:59+00:00",
            "provisional": False,
            "calendar_change": "2026-03-03",
        },
    )
    db.session.commit()
    duplicate = make_case()
    act(duplicate, "merge", "operator", case_id=case.id)
    act(case, "resolve_directly", "operator", text="已电话答复投诉人")
    rejected = make_case("reject")
    invalid = make_case()
    act(invalid, "invalidate", "operator", reason="空白来信")

    login(client, "operator")
    entries = [e for c in (case, duplicate, rejected, invalid) for e in timeline(client, c)]
    assert {action for action, _text, _html in entries} == EVENT_ACTIONS
    said = {}
    for action, text, _html in entries:
        said.setdefault(action, []).append(text)

    def one(action):
        [text] = said[action]
        return text

    registered = said["register"][0]
    assert "热线电话" in registered and "王受理" in registered
    assert "登记 → " not in registered  # the first entry has no "from" state
    assert "开始甄别" in said["screen"][0]
    assert "被投诉人员：李科员" in one("classify")
    assert "投诉对象：工作人员" in one("classify")
    assert "邮件主题：补充材料" in one("correspondence")
    assert "李科员（待确认）" in one("name_staff")
    assert "李科员" in one("staff_merged") and "李明（科员）" in one("staff_merged")

    elsewhere, followed = said["dispatch"]
    assert f"主办单位：{ZJJ}" in elsewhere
    assert f"系统路由建议：{RSJ}" in elsewhere
    assert "未采纳系统路由建议，改派理由：住建局负责该审批窗口" in elsewhere
    assert f"主办单位：{RSJ}" in followed and f"协办单位：{ZJJ}" in followed
    assert "已采纳" in followed and "改派" not in followed
    assert "交办意见：请于期限内答复" in followed
    for text in said["dispatch"]:
        assert RETURN_LABEL not in text and FORM_RETURN_LABEL not in text
    assert "退单" not in elsewhere
    # After the approved return the suggestion is the unit the returning unit named.
    assert f"{ZJJ}已退单并建议由{RSJ}办理，退单已批准" in followed

    for text in said["request_return"]:
        assert f"{RETURN_LABEL}{RSJ}办理" in text
    assert "退单理由：该事项不属于住建局" in said["request_return"][0]
    denied, approved = said["decide_return"]
    assert "不同意退单" in denied and "审批意见：请先核实" in denied
    assert "同意退单" in approved and "不同意" not in approved

    assert "签收" in one("sign")
    returned, signed_off = said["sign_off"]
    assert "退回承办人赵承办修改" in returned and "审签意见：<i>请补充依据</i>" in returned
    assert "审签通过" in signed_off and "退单" not in signed_off
    assert "代钱局长办理（AB岗）" in signed_off and "赵承办" in signed_off

    _taken_back, asked, asked_again, _left_waiting = said["request_extension"]
    assert "撤回了延期 2 个工作日的申请" in one("withdraw_extension")
    assert "延期理由：先申请后撤回" in one("withdraw_extension")
    assert "赵承办申请延期 4 个工作日未获审批，因“已答复”而失效" in one("extension_lapsed")
    assert "钱七的拟答复未经审签，因“已答复”而失效" in one("reply_lapsed")
    assert "撤回退单申请" in one("withdraw_return") and "退单理由：该事项不属于住建局" in one(
        "withdraw_return"
    )
    assert "孙承办的退单申请未获审批，因“退单已审批”而失效" in one("return_request_lapsed")
    assert "申请延期 5 个工作日" in asked and "延期理由：需要现场核查" in asked
    assert "申请延期 3 个工作日" in asked_again
    yes, no = said["decide_extension"]
    assert "同意延期 5 个工作日" in yes and "新的办理期限：" in yes
    assert "退单" not in yes and "不同意" not in yes
    assert "不同意延期 3 个工作日" in no and "审批意见：理由不充分" in no

    assert "下派至城关镇社会保障服务所" in one("sub_dispatch")
    assert "交办意见：请核实" in one("sub_dispatch")
    assert "已核实，情况属实" in one("sub_reply")
    assert "住建局协办意见" in one("contribute")
    assert "<b>请加快办理</b>" in one("comment")
    assert "督办单" in one("answer_order") and "已约谈相关人员" in one("answer_order")

    draft, redraft, _third, direct = said["reply"]
    assert "待单位负责人审签" in draft and "核查结论：属实" in draft
    assert "待单位负责人审签" in redraft
    assert "已报送中心审核" in direct and "核查结论：部分属实" in direct
    sent_back, passed = said["review"]
    assert "退回单位重办" in sent_back and "审核意见：答复不完整" in sent_back
    assert "审核通过，转入回访" in passed and "须在 10 个工作日内整改" in passed
    assert "已整改完毕" in one("report_rectification")
    assert "满意 · 已解决" in one("visit") and "回访情况：投诉人认可" in one("visit")
    assert "重新启动理由：投诉人提供了新证据" in one("reopen")
    assert "办理时限：2026-03-23 23:59 → 2026-03-24 23:59" in one("deadline_recomputed")

    assert f"作为重复件并入 {case.number}" in one("merge")
    assert f"重复件 {duplicate.number} 已并入此件" in one("merged_in")
    assert "已电话答复投诉人" in one("resolve_directly")
    assert "不予受理理由：不属于受理范围" in one("reject")
    assert "受理渠道告知：请向法院起诉" in one("reject")
    assert "无效件理由：空白来信" in one("invalidate")

    # User text is shown as text, never as markup.
    markup = {action: body for action, _text, body in entries}
    assert "&lt;b&gt;请加快办理&lt;/b&gt;" in markup["comment"]
    assert "<i>" not in "".join(body for action, _t, body in entries if action == "sign_off")
    # The merge entries link to the other case.
    assert f'href="/cases/{case.id}"' in markup["merge"]
    assert f'href="/cases/{duplicate.id}"' in markup["merged_in"]


def test_an_action_without_a_partial_falls_back_to_the_generic_entry(client, org, make_case):
    case = make_case("dispatch")
    record_event(
        "case",
        case.id,
        org["users"]["operator"],
        "archive_copy",
        from_state="dispatched",
        to_state="handling",
        data={"reason": "<script>alert(1)</script>", "late": True, "other": {"nested": [1]}},
    )
    db.session.commit()
    login(client, "operator")
    [(_action, text, body)] = [e for e in timeline(client, case) if e[0] == "archive_copy"]
    assert "archive_copy" in text and "王受理" in text
    assert "待签收 → 办理中" in text and "超期" in text
    assert "理由：<script>alert(1)</script>" in text
    assert "<script>" not in body and "nested" not in text
