"""Working-day arithmetic on the 2026 official calendar (次日起算, end of the Nth day)."""

from datetime import UTC, date, datetime, timedelta

import pytest

from app.deadlines.services import chinesecalendar_year
from app.deadlines.workdays import SHANGHAI, WorkCalendar, add_hours, add_workdays, to_local


@pytest.fixture(scope="module")
def cal2026() -> WorkCalendar:
    days = {**chinesecalendar_year(2025), **chinesecalendar_year(2026)}
    return WorkCalendar(days, covered_years={2025, 2026})


def sh(*args) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


def due_local(deadline) -> datetime:
    return to_local(deadline.due_at)


def test_one_working_day_from_friday_before_spring_festival_is_makeup_saturday(cal2026):
    deadline = add_workdays(sh(2026, 2, 13, 10, 0), 1, cal2026)
    assert due_local(deadline) == sh(2026, 2, 14, 23, 59, 59)
    assert deadline.makeup == [date(2026, 2, 14)]
    assert not deadline.provisional


def test_fifteen_working_days_across_spring_festival(cal2026):
    deadline = add_workdays(sh(2026, 2, 13, 10, 0), 15, cal2026)
    assert due_local(deadline) == sh(2026, 3, 12, 23, 59, 59)
    assert date(2026, 2, 28) in deadline.makeup
    skipped = {info.day for info in deadline.skipped}
    assert {date(2026, 2, 16), date(2026, 2, 17), date(2026, 2, 23)} <= skipped
    assert all(info.note for info in deadline.skipped)


def test_counting_starts_the_next_day_even_late_at_night(cal2026):
    # Dispatched 23:30 on Monday 9 March: day 1 is Tuesday 10 March.
    assert due_local(add_workdays(sh(2026, 3, 9, 23, 30), 1, cal2026)) == sh(
        2026, 3, 10, 23, 59, 59
    )


def test_local_date_decides_not_utc_date(cal2026):
    # 2026-03-09 17:00 UTC is already Tuesday 01:00 in Shanghai.
    start = datetime(2026, 3, 9, 17, 0, tzinfo=UTC)
    assert due_local(add_workdays(start, 1, cal2026)) == sh(2026, 3, 11, 23, 59, 59)


def test_national_day_holiday_and_its_makeup_days(cal2026):
    # 2026 National Day: 1-7 October off; Sunday 20 September and Saturday 10 October work.
    deadline = add_workdays(sh(2026, 9, 30, 9, 0), 1, cal2026)
    assert due_local(deadline) == sh(2026, 10, 8, 23, 59, 59)
    deadline = add_workdays(sh(2026, 10, 8, 9, 0), 2, cal2026)
    assert due_local(deadline) == sh(2026, 10, 10, 23, 59, 59)
    assert deadline.makeup == [date(2026, 10, 10)]
    deadline = add_workdays(sh(2026, 9, 18, 9, 0), 1, cal2026)
    assert due_local(deadline) == sh(2026, 9, 20, 23, 59, 59)


def test_plain_weekend_is_skipped(cal2026):
    deadline = add_workdays(sh(2026, 3, 13, 9, 0), 1, cal2026)
    assert due_local(deadline) == sh(2026, 3, 16, 23, 59, 59)
    assert [i.day for i in deadline.skipped] == [date(2026, 3, 14), date(2026, 3, 15)]


def test_year_without_data_gives_provisional_weekday_deadline(cal2026):
    deadline = add_workdays(sh(2026, 12, 29, 9, 0), 5, cal2026)
    # 30, 31 Dec 2026 (known), then 1 Jan 2027 is a Friday counted as a plain weekday.
    assert deadline.provisional
    assert due_local(deadline) == sh(2027, 1, 5, 23, 59, 59)


def test_deadline_inside_known_year_is_not_provisional(cal2026):
    assert not add_workdays(sh(2026, 12, 1, 9, 0), 15, cal2026).provisional


def test_hour_limits_run_on_elapsed_time():
    start = sh(2026, 2, 14, 22, 30)
    deadline = add_hours(start, 2)
    assert deadline.due_at == start.astimezone(UTC) + timedelta(hours=2)
    assert not deadline.provisional


@pytest.mark.parametrize("n", [0, -3])
def test_non_positive_limits_are_refused(cal2026, n):
    with pytest.raises(ValueError):
        add_workdays(sh(2026, 3, 2, 9, 0), n, cal2026)


def test_naive_start_is_refused(cal2026):
    with pytest.raises(ValueError):
        add_workdays(datetime(2026, 3, 2, 9, 0), 1, cal2026)
