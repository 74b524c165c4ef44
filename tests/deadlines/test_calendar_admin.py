"""Calendar administration: entering a year, editing days, recomputing open deadlines."""

from datetime import date, datetime

import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from app.core.errors import ValidationFailed
from app.core.trail import Event
from app.deadlines.calendar_admin import calendar_status, enter_year, parse_year, set_day
from app.deadlines.models import CalendarDay
from app.deadlines.workdays import SHANGHAI, to_local
from app.extensions import db
from tests.conftest import login
from tests.deadlines.test_clocks import due
from tests.htmlpage import form_for, parse, value_of

SCHEDULE_2027 = {
    "year": "2027",
    "holidays": "2027-01-01 元旦\n2027-02-05..2027-02-11 春节\n2027-10-01 ~ 2027-10-07 国庆节\n",
    "makeup_days": "2027-02-14 春节\n2027-10-09 国庆节\n",
}
# 2026 is stored (seeded from the package): entering it again replaces it.
SCHEDULE_2026 = {
    "year": "2026",
    "holidays": "2026-01-01 元旦\n2026-10-01..2026-10-07 国庆节\n",
    "makeup_days": "2026-10-10 国庆节\n",
}


@pytest.fixture(autouse=True)
def restore_calendar(app):
    """Tests here change the shared calendar: put the seeded years back afterwards."""
    yield
    from app.demo.seed import seed_calendar

    db.session.rollback()
    db.session.execute(sa.delete(CalendarDay))
    seed_calendar()
    db.session.commit()


def local(moment):
    return to_local(moment).replace(tzinfo=None)


def recomputed(case):
    return [e for e in case.events if e.action == "deadline_recomputed"]


# Reading a schedule typed in by hand ------------------------------------------------------


def test_a_typed_year_has_holidays_makeup_days_and_plain_weeks(app):
    year, days = parse_year(SCHEDULE_2027)
    assert year == 2027 and len(days) == 365
    assert days[date(2027, 1, 1)] == (False, "元旦")
    assert days[date(2027, 2, 8)] == (False, "春节")  # a Monday inside the range
    assert days[date(2027, 2, 14)] == (True, "春节调休上班")  # a Sunday made a working day
    assert days[date(2027, 10, 7)] == (False, "国庆节")
    assert days[date(2027, 3, 6)] == (False, "周末")
    assert days[date(2027, 3, 8)] == (True, "")
    assert sum(1 for w, _ in days.values() if w) == 261 - 1 - 5 - 5 + 2


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"year": "20x7"}, "year", "whole number"),
        ({"year": "1899"}, "year", "Between"),
        ({"year": "2027", "holidays": ""}, "holidays", "List the year"),
        ({"year": "2027", "holidays": "2026-10-01 国庆节"}, "holidays", "not in 2027"),
        ({"year": "2027", "holidays": "2027-02-30 春节"}, "holidays", "no such date"),
        ({"year": "2027", "holidays": "元旦 2027-01-01"}, "holidays", "cannot read"),
        ({"year": "2027", "holidays": "2027-02-11..2027-02-05 春节"}, "holidays", "ends before"),
        ({"year": "2027", "holidays": "2027-01-01..2027-03-01 x"}, "holidays", "at most 15"),
        (
            {"year": "2027", "holidays": "2027-01-01", "makeup_days": "2027-01-04"},
            "makeup_days",
            "weekday",
        ),
        (
            {"year": "2027", "holidays": "2027-02-06..2027-02-07", "makeup_days": "2027-02-06"},
            "makeup_days",
            "holiday too",
        ),
        (
            {"year": "2027", "holidays": "2027-01-01", "makeup_days": "2027-02-13..2027-02-14"},
            "makeup_days",
            "cannot read",
        ),
    ],
)
def test_a_badly_typed_year_is_refused_with_the_line_at_fault(app, data, field, message):
    with force_locale("en"), pytest.raises(ValidationFailed) as error:
        parse_year(data)
    assert message in error.value.fields[field]


# Recomputing open clocks --------------------------------------------------------------------


def test_entering_a_missing_year_recomputes_provisional_deadlines(make_case, org, at):
    at(2026, 12, 28, 9, 0)
    case = make_case("dispatch")
    handle = case.open_clock("handle")
    sign = case.open_clock("sign")
    # On plain weekdays: 29-31 December, then 1 January 2027 counts as a working day.
    assert handle.provisional and local(handle.due_at) == datetime(2027, 1, 18, 23, 59, 59)
    sign_due, sign_red = sign.due_at, sign.red_at

    change = enter_year(SCHEDULE_2027, org["users"]["admin"])
    db.session.commit()

    assert not handle.provisional
    assert local(handle.due_at) == datetime(2027, 1, 19, 23, 59, 59)  # 1 January is off now
    assert local(handle.red_at) == datetime(2027, 1, 26, 23, 59, 59)
    # The sign deadline (29 December) stays, but its red card moves past 1 January.
    assert sign.due_at == sign_due and sign.red_at > sign_red
    assert change.moved == 1 and change.cases == {case.id}
    [event] = recomputed(case)
    assert event.actor_id == org["users"]["admin"].id
    assert event.data["clock"] == "handle" and event.data["calendar_change"] == "2027"
    assert local(datetime.fromisoformat(event.data["new_due"])) == datetime(2027, 1, 19, 23, 59, 59)
    assert event.data["provisional"] is False


def test_changing_a_day_moves_open_deadlines_and_records_it(make_case, org, at):
    at(2026, 3, 2, 9, 0)
    moved = make_case("dispatch")
    signed = make_case("dispatch", "sign")  # the sign clock stopped on time
    urgent = make_case("dispatch", urgency="urgent")  # the sign clock runs in hours
    at(2026, 3, 4, 9, 0)
    later = make_case("dispatch")  # starts after the changed day: untouched
    assert due(moved, "handle") == datetime(2026, 3, 23, 23, 59, 59)
    sign_stopped = next(c for c in signed.clocks if c.kind == "sign")
    frozen = (sign_stopped.due_at, sign_stopped.late)
    hours_due = urgent.open_clock("sign").due_at
    later_due = later.open_clock("handle").due_at

    change = set_day(
        {"day": "2026-03-03", "kind": "off", "note": "停电停工"}, org["users"]["admin"]
    )
    db.session.commit()

    assert due(moved, "handle") == datetime(2026, 3, 24, 23, 59, 59)
    assert due(moved, "sign") == datetime(2026, 3, 4, 23, 59, 59)
    assert (sign_stopped.due_at, sign_stopped.late) == frozen
    assert urgent.open_clock("sign").due_at == hours_due
    assert later.open_clock("handle").due_at == later_due and not recomputed(later)
    assert {e.data["clock"] for e in recomputed(moved)} == {"sign", "handle"}
    assert change.cases == {moved.id, signed.id, urgent.id}  # their handle clocks moved
    row = db.session.get(CalendarDay, date(2026, 3, 3))
    assert (row.is_workday, row.note, row.source) == (False, "停电停工", "manual")
    assert row.changed_by == "郑管理 (admin)" and row.changed_at is not None


def test_a_change_that_changes_nothing_records_nothing(make_case, org, at):
    at(2026, 3, 2, 9, 0)
    case = make_case("dispatch")
    change = set_day({"day": "2026-03-03", "kind": "workday", "note": ""}, org["users"]["admin"])
    assert change.moved == 0 and not recomputed(case)


def test_a_day_of_a_year_without_data_cannot_be_edited_alone(app, org):
    with force_locale("en"), pytest.raises(ValidationFailed) as error:
        set_day({"day": "2031-05-06", "kind": "off", "note": ""})
    assert "enter the whole year first" in error.value.fields["day"]
    with pytest.raises(ValidationFailed):
        set_day({"day": "2026-13-01", "kind": "off"})
    with pytest.raises(ValidationFailed):
        set_day({"day": "2026-03-03", "kind": "holiday"})


# The alert -----------------------------------------------------------------------------------


def test_status_names_missing_years_and_provisional_clocks(make_case, org, at):
    assert calendar_status(datetime(2026, 6, 1, tzinfo=SHANGHAI)).missing_years == []
    # Within two months of the new year, next year's schedule is needed.
    assert calendar_status(datetime(2026, 11, 20, tzinfo=SHANGHAI)).missing_years == [2027]
    at(2026, 12, 28, 9, 0)
    make_case("dispatch")
    status = calendar_status(datetime(2026, 6, 1, tzinfo=SHANGHAI))
    assert status.missing_years == [2027] and status.provisional_clocks == 1
    enter_year(SCHEDULE_2027)
    db.session.commit()
    status = calendar_status(datetime(2026, 12, 28, tzinfo=SHANGHAI))
    assert not status.alert


def test_admins_see_a_persistent_alert_until_the_year_is_entered(client, org, monkeypatch):
    monkeypatch.setattr(
        "app.deadlines.calendar_admin.utcnow", lambda: datetime(2026, 12, 1, tzinfo=SHANGHAI)
    )
    login(client, "admin")
    for page in ("/admin/units", "/admin/routing", "/notifications"):
        html = client.get(page).get_data(as_text=True)
        assert 'id="calendar-alert"' in html and "2027" in html, page
    assert "/admin/calendar/enter?year=2027" in html
    response = client.post("/admin/calendar/enter", data=SCHEDULE_2027)
    assert response.status_code == 303
    assert 'id="calendar-alert"' not in client.get("/admin/units").get_data(as_text=True)


def test_other_roles_do_not_see_the_alert(client, org, monkeypatch):
    monkeypatch.setattr(
        "app.deadlines.calendar_admin.utcnow", lambda: datetime(2026, 12, 1, tzinfo=SHANGHAI)
    )
    login(client, "operator")
    assert 'id="calendar-alert"' not in client.get("/cases").get_data(as_text=True)


# The screens -----------------------------------------------------------------------------------


def test_year_view_marks_holidays_and_makeup_days(client, org):
    login(client, "admin")
    html = client.get("/admin/calendar?year=2026").get_data(as_text=True)
    assert 'class="day-makeup" data-day="2026-02-14"' in html
    assert 'class="day-holiday" data-day="2026-02-17"' in html
    assert 'class="day-off" data-day="2026-03-07"' in html
    assert 'class="day-workday" data-day="2026-03-09"' in html
    assert 'href="/admin/calendar/day/2026-03-09"' in html
    missing = client.get("/admin/calendar?year=2031").get_data(as_text=True)
    assert 'id="year-missing"' in missing and "/admin/calendar/day/" not in missing
    assert client.get("/admin/calendar?year=1066").status_code == 404


def tabs(html: str) -> list[tuple[str, str | None]]:
    """Return the year navigation's links as (text, aria-current)."""
    nav = parse(html).find("nav", id="calendar-years")
    return [(a.text.strip(), a.get("aria-current")) for a in nav.find_all("a")]


@pytest.mark.parametrize(
    ("year", "expected"),
    [
        # 2027 has no data yet: it is listed all the same, after the stored years.
        (2027, ["← 上一年", "2025", "2026", "2027", "下一年 →"]),
        (2026, ["← 上一年", "2025", "2026", "下一年 →"]),
        (2024, ["← 上一年", "2024", "2025", "2026", "下一年 →"]),
        (2000, ["2000", "2025", "2026", "下一年 →"]),
        (2100, ["← 上一年", "2025", "2026", "2100"]),
    ],
)
def test_year_tabs_list_each_year_once_and_mark_the_one_shown(client, org, year, expected):
    login(client, "admin")
    links = tabs(client.get(f"/admin/calendar?year={year}").get_data(as_text=True))
    assert [text for text, _current in links] == expected
    assert [text for text, current in links if current == "page"] == [str(year)]


def test_only_admins_reach_the_calendar(client, org):
    login(client, "operator")
    assert client.get("/admin/calendar").status_code == 403
    assert client.post("/admin/calendar/day/2026-03-03", data={"kind": "off"}).status_code == 403
    assert client.post("/admin/calendar/enter", data=SCHEDULE_2027).status_code == 403
    assert db.session.get(CalendarDay, date(2027, 1, 1)) is None


def test_editing_a_day_in_the_browser_recomputes_and_says_so(app, client, org, make_case, at):
    at(2026, 3, 2, 9, 0)
    case = make_case("dispatch")
    login(client, "admin")
    form = client.get("/admin/calendar/day/2026-03-03").get_data(as_text=True)
    assert 'name="kind"' in form
    assert "国务院放假安排" in form.split('id="day-source"')[1].split("</p>")[0]
    response = client.post(
        "/admin/calendar/day/2026-03-03",
        data={"kind": "off", "note": "停电停工"},
        follow_redirects=True,
    )
    assert response.status_code == 200
    said = "2026年3月3日已保存，已重新计算 1 件投诉的 2 个未结时限"
    assert said in response.get_data(as_text=True)
    db.session.expire_all()
    assert due(case, "handle") == datetime(2026, 3, 24, 23, 59, 59)
    operator = app.test_client()
    login(operator, "operator")
    html = operator.get(f"/cases/{case.id}").get_data(as_text=True)
    assert 'data-action="deadline_recomputed"' in html and "2026-03-24" in html


def test_bad_input_in_the_browser_stores_nothing(client, org):
    login(client, "admin")
    bad = dict(SCHEDULE_2027, makeup_days="2027-01-04 元旦")
    response = client.post("/admin/calendar/enter", data=bad)
    assert response.status_code == 422
    assert "2027-01-04" in response.get_data(as_text=True)
    assert db.session.get(CalendarDay, date(2027, 1, 1)) is None
    assert client.post("/admin/calendar/day/2026-03-03", data={"kind": "x"}).status_code == 422
    assert db.session.get(CalendarDay, date(2026, 3, 3)).is_workday
    assert client.get("/admin/calendar/day/not-a-day").status_code == 404
    assert client.get("/admin/calendar/day/2031-01-01").status_code == 404


def test_a_year_the_package_lacks_sends_the_admin_to_enter_it(client, org):
    login(client, "admin")
    response = client.post("/admin/calendar/import", data={"year": "2099"})
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/admin/calendar/enter?year=2099")
    assert client.post("/admin/calendar/import", data={"year": "x"}).status_code == 303
    assert (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(CalendarDay)
            .where(CalendarDay.day >= date(2099, 1, 1))
        )
        == 0
    )


def test_reloading_a_package_year_restores_an_edited_day(client, org):
    set_day({"day": "2026-03-03", "kind": "off", "note": "x"})
    db.session.commit()
    login(client, "admin")
    assert client.post("/admin/calendar/import", data={"year": "2026"}).status_code == 303
    db.session.expire_all()
    row = db.session.get(CalendarDay, date(2026, 3, 3))
    assert row.is_workday and row.source == "chinesecalendar"


def stored(day: date) -> tuple[bool, str]:
    db.session.expire_all()
    row = db.session.get(CalendarDay, day)
    return row.is_workday, row.source


def reposted(response) -> dict[str, str]:
    """Return what the confirmation page's "确定" posts, having checked it asks again."""
    form = parse(response.get_data(as_text=True)).find("form", class_="confirm-buttons")
    assert value_of(form, "confirmed") == "1"
    return {n.get("name"): n.get("value") for n in form.find_all("input") if n.get("name")}


def test_saving_a_stored_year_asks_first_and_keeps_what_was_typed(client, org):
    login(client, "admin")
    root = parse(client.get("/admin/calendar/enter?year=2026").get_data(as_text=True))
    form = root.find("form", id="calendar-enter-form")
    assert "2026" in form.get("data-confirm") and "现存的 365 天" in form.get("data-confirm")
    assert value_of(form, "confirmed") == ""
    assert "readonly" in root.find("input", id="year").attrs  # the year asked about is saved

    response = client.post("/admin/calendar/enter", data={**SCHEDULE_2026, "confirmed": ""})
    assert response.status_code == 200
    asked = parse(response.get_data(as_text=True)).find("p", id="confirm-question").text
    assert "替换 2026 年的工作日历" in asked and "所录入的放假安排" in asked and "365 天" in asked
    assert stored(date(2026, 2, 17)) == (False, "chinesecalendar")  # nothing changed yet
    again = reposted(response)
    assert {k: again[k] for k in SCHEDULE_2026} == SCHEDULE_2026

    response = client.post("/admin/calendar/enter", data=again)
    assert response.status_code == 303
    # The list typed in holds no Spring Festival: the whole year was replaced by it.
    assert stored(date(2026, 2, 17)) == (True, "manual")
    assert stored(date(2026, 10, 10)) == (True, "manual")


def test_entering_a_year_not_stored_asks_nothing(client, org):
    login(client, "admin")
    root = parse(client.get("/admin/calendar/enter?year=2027").get_data(as_text=True))
    assert root.find("form", id="calendar-enter-form").get("data-confirm") is None
    response = client.post("/admin/calendar/enter", data={**SCHEDULE_2027, "confirmed": ""})
    assert response.status_code == 303
    assert stored(date(2027, 2, 14)) == (True, "manual")


def test_reloading_a_year_asks_first_naming_the_days_changed_by_hand(client, org):
    set_day({"day": "2026-03-03", "kind": "off", "note": "停电停工"})
    db.session.commit()
    login(client, "admin")
    root = parse(client.get("/admin/calendar?year=2026").get_data(as_text=True))
    question = form_for(root, "/admin/calendar/import").get("data-confirm")
    assert "重新导入 2026 年" in question and "365 天" in question and "1 天" in question

    response = client.post("/admin/calendar/import", data={"year": "2026", "confirmed": ""})
    assert response.status_code == 200
    asked = parse(response.get_data(as_text=True)).find("p", id="confirm-question").text
    assert asked == question
    assert stored(date(2026, 3, 3)) == (False, "manual")

    response = client.post("/admin/calendar/import", data=reposted(response))
    assert response.status_code == 303
    assert stored(date(2026, 3, 3)) == (True, "chinesecalendar")


# The command line -------------------------------------------------------------------------


def test_cli_enters_a_year_and_refuses_bad_files(app, org, tmp_path, make_case, at):
    at(2026, 12, 28, 9, 0)
    case = make_case("dispatch")
    holidays = tmp_path / "h.txt"
    makeup = tmp_path / "m.txt"
    holidays.write_text(SCHEDULE_2027["holidays"], encoding="utf-8")
    makeup.write_text("2027-01-05 元旦\n", encoding="utf-8")  # a Tuesday
    runner = app.test_cli_runner()
    args = ["calendar", "enter", "2027", "--holidays", str(holidays), "--makeup", str(makeup)]
    result = runner.invoke(args=args)
    assert result.exit_code != 0 and "2027-01-05" in result.output
    assert db.session.get(CalendarDay, date(2027, 1, 1)) is None
    makeup.write_text(SCHEDULE_2027["makeup_days"], encoding="utf-8")
    result = runner.invoke(args=args)
    assert result.exit_code == 0, result.output
    assert "2027: 252 working days; 1 open deadlines recomputed on 1 cases" in result.output
    db.session.expire_all()
    assert not case.open_clock("handle").provisional
    assert db.session.get(CalendarDay, date(2027, 2, 14)).changed_by == "command line"
    result = runner.invoke(args=["calendar", "import", "2099"])
    assert result.exit_code != 0 and "flask calendar enter 2099" in result.output
    assert (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Event)
            .where(Event.action == "deadline_recomputed")
        )
        == 1
    )
