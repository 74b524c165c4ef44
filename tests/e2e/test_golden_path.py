"""The golden path in a real browser: operator and unit users walk a case to closed."""

import re

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser


def sign_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/login")
    page.fill("#username", username)
    page.fill("#password", "demo1234")
    page.click("#login-submit")
    expect(page.locator("#login-submit")).to_have_count(0)  # signed in, whatever the role


def sign_out(page: Page) -> None:
    page.get_by_role("button", name="退出").click()
    expect(page.locator("#login-submit")).to_be_visible()


def open_action(page: Page, action: str):
    details = page.locator(f"#action-{action}")
    if details.get_attribute("open") is None:
        details.locator("summary").click()
    return details


def act(page: Page, action: str) -> None:
    open_action(page, action).locator(f"button[name=submit-{action}]").click()


def test_golden_path_through_the_ui(page: Page, live_server: str):
    sign_in(page, live_server, "operator")
    page.click("#nav-hotline")
    page.wait_for_load_state("load")  # the form's script is attached once the page has loaded
    expect(page.locator("h1")).to_have_text("热线受理")
    # The caller's earlier cases show up as the number is typed.
    page.fill("#phone", "13800004444")
    expect(page.locator("#earlier-cases")).to_contain_text("失业保险金")
    page.fill("#phone", "13911112222")
    page.fill("#name", "周八")
    page.fill("#call_reference", "CALL-E2E-1")
    page.select_option("#respondent_unit_code", "CC-RSJ")
    page.select_option("#category_code", "time_limit")
    page.fill("#title", "养老保险转移一直没办好")
    page.fill("#content", "三个月前提交养老保险转移申请，至今未办结。")
    page.click("#hotline-submit")
    expect(page.locator("#case-state")).to_have_attribute("data-state", "screening")
    case_url = page.url
    number = page.locator("#case-number").inner_text()
    assert re.fullmatch(r"CC\d{4}-\d{6}", number)

    act(page, "dispatch")
    expect(page.locator("#case-state")).to_have_attribute("data-state", "dispatched")
    expect(page.locator("#clocks tr[data-kind=handle]")).to_be_visible()
    sign_out(page)

    sign_in(page, live_server, "handler")
    expect(page.locator("#worklist")).to_contain_text(number)
    page.goto(case_url)
    expect(page.locator("#complainant-phone")).to_have_text("139****2222")
    act(page, "sign")
    expect(page.locator("#case-state")).to_have_attribute("data-state", "handling")
    reply = open_action(page, "reply")
    reply.locator("input[value=substantiated]").check()
    reply.locator("textarea[name=text]").fill("经核查属实，已于本周内办结转移手续。")
    act(page, "reply")
    # A handler's reply waits for the unit lead's sign-off before it reaches the center.
    expect(page.locator("#case-state")).to_have_attribute("data-state", "handling")
    sign_out(page)

    sign_in(page, live_server, "unit_lead")
    page.goto(case_url)
    expect(page.locator(".pending-reply")).to_contain_text("经核查属实")
    open_action(page, "sign_off").locator("input[value=approve]").check()
    act(page, "sign_off")
    expect(page.locator("#case-state")).to_have_attribute("data-state", "replied")
    sign_out(page)

    sign_in(page, live_server, "operator")
    page.goto(case_url)
    page.locator("#action-review input[value=pass]").check()
    act(page, "review")
    expect(page.locator("#case-state")).to_have_attribute("data-state", "visiting")
    page.locator("#action-visit input[value=satisfied]").check()
    page.locator("#action-visit input[value=yes]").check()
    act(page, "visit")
    expect(page.locator("#case-state")).to_have_attribute("data-state", "closed")
    expect(page.locator("#case-state")).to_have_text("办结")
    expect(page.locator("#timeline li")).to_have_count(8)
    expect(page.locator("#complainant-phone")).to_have_text("13911112222")
