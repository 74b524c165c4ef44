"""The default rule set of DESIGN §5, seeded where no rules exist yet."""

import sqlalchemy as sa

from app.extensions import db
from app.routing.models import Relation, RoutingRule

# position, name, conditions, target
DEFAULT_RULES = [
    (
        10,
        "投诉单位领导班子 → 上一级纪检监察机关",
        {"subject_kind": "unit_leader"},
        Relation.DISCIPLINE_PARENT_TIER,
    ),
    (
        20,
        "严重类别（吃拿卡要、乱收费等）→ 同级纪检监察机关",
        {"severity": "serious"},
        Relation.DISCIPLINE_SAME_TIER,
    ),
    (30, "村（社区）→ 所属乡镇（属地管理）", {"respondent_tier": 4}, Relation.PARENT),
    (40, "其他 → 被投诉单位自行办理，中心督办", {}, Relation.SELF),
]


def seed_default_rules() -> int:
    """Insert the default rules if the table is empty; return how many were added."""
    if db.session.scalar(sa.select(sa.func.count(RoutingRule.id))):
        return 0
    for position, name, conditions, target in DEFAULT_RULES:
        db.session.add(
            RoutingRule(position=position, name=name, target=target, active=True, **conditions)
        )
    db.session.flush()
    return len(DEFAULT_RULES)
