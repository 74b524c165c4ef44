"""The discipline office signs and handles a 吃拿卡要 case routed to it, in a real browser."""

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.walk import (
    act,
    log_call,
    open_action,
    open_hotline,
    sign_in,
    sign_out,
    unit_answers,
)

pytestmark = pytest.mark.browser


def test_the_discipline_office_signs_and_handles_a_bribery_case(page: Page, live_server: str):
    sign_in(page, live_server, "operator")
    open_hotline(page)
    case_url, number = log_call(
        page,
        phone="13922223333",
        name="韩梅",
        respondent_unit_code="CC-ZJJ",
        category_code="bribery",
        urgency="urgent",
        title="办证窗口暗示送礼",
        content="办理施工许可时，窗口人员暗示要送购物卡才给加快办理。",
    )

    # The router sends 吃拿卡要 to the discipline office, where someone can sign: no warning.
    dispatch = open_action(page, "dispatch")
    unit = dispatch.locator("select[name=unit_code]")
    expect(unit).to_have_value("CC-JW")
    expect(page.locator("#routing-suggestion")).to_be_visible()
    warning = page.locator("#no-signer-warning")
    expect(warning).to_be_hidden()
    # Choosing a unit where nobody can sign shows the warning before anything is sent.
    unit.select_option("CC-SQX")
    expect(warning).to_be_visible()
    expect(warning).to_contain_text("无人可签收")
    # Sent anyway, the server asks for the box that says so, beside it.
    act(page, "dispatch")
    box = page.locator("#action-dispatch input[name=confirm_no_signer]")
    expect(box).to_be_visible()
    asked = page.locator(
        "#action-dispatch .field.has-error", has=page.locator("input[name=confirm_no_signer]")
    )
    expect(asked).to_contain_text("该单位无人可签收，仍要派发？")
    expect(page.locator("#case-state")).to_have_attribute("data-state", "screening")
    # Back to a unit where someone signs: the warning and the box go away together.
    unit.select_option("CC-JW")
    expect(warning).to_be_hidden()
    expect(box).to_be_hidden()
    act(page, "dispatch")
    expect(page.locator("#case-state")).to_have_attribute("data-state", "dispatched")
    sign_out(page)

    sign_in(page, live_server, "inspector")
    page.goto(case_url)
    expect(page.locator("#actions")).to_have_count(0)  # the inspector watches, never signs
    sign_out(page)

    unit_answers(
        page,
        live_server,
        (case_url, number),
        handler="jw_handler",
        lead="jw_lead",
        masked="139****3333",
        reply="经查属实，已对涉事人员立案审查。",
        excerpt="立案审查",
    )
