"""The golden path in a real browser: operator and unit users walk a case to closed."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.walk import (
    act,
    log_call,
    open_hotline,
    sign_in,
    sign_out,
    unit_answers,
)

pytestmark = pytest.mark.browser


def test_golden_path_through_the_ui(page: Page, live_server: str):
    sign_in(page, live_server, "operator")
    open_hotline(page)
    expect(page.locator("h1")).to_have_text("热线受理")
    # The caller's earlier cases show up as the number is typed.
    page.fill("#phone", "13800004444")
    expect(page.locator("#earlier-cases")).to_contain_text("失业保险金")
    case_url, number = log_call(
        page,
        phone="13911112222",
        name="周八",
        call_reference="CALL-E2E-1",
        respondent_unit_code="CC-RSJ",
        category_code="time_limit",
        title="养老保险转移一直没办好",
        content="三个月前提交养老保险转移申请，至今未办结。",
    )
    assert re.fullmatch(r"CC\d{4}-\d{6}", number)

    act(page, "dispatch")
    expect(page.locator("#case-state")).to_have_attribute("data-state", "dispatched")
    expect(page.locator("#clocks tr[data-kind=handle]")).to_be_visible()
    sign_out(page)

    unit_answers(
        page,
        live_server,
        (case_url, number),
        handler="handler",
        lead="unit_lead",
        masked="139****2222",
        reply="经核查属实，已于本周内办结转移手续。",
        excerpt="经核查属实",
    )
    page.locator("#action-visit input[value=satisfied]").check()
    page.locator("#action-visit input[value=yes]").check()
    act(page, "visit")
    expect(page.locator("#case-state")).to_have_attribute("data-state", "closed")
    expect(page.locator("#case-state")).to_have_text("办结")
    expect(page.locator("#timeline li")).to_have_count(8)
    expect(page.locator("#complainant-phone")).to_have_text("13911112222")
