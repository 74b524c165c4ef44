"""In a real browser: the admin enters next year's calendar; the center reads the card board."""

from datetime import datetime

import pytest
from playwright.sync_api import Page, expect

from app.deadlines.workdays import SHANGHAI
from tests.e2e.walk import sign_in

pytestmark = pytest.mark.browser


def test_admin_enters_a_missing_year_from_the_alert(page: Page, live_server: str, monkeypatch):
    # December: next year's schedule is needed and the package does not have it.
    monkeypatch.setattr(
        "app.deadlines.calendar_admin.utcnow", lambda: datetime(2026, 12, 1, tzinfo=SHANGHAI)
    )
    sign_in(page, live_server, "admin")
    alert = page.locator("#calendar-alert")
    expect(alert).to_contain_text("2027")
    page.click("#calendar-alert-link")
    expect(page.locator("#year")).to_have_value("2027")
    page.fill("#holidays", "2027-01-01 元旦\n2027-02-05..2027-02-11 春节")
    page.fill("#makeup_days", "2027-03-01 春节")  # a Monday: refused, nothing stored
    page.click("#calendar-save")
    expect(page.locator("#makeup_days")).to_be_visible()
    expect(page.locator("body")).to_contain_text("只有周末才需调休上班")
    page.fill("#makeup_days", "2027-02-14 春节")
    page.click("#calendar-save")
    expect(page.locator(".flash.success")).to_contain_text("2027")
    expect(page.locator('td[data-day="2027-02-14"]')).to_have_class("day-makeup")
    expect(page.locator('td[data-day="2027-02-08"]')).to_have_class("day-holiday")
    expect(page.locator("#calendar-alert")).to_have_count(0)
    # One day changed by hand.
    page.click('td[data-day="2027-03-03"] a')
    page.select_option("#kind", "off")
    page.fill("#note", "防汛停工")
    page.click("#day-save")
    expect(page.locator('td[data-day="2027-03-03"]')).to_have_class("day-holiday")


def test_center_reads_the_card_board(page: Page, live_server: str):
    sign_in(page, live_server, "operator")
    page.click("#nav-board")
    expect(page.locator("h1")).to_have_text("电子监察看板")
    red = page.locator('#board tr[data-level="red"]')
    expect(red.first).to_be_visible()
    expect(page.locator("#board")).to_contain_text("澄效督〔")
    page.click("#level-red")
    expect(page.locator('#board tr[data-level="yellow"]')).to_have_count(0)
    number = red.first.get_attribute("data-case")
    red.first.locator("a").first.click()
    expect(page.locator("body")).to_contain_text(number)
    expect(page.locator(".card-red").first).to_be_visible()
