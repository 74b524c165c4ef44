"""The reference data of accountability: the ladder of forms, legal bases, accumulation rules.

Seeded once (``seed_reference``) and kept in the database, where the admin edits the
legal bases: local rules differ, and a decision cites what the office has on file.
The seeded texts of national rules are to be checked against the official gazette;
the local rule is a template for the county to adopt or replace.
"""

import sqlalchemy as sa

from app.accountability.models import (
    AccountabilityForm,
    AccumulationRule,
    LegalBasis,
    RuleCount,
    RulePeriod,
    SubjectType,
)
from app.extensions import db

# code, name, doc code, document title, effect months, consequences
FORMS = [
    ("reminder_talk", "提醒谈话", "效谈", "提醒谈话通知书", 0, ""),
    ("criticism", "批评教育", "效批", "批评教育决定书", 0, ""),
    ("written_check", "责令书面检查", "效检", "责令书面检查决定书", 0, ""),
    (
        "circulated_criticism",
        "通报批评",
        "效通",
        "通报批评决定书",
        6,
        "受到通报批评的，当年不得评先评优。",
    ),
    (
        "efficiency_warning",
        "效能告诫",
        "效告",
        "效能告诫决定书",
        6,
        "受到效能告诫的，当年年度考核不得确定为优秀等次，当年不得评先评优。",
    ),
    (
        "admonition",
        "诫勉",
        "效诫",
        "诫勉决定书",
        6,
        "受到诫勉的，六个月内不得提拔或者重用，当年不得评先评优。",
    ),
    (
        "organizational",
        "组织处理",
        "效处",
        "组织处理决定书",
        12,
        "视情采取停职检查、调离岗位、责令辞职、免职、降职等措施；一年内不得提拔。",
    ),
    ("discipline_review", "移送纪律审查", "效移", "移送纪律审查决定书", 0, ""),
]

# name, article, text
BASES = [
    (
        "《中国共产党问责条例》",
        "第八条第二款",
        "对党的领导干部的问责，根据危害程度以及具体情况，可以采取以下方式：（一）通报。"
        "进行严肃批评，责令作出书面检查、切实整改，并在一定范围内通报。（二）诫勉。以谈话"
        "或者书面方式进行诫勉。（三）组织调整或者组织处理。对失职失责、危害较重，不适宜担任"
        "现职的，应当根据情况采取停职检查、调整职务、责令辞职、降职、免职等措施。（四）纪律"
        "处分。应当给予纪律处分的，由纪检机关依照《中国共产党纪律处分条例》追究纪律责任。",
    ),
    (
        "《中国共产党问责条例》",
        "第十九条",
        "问责对象对问责决定不服的，可以自收到问责决定之日起1个月内，向问责决定机关提出书面"
        "申诉。问责决定机关接到书面申诉后，应当在1个月内作出申诉处理决定，并以书面形式告知"
        "提出申诉的党组织、领导干部及其所在党组织。申诉期间，不停止问责决定的执行。",
    ),
    (
        "《中华人民共和国公职人员政务处分法》",
        "第七条",
        "政务处分的种类为：（一）警告；（二）记过；（三）记大过；（四）降级；（五）撤职；"
        "（六）开除。",
    ),
    (
        "《中华人民共和国公职人员政务处分法》",
        "第三十九条",
        "有下列行为之一，造成不良后果或者影响的，予以警告、记过或者记大过；情节较重的，予以"
        "降级或者撤职；情节严重的，予以开除：（一）滥用职权，危害国家利益、社会公共利益或者"
        "侵害公民、法人、其他组织合法权益的；（二）不履行或者不正确履行职责，玩忽职守，贻误"
        "工作的；……",
    ),
    (
        "《澄川县机关效能问责办法（示范文本）》",
        "第六条",
        "机关工作人员有下列情形之一的，视情节轻重予以提醒谈话、批评教育、责令书面检查、通报"
        "批评或者效能告诫：（一）无正当理由超过承诺时限办理事项的；（二）未落实一次性告知制，"
        "致使服务对象往返两次以上的；（三）对服务对象态度生硬、推诿扯皮的；（四）被电子监察"
        "亮出红牌、经督办仍未整改的。",
    ),
    (
        "《澄川县机关效能问责办法（示范文本）》",
        "第九条",
        "同一年度内受到诫勉三次的，予以效能告诫；受到效能告诫两次的，按照干部管理权限建议"
        "组织处理。单位一个季度内被电子监察亮出红牌三次以上的，移送纪检监察机关问责。",
    ),
    (
        "《澄川县机关效能问责办法（示范文本）》",
        "第十二条",
        "被问责人员应当在收到问责决定之日起十个工作日内向作出决定的机关提交书面检查，并抄送"
        "所在单位。",
    ),
]

# subject, what is counted, the counted form, threshold, period, the suggested form
RULES = [
    (SubjectType.STAFF, RuleCount.DECISION, "admonition", 3, RulePeriod.YEAR, "efficiency_warning"),
    (
        SubjectType.STAFF,
        RuleCount.DECISION,
        "efficiency_warning",
        2,
        RulePeriod.YEAR,
        "organizational",
    ),
    (SubjectType.UNIT, RuleCount.RED_CARD, None, 3, RulePeriod.QUARTER, None),
]


def seed_reference() -> dict[str, int]:
    """Create the ladder, bases and rules where missing; what the admin edited stays."""
    forms = {f.code: f for f in db.session.scalars(sa.select(AccountabilityForm))}
    added_forms = 0
    for rank, (code, name, doc_code, title, months, consequences) in enumerate(FORMS, 1):
        if code not in forms:
            db.session.add(
                AccountabilityForm(
                    code=code,
                    name=name,
                    rank=rank,
                    doc_code=doc_code,
                    doc_title=title,
                    effect_months=months,
                    consequences=consequences,
                )
            )
            added_forms += 1
    db.session.flush()
    have = set(db.session.execute(sa.select(LegalBasis.name, LegalBasis.article)).all())
    added_bases = 0
    for position, (name, article, text) in enumerate(BASES):
        if (name, article) not in have:
            db.session.add(LegalBasis(name=name, article=article, text=text, position=position))
            added_bases += 1
    added_rules = 0
    if not db.session.scalar(sa.select(sa.func.count(AccumulationRule.id))):
        for subject, counts, form, threshold, period, suggests in RULES:
            db.session.add(
                AccumulationRule(
                    subject_type=subject,
                    counts=counts,
                    form_code=form,
                    threshold=threshold,
                    period=period,
                    suggests_code=suggests,
                )
            )
            added_rules += 1
    db.session.flush()
    return {"forms": added_forms, "bases": added_bases, "rules": added_rules}
