"""Build the fictional 澄川县 (Chengchuan county) of 澄州市 with its units, staff and cases."""

import sqlalchemy as sa

from app.auth.models import Role, User, UserRole
from app.auth.services import set_password
from app.cases.actions import perform_action
from app.cases.models import Case, Category
from app.cases.services import suggest_for
from app.core.types import as_of, utcnow
from app.deadlines.services import (
    calendar_years,
    chinesecalendar_year,
    import_year,
)
from app.deadlines.workdays import to_local
from app.demo.past import workdays_ago
from app.extensions import db
from app.intake.services import register_case
from app.units.models import Staff, Unit

DEMO_PASSWORD = "demo1234"

# code, name, tier, kind, parent code, supervisor code
UNITS = [
    ("CZ", "澄州市人民政府", 1, "government", None, None),
    ("CZ-JW", "澄州市纪委监委", 1, "discipline_office", "CZ", None),
    ("CC", "澄川县人民政府", 2, "government", "CZ", None),
    ("CC-JW", "澄川县纪委监委", 2, "discipline_office", "CC", "CZ-JW"),
    ("CC-TSZX", "澄川县机关效能投诉中心", 2, "complaint_center", "CC", "CC-JW"),
    ("CC-RSJ", "澄川县人力资源和社会保障局", 2, "department", "CC", None),
    ("CC-ZRZYJ", "澄川县自然资源局", 2, "department", "CC", None),
    ("CC-ZJJ", "澄川县住房和城乡建设局", 2, "department", "CC", None),
    ("CC-SCJGJ", "澄川县市场监督管理局", 2, "department", "CC", None),
    ("CC-ZWFW", "澄川县政务服务中心", 2, "department", "CC", None),
    ("CC-CGZ", "澄川县城关镇人民政府", 3, "government", "CC", None),
    ("CC-CGZ-JW", "城关镇纪委", 3, "discipline_office", "CC-CGZ", "CC-JW"),
    ("CC-SQX", "澄川县石桥乡人民政府", 3, "government", "CC", None),
    ("CC-CGZ-SBS", "城关镇社会保障服务所", 3, "station", "CC-CGZ", "CC-RSJ"),
    ("CC-CGZ-DJ", "城关镇东街社区居委会", 4, "government", "CC-CGZ", None),
    ("CC-SQX-LC", "石桥乡柳村村民委员会", 4, "government", "CC-SQX", None),
]

# The short names of the discipline offices in their document numbers (机关代字).
DOC_PREFIXES = {"CZ-JW": "澄州纪", "CC-JW": "澄纪", "CC-CGZ-JW": "城纪"}

# code, name, severity, handle days (None: the configured default)
CATEGORIES = [
    ("attitude", "服务态度（门难进、脸难看）", "ordinary", None),
    ("buck_passing", "推诿扯皮", "ordinary", None),
    ("bribery", "吃拿卡要", "serious", None),
    ("sloth", "庸懒散拖", "ordinary", None),
    ("inaction", "不作为/慢作为/乱作为", "ordinary", None),
    ("illegal_fees", "乱收费/乱罚款/乱摊派", "serious", None),
    ("discipline", "违反工作纪律", "ordinary", None),
    ("one_time_notice", "未落实一次性告知", "ordinary", 10),
    ("time_limit", "未落实限时办结", "ordinary", None),
    ("first_responsibility", "未落实首问负责", "ordinary", 10),
    ("intermediary", "中介机构拖延", "ordinary", None),
    ("other", "其他", "ordinary", None),
]

# username, name, unit code, roles
USERS = [
    ("operator", "王受理", "CC-TSZX", [Role.OPERATOR]),
    ("center_lead", "李主任", "CC-TSZX", [Role.CENTER_LEAD]),
    ("handler", "赵承办", "CC-RSJ", [Role.HANDLER]),
    ("unit_lead", "钱局长", "CC-RSJ", [Role.UNIT_LEAD]),
    ("handler2", "孙承办", "CC-ZJJ", [Role.HANDLER]),
    ("inspector", "周监察", "CC-JW", [Role.INSPECTOR]),
    ("jw_head", "何主任", "CC-JW", [Role.DISCIPLINE_HEAD]),
    # The discipline office also handles the complaints routed to it (DESIGN §2, §5).
    ("jw_handler", "冯承办", "CC-JW", [Role.HANDLER]),
    ("jw_lead", "陈书记", "CC-JW", [Role.UNIT_LEAD]),
    ("leader", "吴县长", "CC", [Role.LEADER]),
    ("admin", "郑管理", "CC-TSZX", [Role.ADMIN]),
]


# unit code, name, post: the people complaints can name (DESIGN §7)
STAFF = [
    ("CC-ZWFW", "张某某", "三号窗口工作人员"),
    ("CC-ZWFW", "李某某", "综合窗口科长"),
    ("CC-RSJ", "王某某", "就业和失业保险股股长"),
    ("CC-RSJ", "刘某某", "社会保险经办科员"),
    ("CC-SCJGJ", "陈某某", "行政审批股科员"),
    ("CC-ZRZYJ", "赵某某", "不动产登记中心主任"),
    ("CC-ZJJ", "孙某某", "建筑市场监管股股长"),
    ("CC-CGZ", "周某某", "副镇长"),
    ("CC-CGZ-SBS", "吴某某", "所长"),
    ("CC-SQX-LC", "郑某某", "村委会主任"),
]


def seed_units() -> dict[str, Unit]:
    """Create or update the demo unit tree; return units by code."""
    units = {u.code: u for u in db.session.scalars(sa.select(Unit))}
    for code, name, tier, kind, _parent, _supervisor in UNITS:
        unit = units.get(code) or Unit(code=code)
        unit.name, unit.tier, unit.kind, unit.active = name, tier, kind, True
        unit.doc_prefix = DOC_PREFIXES.get(code, "")
        db.session.add(unit)
        units[code] = unit
    db.session.flush()
    for code, _name, _tier, _kind, parent, supervisor in UNITS:
        units[code].parent_id = units[parent].id if parent else None
        units[code].supervisor_id = units[supervisor].id if supervisor else None
    db.session.flush()
    return units


def seed_staff(units: dict[str, Unit]) -> int:
    """Create the demo staff lists; an entry that exists is left alone."""
    have = set(db.session.execute(sa.select(Staff.unit_id, Staff.name, Staff.post)).all())
    added = 0
    for code, name, post in STAFF:
        if (units[code].id, name, post) not in have:
            db.session.add(Staff(unit_id=units[code].id, name=name, post=post))
            added += 1
    db.session.flush()
    return added


def seed_categories() -> dict[str, Category]:
    """Create or update the categories of DESIGN §3."""
    existing = {c.code: c for c in db.session.scalars(sa.select(Category))}
    for position, (code, name, severity, days) in enumerate(CATEGORIES):
        category = existing.get(code) or Category(code=code)
        category.name, category.severity, category.handle_days = name, severity, days
        category.position, category.active = position, True
        db.session.add(category)
        existing[code] = category
    db.session.flush()
    return existing


def seed_users(units: dict[str, Unit], password: str = DEMO_PASSWORD) -> dict[str, User]:
    """Create the demo users (one per role, and a few more); existing ones are left alone."""
    users = {}
    for username, name, unit_code, roles in USERS:
        user = db.session.scalar(sa.select(User).where(User.username == username))
        if user is None:
            user = User(username=username, name=name, unit_id=units[unit_code].id)
            set_password(user, password)
            user.role_rows = [UserRole(role=r) for r in roles]
            db.session.add(user)
        users[username] = user
    db.session.flush()
    return users


def seed_calendar(years=(2025, 2026)) -> list[int]:
    """Import the given years from chinesecalendar where they are not stored yet."""
    have = set(calendar_years())
    added = []
    for year in years:
        if year not in have:
            import_year(year, chinesecalendar_year(year), "chinesecalendar")
            added.append(year)
    return added


def _complaint(
    unit: str, category: str, title: str, content: str, name: str, phone: str, **extra
) -> dict:
    return {
        "channel": extra.pop("channel", "hotline"),
        "complainant": {
            "name": name,
            "phone": phone,
            "address": extra.pop("address", ""),
            "anonymous": extra.pop("anonymous", False),
        },
        "respondent_unit_code": unit,
        "category_code": category,
        "title": title,
        "content": content,
        **extra,
    }


DEMO_CASES = [
    # (steps to drive it through, complaint)
    (
        [],
        _complaint(
            "CC-ZWFW",
            "attitude",
            "窗口工作人员态度生硬",
            "在政务服务中心三号窗口办理营业执照变更时，工作人员不耐烦，多次打断我说话。",
            "陈明",
            "13800001111",
            channel="web",
        ),
    ),
    (
        ["screen"],
        _complaint(
            "CC-SCJGJ",
            "one_time_notice",
            "办理食品经营许可被要求反复补材料",
            "前后跑了四次，每次都被告知缺少不同的材料，没有一次性告知。",
            "林晓",
            "13800002222",
        ),
    ),
    (
        ["screen", "reject"],
        _complaint(
            "CC-ZRZYJ",
            "other",
            "邻里宅基地纠纷",
            "与邻居因宅基地边界发生纠纷，希望效能中心处理。",
            "黄海",
            "13800003333",
        ),
    ),
    (
        ["screen", "dispatch"],
        _complaint(
            "CC-RSJ",
            "time_limit",
            "失业保险金申领超期未办结",
            "三月提交失业保险金申领，承诺15个工作日办结，至今没有结果。",
            "刘芳",
            "13800004444",
        ),
    ),
    (
        ["screen", "dispatch", "sign"],
        _complaint(
            "CC-RSJ",
            "buck_passing",
            "社保转移接续被推诿",
            "社保关系转移，县社保中心说找镇里，镇里说找县里。",
            "张伟",
            "13800005555",
        ),
    ),
    (
        ["screen", "dispatch", "sign", "reply"],
        _complaint(
            "CC-RSJ",
            "sloth",
            "工伤认定材料交了两个月没人联系",
            "工伤认定申请递交后两个月没有任何答复，电话也无人接听。",
            "杨静",
            "13800006666",
        ),
    ),
    (
        ["screen", "dispatch", "sign", "reply", "review"],
        _complaint(
            "CC-RSJ",
            "attitude",
            "劳动监察大队接待人员态度差",
            "去劳动监察大队反映欠薪问题，接待人员玩手机，不登记。",
            "何军",
            "13800007777",
        ),
    ),
    (
        ["screen", "dispatch", "sign", "reply", "review", "visit"],
        _complaint(
            "CC-RSJ",
            "inaction",
            "职业技能补贴迟迟不发放",
            "去年参加的电工培训，补贴至今未发放，多次询问没有结果。",
            "马丽",
            "13800008888",
        ),
    ),
    (
        ["screen", "merge"],
        _complaint(
            "CC-RSJ",
            "time_limit",
            "失业金申领一直没有结果（重复反映）",
            "我之前打过电话反映失业保险金的事情，现在还是没有结果。",
            "刘芳",
            "13800004444",
        ),
    ),
    (
        ["screen", "invalidate"],
        _complaint(
            "CC-ZWFW",
            "other",
            "优惠推广信息",
            "本店新开业，全场八折，欢迎光临。",
            "推广",
            "13000000000",
            channel="web",
        ),
    ),
    (
        ["screen", "resolve_directly"],
        _complaint(
            "CC-RSJ",
            "one_time_notice",
            "社保卡补办不知道要带什么材料",
            "窗口说材料不全，但没说清楚还缺什么。",
            "吕红",
            "13800001212",
        ),
    ),
    (
        [],
        _complaint(
            "CC-SQX",
            "sloth",
            "乡政府办事大厅上班时间无人",
            "周三上午九点去石桥乡便民服务中心办事，窗口无人，等了一个小时。",
            "曹老汉",
            "",
            channel="letter",
            letter_box="县信访接待室投诉箱",
            address="石桥乡柳村三组",
        ),
    ),
    (
        ["screen", "dispatch", "request_return"],
        _complaint(
            "CC-ZJJ",
            "buck_passing",
            "农村危房改造补助申请被推来推去",
            "去县住建局问危房改造补助，说要先到乡里初审，乡里又说直接找县里。",
            "郑强",
            "13800009999",
        ),
    ),
    (
        ["screen", "dispatch"],
        _complaint(
            "CC-ZJJ",
            "bribery",
            "住建局工作人员暗示请吃饭才给办",
            "办理施工许可时，经办人员暗示要请吃饭才能加快。",
            "",
            "",
            anonymous=True,
            urgency="urgent",
        ),
    ),
    # Late ones, started this many working days ago, so that the board has cards to show.
    (
        ["screen", "dispatch"],
        _complaint(
            "CC-RSJ",
            "time_limit",
            "养老保险关系转移一个多月没办好",
            "从外省转回的养老保险关系，递交材料后一直说在走流程。",
            "田野",
            "13800001313",
        ),
        8,  # never signed: yellow, then red card on the sign clock
    ),
    (
        ["screen", "dispatch", "sign"],
        _complaint(
            "CC-RSJ",
            "sloth",
            "就业困难人员认定迟迟不办",
            "申请就业困难人员认定，窗口收件后再无消息。",
            "袁梅",
            "13800001414",
        ),
        17,  # handle deadline passed two working days ago: yellow card
    ),
    (
        ["screen", "dispatch", "sign"],
        _complaint(
            "CC-RSJ",
            "attitude",
            "劳动仲裁立案窗口不给解释",
            "询问仲裁立案材料要求，工作人员只说不符合，不说哪里不符合。",
            "邓超",
            "13800001515",
        ),
        15,  # the last working day to handle: pre-warning
    ),
    (
        ["screen", "dispatch", "sign"],
        _complaint(
            "CC-ZJJ",
            "inaction",
            "小区违建举报后无人处理",
            "举报小区楼顶违建，住建局签收后一个多月没有任何处理。",
            "付强",
            "13800001616",
        ),
        23,  # handle deadline passed more than five working days ago: red card
    ),
    # A handler's draft waiting for the unit lead: the lead's 待审签 tab has work to show.
    (
        ["screen", "dispatch", "sign", "draft_reply"],
        _complaint(
            "CC-RSJ",
            "one_time_notice",
            "灵活就业社保补贴申请材料一再被退回",
            "申请灵活就业人员社保补贴，窗口三次退回材料，每次只说一个问题。",
            "冯洁",
            "+86 138-0000-1717",  # as the caller read it out: found however it is typed
        ),
    ),
]

STEP_DATA = {
    "screen": ("operator", {}),
    "invalidate": ("operator", {"reason": "广告信息，不属于投诉。"}),
    "resolve_directly": (
        "operator",
        {"text": "补办社保卡需携带本人身份证原件，在县政务服务中心人社窗口即可当场办理。"},
    ),
    "merge": ("operator", {}),
    "dispatch": ("operator", {"note": "请按期办理并答复。"}),
    "reject": (
        "operator",
        {
            "reason": "属于民事纠纷，不属于机关效能投诉受理范围。",
            "advice": "请向所在乡镇人民调解委员会申请调解，或向人民法院起诉。",
        },
    ),
    "sign": ("handler", {}),
    "request_return": (
        "handler2",
        {
            "reason": "危房改造补助初审由乡镇负责，应由石桥乡人民政府办理。",
            "suggested_unit_code": "CC-SQX",
        },
    ),
    "reply": (
        "unit_lead",
        {
            "text": "经核查，情况基本属实，已责成相关科室限期办理，并对责任人批评教育。",
            "finding": "partly_substantiated",
        },
    ),
    "draft_reply": (
        "handler",
        {
            "text": "经核查，窗口未落实一次性告知，已向投诉人一次性列明所需材料并致歉。",
            "finding": "substantiated",
        },
    ),
    "review": ("operator", {"pass": True, "note": "答复内容完整。", "rectify_days": 10}),
    "visit": (
        "operator",
        {"satisfaction": "satisfied", "resolved": "yes", "note": "投诉人表示问题已解决。"},
    ),
}


# Steps named apart from their action: a handler's reply is a draft for the unit lead.
ACTION_OF_STEP = {"draft_reply": "reply"}


def seed_cases(users: dict[str, User]) -> int:
    """Create the demo cases once, driven through the real services."""
    if db.session.scalar(sa.select(sa.func.count()).where(Case.tracking_code.like("DEMO%"))):
        return 0
    first_of_number: dict[str, Case] = {}
    for index, (steps, complaint, *ago) in enumerate(DEMO_CASES, start=1):
        with as_of(workdays_ago(ago[0]) if ago else utcnow()):
            case = _seed_case(index, steps, complaint, users, first_of_number)
        first_of_number.setdefault(complaint["complainant"]["phone"], case)
        db.session.flush()
    return len(DEMO_CASES)


def _seed_case(index, steps, complaint, users, first_of_number) -> Case:
    if complaint["channel"] == "letter":
        complaint = {**complaint, "letter_collected_on": to_local(utcnow()).date()}
    case = register_case(complaint, users["operator"], screen_now=False)
    case.tracking_code = f"DEMO{index:08d}"
    for step in steps:
        username, data = STEP_DATA[step]
        data = dict(data)
        if step == "dispatch":
            # Follow the routing rules, as an operator accepting the suggestion would.
            data["unit_code"] = suggest_for(case).unit.code
        if step in {"sign", "reply"} and complaint["respondent_unit_code"] != "CC-RSJ":
            username = "handler2"
        if step == "merge":
            data = {"case_id": first_of_number[complaint["complainant"]["phone"]].id}
        perform_action(case, ACTION_OF_STEP.get(step, step), users[username], data)
    return case


def seed_demo() -> dict[str, object]:
    """Seed everything; running it again changes nothing that exists."""
    from app.accountability.reference import seed_reference
    from app.accountability.sweep import sweep_accountability
    from app.demo.accountability import seed_acc_cases
    from app.routing.defaults import seed_default_rules
    from app.supervision.sweep import run_sweep

    calendar = seed_calendar()
    units = seed_units()
    categories = seed_categories()
    users = seed_users(units)
    staff = seed_staff(units)
    seed_default_rules()
    reference = seed_reference()
    cases = seed_cases(users)
    # The sweep the scheduler runs every few minutes: cards and notices for the late cases,
    # then the referrals the red cards and valid complaints bring to the inspectors.
    sweep = run_sweep()
    referred = sweep_accountability()
    acc_cases = seed_acc_cases(users)
    return {
        "calendar years added": calendar or "none",
        "units": len(units),
        "categories": len(categories),
        "users": len(users),
        "staff added": staff,
        "cases added": cases,
        "cards issued": sweep.prewarn + sweep.yellow + sweep.red,
        "accountability reference added": sum(reference.values()),
        "referrals made": referred.referrals,
        "accountability cases added": acc_cases,
    }
