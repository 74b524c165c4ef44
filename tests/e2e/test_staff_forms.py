"""Staff forms in a real browser: a refused form keeps what was typed; merging asks first."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.walk import act, log_call, open_action, sign_in

pytestmark = pytest.mark.browser

LONG_REPLY = "经核查，" + "窗口人员未按一次性告知要求说明所需材料，" * 30


def open_case(page: Page, base: str, title: str) -> None:
    page.goto(f"{base}/cases?state=all&q={title}")
    page.locator("main a", has_text=re.compile(r"^CC\d{4}-\d{6}$")).first.click()
    expect(page.locator("h1")).to_contain_text(title)


def register_call(page: Page, base: str, phone: str, title: str) -> str:
    page.goto(f"{base}/intake/hotline")
    page.wait_for_load_state("load")
    _url, number = log_call(
        page,
        phone=phone,
        name="测试来电人",
        respondent_unit_code="CC-ZJJ",
        category_code="attitude",
        title=title,
        content=f"{title}，请核查。",
    )
    return number


def test_a_reply_without_a_finding_keeps_its_text(page: Page, live_server: str):
    sign_in(page, live_server, "handler")
    open_case(page, live_server, "就业困难人员认定迟迟不办")
    reply = open_action(page, "reply")
    reply.locator("textarea[name=text]").fill(LONG_REPLY)
    act(page, "reply")  # no finding chosen

    expect(page.locator("#case-state")).to_have_attribute("data-state", "handling")
    expect(page.locator("#reply-text")).to_have_value(LONG_REPLY)
    expect(page.locator("#action-reply")).to_have_attribute("open", "")
    error = page.locator("#reply-finding-error")
    expect(error).to_have_text("此项为必填项。")
    group = page.locator("#reply-finding")
    expect(group).to_have_attribute("aria-describedby", "reply-finding-error")
    expect(page.locator("#reply-finding-0")).to_have_attribute("aria-invalid", "true")
    # Chosen now, it goes through with the text that was kept.
    page.locator("#reply-finding-0").check()
    act(page, "reply")
    expect(page.locator(".flash.success")).to_be_visible()
    expect(page.locator("#timeline li[data-action=reply]")).to_have_count(1)


def test_merging_asks_first(page: Page, live_server: str):
    sign_in(page, live_server, "operator")
    original = register_call(page, live_server, "13700001234", "住建局窗口推诿（原件）")
    duplicate = register_call(page, live_server, "13700005678", "住建局窗口推诿（重复）")
    case_url = page.url
    dialog = page.locator("#confirm-dialog")
    # Nothing to merge into yet: no question, the message beside the empty field.
    act(page, "merge")
    expect(page.locator("#action-merge .field.has-error")).to_contain_text("此项为必填项")
    expect(dialog).to_be_hidden()
    expect(page.locator("#case-state")).to_have_attribute("data-state", "screening")
    page.goto(case_url)
    merge = open_action(page, "merge")
    merge.locator("input[name=case_number]").fill(original)

    act(page, "merge")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text(
        f"合并后本件（{duplicate}）将关闭并并入 {original}，不可撤销。确定合并？"
    )
    page.click("#confirm-cancel")
    expect(dialog).to_be_hidden()
    assert page.url == case_url
    expect(page.locator("#case-state")).to_have_attribute("data-state", "screening")
    page.reload()
    expect(page.locator("#case-state")).to_have_attribute("data-state", "screening")
    expect(page.locator("#timeline li[data-action=merge]")).to_have_count(0)

    merge = open_action(page, "merge")
    merge.locator("input[name=case_number]").fill(original)
    act(page, "merge")
    expect(dialog).to_be_visible()
    page.click("#confirm-ok")
    expect(page.locator("#case-state")).to_have_attribute("data-state", "merged")
    expect(page.locator("#timeline li[data-action=merge]")).to_have_count(1)


def test_the_letter_form_moves_on_with_enter_and_points_at_what_is_missing(page, live_server):
    sign_in(page, live_server, "operator")
    page.goto(f"{live_server}/intake/letter")
    page.wait_for_load_state("load")
    page.fill("#name", "孙来信")
    page.keyboard.press("Enter")  # ends the field: nothing is registered half-typed
    expect(page.locator("#phone")).to_be_focused()
    page.keyboard.type("0571-8888 6666")
    page.keyboard.press("Enter")
    expect(page.locator("#address")).to_be_focused()
    assert page.url.endswith("/intake/letter")
    page.select_option("#respondent_unit_code", "CC-RSJ")
    page.select_option("#category_code", "time_limit")
    page.fill("#content", "第一行。")
    page.locator("#content").press("Enter")  # a new line in the letter's text
    page.keyboard.type("第二行。")
    page.click("#letter-submit")  # no title: refused
    expect(page.locator("#title")).to_be_focused()  # the cursor waits where the message is
    expect(page.locator("#title-error")).to_have_text("此项为必填项。")
    expect(page.locator("#name")).to_have_value("孙来信")
    expect(page.locator("#phone")).to_have_value("0571-8888 6666")
    expect(page.locator("#content")).to_have_value("第一行。\n第二行。")
