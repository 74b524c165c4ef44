"""The sweep's unit messages follow the AB posts (AB岗): an away colleague's go to the backup."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.auth.models import Role
from app.auth.services import create_user
from app.extensions import db
from app.notifications.models import Notification
from app.supervision.sweep import run_sweep
from tests.conftest import sh
from tests.factories import create_case

REMINDER = "催办通知书 澄效催〔2026〕1号"


# The case below misses its sign deadline (end of 3 March): one yellow card and one
# reminder notice for 人社局 (CC-RSJ), whose staff are 赵承办 (handler) and 钱局长 (lead).
AT = sh(2026, 3, 4, 9, 0)


@pytest.fixture
def late(org):
    """A case dispatched to CC-RSJ on Monday 2 March 2026 and never signed."""
    case = create_case("dispatched", unit=org["units"]["CC-RSJ"], created_at=sh(2026, 3, 2, 9, 0))
    db.session.commit()
    return case


@pytest.fixture
def people(org):
    users = org["users"]
    return users["handler"], users["unit_lead"], users["handler2"]


def away(user, backup, until=AT + timedelta(days=3)) -> None:
    user.away_until = until
    user.backup_user = backup


def sweep() -> int:
    result = run_sweep(AT)
    db.session.commit()
    assert result.reminders == 1
    return result.messages


def inbox(user) -> list[str]:
    db.session.expire_all()
    return db.session.scalars(
        sa.select(Notification.subject).where(
            Notification.user_id == user.id, Notification.subject.contains("澄效")
        )
    ).all()


def test_an_away_users_message_goes_to_the_backup(late, people):
    handler, lead, backup = people  # the backup works in another unit
    away(handler, backup)
    db.session.commit()
    assert sweep() == 2
    assert inbox(handler) == []
    assert inbox(backup) == [f"{REMINDER}（代赵承办，AB岗）"]
    assert inbox(lead) == [REMINDER]


def test_a_backup_on_the_same_unit_gets_one_message(late, people):
    handler, lead, _other = people
    away(lead, handler)
    db.session.commit()
    assert sweep() == 1
    assert inbox(handler) == [REMINDER]  # as the unit's handler, not twice
    assert inbox(lead) == []


def test_a_backup_for_two_colleagues_gets_one_message_naming_both(late, people):
    handler, lead, backup = people
    away(handler, backup)
    away(lead, backup)
    db.session.commit()
    assert sweep() == 1
    [subject] = inbox(backup)
    assert subject.startswith(f"{REMINDER}（代") and "赵承办" in subject and "钱局长" in subject
    assert inbox(handler) == inbox(lead) == []


def test_once_away_until_has_passed_the_user_gets_it_again(late, people):
    handler, _lead, backup = people
    away(handler, backup, until=AT - timedelta(hours=1))
    db.session.commit()
    assert sweep() == 2
    assert inbox(handler) == [REMINDER]
    assert inbox(backup) == []


def test_inactive_users_get_nothing(late, org, people):
    handler, lead, backup = people
    handler.active = False  # left the unit: nobody stands in for them either
    away(handler, backup)
    retired = create_user("retired", "冯退休", "x" * 12, [Role.HANDLER], org["units"]["CC-RSJ"])
    retired.active = False
    away(lead, retired)  # an inactive backup: the lead keeps their own messages
    db.session.commit()
    assert sweep() == 1
    assert inbox(lead) == [REMINDER]
    assert inbox(handler) == inbox(backup) == inbox(retired) == []


def test_many_notices_at_once_make_one_message_per_person_and_kind(org):
    """After an outage a unit gets its notices counted in one message, not one per notice."""
    for _ in range(3):
        create_case("dispatched", unit=org["units"]["CC-RSJ"], created_at=sh(2026, 3, 2, 9, 0))
    reminders = run_sweep(sh(2026, 3, 4, 9, 0))  # three sign clocks late at once
    orders = run_sweep(sh(2026, 3, 11, 9, 0))  # and their red cards
    db.session.commit()
    assert (reminders.reminders, reminders.messages) == (3, 2)  # handler and lead
    assert (orders.orders, orders.messages) == (3, 2)
    handler = org["users"]["handler"]
    rows = db.session.execute(
        sa.select(Notification.subject, Notification.case_id, Notification.body).where(
            Notification.user_id == handler.id, Notification.subject.contains("共")
        )
    ).all()
    assert sorted(r.subject for r in rows) == ["催办通知书 共 3 份", "督办单 共 3 份"]
    assert {r.case_id for r in rows} == {None} and all("亮牌" in r.body for r in rows)
