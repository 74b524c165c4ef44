"""The supervision sweep: right cards at the right time, never twice, cleared when stopped."""

import threading

import pytest
import sqlalchemy as sa

from app.cases.actions import perform_action
from app.extensions import db
from app.supervision.models import SupervisionWarning
from app.supervision.sweep import run_sweep
from tests.conftest import sh
from tests.factories import create_case


@pytest.fixture
def dispatched(org):
    """A case dispatched on Monday 2 March 2026 at 09:00 (sign due 3 March, handle 23 March)."""
    case = create_case(
        "dispatched",
        unit=org["units"]["CC-RSJ"],
        created_at=sh(2026, 3, 2, 9, 0),
        entered_by=org["users"]["operator"],
    )
    db.session.commit()
    return case


def warnings():
    db.session.expire_all()
    rows = db.session.scalars(sa.select(SupervisionWarning).order_by(SupervisionWarning.id))
    return [(w.clock_id, w.level, w.cleared_at is not None) for w in rows]


def sweep(at):
    result = run_sweep(at)
    db.session.commit()
    return result


def test_cards_follow_the_clock(dispatched):
    sign = dispatched.open_clock("sign").id
    handle = dispatched.open_clock("handle").id
    assert sweep(sh(2026, 3, 2, 10, 0)).prewarn == 1  # a one-day limit pre-warns at once
    assert sweep(sh(2026, 3, 3, 12, 0)).yellow == 0
    result = sweep(sh(2026, 3, 4, 9, 0))  # the sign deadline (end of 3 March) has passed
    assert (result.yellow, result.red) == (1, 0)
    assert sweep(sh(2026, 3, 10, 12, 0)).red == 0
    assert sweep(sh(2026, 3, 11, 9, 0)).red == 1  # five working days after the yellow card
    assert warnings() == [(sign, "prewarn", False), (sign, "yellow", False), (sign, "red", False)]
    assert sweep(sh(2026, 3, 20, 12, 0)).prewarn == 0
    assert sweep(sh(2026, 3, 21, 9, 0)).prewarn == 1  # one working day left to handle
    assert (handle, "prewarn", False) in warnings()


def test_second_sweep_issues_nothing(dispatched):
    first = sweep(sh(2026, 3, 11, 9, 0))
    assert (first.prewarn, first.yellow, first.red) == (0, 1, 1)
    again = sweep(sh(2026, 3, 11, 9, 5))
    assert (again.prewarn, again.yellow, again.red) == (0, 0, 0)
    assert len(warnings()) == 2


def test_stopping_the_clock_clears_its_cards(dispatched, org):
    sweep(sh(2026, 3, 11, 9, 0))
    perform_action(dispatched, "sign", org["users"]["handler"], {})
    db.session.commit()
    assert sweep(sh(2026, 3, 11, 10, 0)).cleared == 2
    assert all(cleared for _clock, _level, cleared in warnings())
    assert dispatched.clocks[1].late is True  # the frozen verdict stays


def test_a_second_unsatisfied_visit_is_a_red_card(make_case):
    case = make_case(
        "dispatch",
        "sign",
        "reply",
        "review",
        "visit_unsatisfied",
        "reply",
        "review",
        "visit_unsatisfied",
    )
    assert case.redo_count == 2
    result = sweep(None)
    assert result.red == 1
    [(clock_id, _level, _)] = [w for w in warnings() if w[1] == "red"]
    assert clock_id == case.open_clock("handle").id


def test_a_reopening_and_one_unsatisfied_visit_are_no_red_card(make_case):
    # A center lead's reopening is not the unit's failure: only redos (重办) count.
    once = ("dispatch", "sign", "reply", "review")
    case = make_case(*once, "visit", "reopen", *once, "visit_unsatisfied")
    assert (case.reopen_count, case.redo_count) == (1, 1)
    assert sweep(None).red == 0
    assert not [w for w in warnings() if w[1] == "red"]


def test_two_sweeps_at_once_issue_nothing_twice(app, dispatched, backend):
    at = sh(2026, 3, 11, 9, 0)
    errors, barrier = [], threading.Barrier(2)

    def run():
        with app.app_context():
            try:
                barrier.wait(timeout=10)
                run_sweep(at)
                db.session.commit()
            except Exception as error:  # collected and asserted below
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert errors == []
    assert sorted(level for _c, level, _x in warnings()) == ["red", "yellow"]
    # Both cards fall due at once: the supervision order covers the reminder.
    assert sorted(n.number for n in notices()) == ["澄效督〔2026〕1号"]
    assert len(messages()) == 2  # handler and unit lead


def test_cards_show_on_the_case_and_the_worklist(client, dispatched):
    from tests.conftest import login

    sweep(sh(2026, 3, 4, 9, 0))  # the yellow card and its reminder
    sweep(sh(2026, 3, 11, 9, 0))  # the red card and its order
    login(client, "handler")
    page = client.get(f"/cases/{dispatched.id}").get_data(as_text=True)
    assert 'data-card="red"' in page and 'data-card="yellow"' in page
    assert 'class="card-red"' in client.get("/cases").get_data(as_text=True)
    assert "澄效督〔2026〕1号" in page and "澄效催〔2026〕1号" in page
    notices_list = page.split('id="notices"')[1].split("</ul>")[0]
    assert "督办单" in notices_list and "催办通知书" in notices_list


def notices():

    db.session.expire_all()
    return db.session.scalars(
        sa.select(SupervisionWarning)
        .where(SupervisionWarning.number.is_not(None))
        .order_by(SupervisionWarning.id)
    ).all()


def test_yellow_and_red_cards_bring_numbered_notices_to_the_unit(dispatched, org):
    from app.notifications.models import Notification

    sweep(sh(2026, 3, 4, 9, 0))
    [reminder] = notices()
    assert reminder.notice_kind == "reminder" and reminder.number == "澄效催〔2026〕1号"
    assert reminder.unit_id == org["units"]["CC-RSJ"].id and reminder.respond_by is None
    sweep(sh(2026, 3, 11, 9, 0))
    order = notices()[-1]
    assert order.notice_kind == "order" and order.number == "澄效督〔2026〕1号"
    assert order.refer_to_inspectors and order.respond_by > order.issued_at
    sweep(sh(2026, 3, 11, 9, 5))
    assert len(notices()) == 2  # one notice per card, however often the sweep runs
    subjects = db.session.scalars(
        sa.select(Notification.subject).where(
            Notification.user_id == org["users"]["handler"].id,
            Notification.subject.contains("澄效"),
        )
    ).all()
    assert set(subjects) == {"督办单 澄效督〔2026〕1号", "催办通知书 澄效催〔2026〕1号"}


def test_notice_numbers_are_consecutive_across_cases(app):
    for _ in range(3):
        create_case("dispatched", created_at=sh(2026, 3, 2, 9, 0))
    sweep(sh(2026, 3, 4, 9, 0))  # three sign deadlines missed at once
    assert [n.number for n in notices()] == [f"澄效催〔2026〕{i}号" for i in (1, 2, 3)]


def test_sweep_runs_a_fixed_handful_of_statements(app):
    march_2 = sh(2026, 3, 2, 9, 0)
    create_case("dispatched", created_at=march_2)
    sweep(sh(2026, 3, 11, 9, 0))  # first use creates the number counters
    create_case("dispatched", created_at=march_2)
    one = sweep(sh(2026, 3, 12, 9, 0)).statements
    for _ in range(5):
        create_case("dispatched", created_at=march_2)
    many = sweep(sh(2026, 3, 13, 9, 0)).statements
    assert one == many <= 20


def messages():
    from app.notifications.models import Notification

    db.session.expire_all()
    return db.session.scalars(
        sa.select(Notification.subject).where(Notification.subject.contains("澄效"))
    ).all()


def test_a_second_sweep_at_the_same_moment_sends_nothing_again(dispatched):
    at = sh(2026, 3, 11, 9, 0)
    first = sweep(at)
    assert (first.reminders, first.orders, first.messages) == (0, 1, 2)
    again = sweep(at)
    assert (again.reminders, again.orders, again.messages) == (0, 0, 0)
    assert len(messages()) == 2


def test_a_yellow_and_red_card_at_once_bring_the_order_only(dispatched):
    """After an outage both cards fall due together; one notice says it, and no reminder
    follows later for the yellow card either."""
    result = sweep(sh(2026, 3, 11, 9, 0))
    assert (result.yellow, result.red) == (1, 1)
    assert (result.reminders, result.orders) == (0, 1)
    assert sweep(sh(2026, 3, 12, 9, 0)).reminders == 0
    assert [n.notice_kind for n in dispatched.notices] == ["order"]


def test_notice_numbers_continue_across_sweeps_without_gaps(app):
    from app.core.numbering import Counter

    def dispatch_at(count, *moment):
        for _ in range(count):
            create_case("dispatched", created_at=sh(*moment))

    dispatch_at(2, 2026, 3, 2, 9, 0)
    assert sweep(sh(2026, 3, 4, 9, 0)).reminders == 2
    assert sweep(sh(2026, 3, 4, 9, 5)).reminders == 0
    dispatch_at(3, 2026, 3, 4, 10, 0)  # sign deadline: end of 5 March
    assert sweep(sh(2026, 3, 6, 9, 0)).reminders == 3
    numbers = [n.number for n in notices() if n.notice_kind == "reminder"]
    assert numbers == [f"澄效催〔2026〕{i}号" for i in range(1, 6)]
    assert db.session.get(Counter, "notice:reminder:2026").value == 5


def test_a_card_gets_one_notice_even_with_two_open_lead_assignments(dispatched, org):
    from app.cases.models import Assignment

    db.session.add(
        Assignment(case_id=dispatched.id, unit_id=org["units"]["CC-ZJJ"].id, role="lead")
    )
    db.session.commit()
    result = sweep(sh(2026, 3, 4, 9, 0))
    assert result.reminders == 1
    assert [n.number for n in notices()] == ["澄效催〔2026〕1号"]
    assert sweep(sh(2026, 3, 11, 9, 0)).orders == 1
    assert [n.number for n in notices()][-1] == "澄效督〔2026〕1号"


def test_the_centers_own_clocks_get_cards_but_no_notices(app):
    """Screening is the center's work: a late screen clock is carded on the board, but no
    unit is sent a reminder for it."""
    # Registered and screening: the screen clock runs 3 working days.
    case = create_case("screening", created_at=sh(2026, 3, 2, 9, 0))
    result = sweep(sh(2026, 3, 6, 9, 0))
    assert (result.yellow, result.reminders, result.messages) == (1, 0, 0)
    [card] = [w for w in case.warnings if w.level == "yellow"]
    assert card.number is None and card.unit_id is None and card.notice_kind is None


def test_the_lead_unit_answers_a_supervision_order_once(client, dispatched, org):
    from app.core.errors import InvalidTransition
    from app.notifications.models import Notification
    from tests.conftest import login

    sweep(sh(2026, 3, 11, 9, 0))  # the order must be answered within 3 working days
    login(client, "handler")
    page = client.get(f"/cases/{dispatched.id}").get_data(as_text=True)
    assert "action-answer_order" in page and "回复逾期" in page  # due 16 March
    response = client.post(f"/cases/{dispatched.id}/answer_order", data={"text": ""})
    # Refused with the form shown again, the message beside the field; nothing stored.
    assert response.status_code == 422
    assert "督办回复内容：此项为必填项。" in response.get_data(as_text=True)
    db.session.expire_all()
    assert notices()[0].responded_at is None
    perform_action(dispatched, "answer_order", org["users"]["handler"], {"text": "已约谈整改"})
    db.session.commit()
    [order] = notices()
    assert order.response == "已约谈整改" and order.responded_at is not None
    assert dispatched.events[-1].data["late"] is True  # answered months after 16 March
    with pytest.raises(InvalidTransition):
        perform_action(dispatched, "answer_order", org["users"]["handler"], {"text": "再次"})
    subjects = db.session.scalars(
        sa.select(Notification.subject).where(Notification.user_id == org["users"]["operator"].id)
    ).all()
    assert "督办单 澄效督〔2026〕1号 已回复" in subjects
