"""The public form in a real browser: errors keep the input, the receipt, a phone's header."""

import itertools

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.walk import sign_in

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 740}


def fill_complaint(page: Page, *, title: str = "窗口办事推诿") -> None:
    page.fill("#name", "黄忠")
    page.fill("#phone", "13655556666")
    page.fill("#email", "huangzhong@example.net")
    page.fill("#respondent_unit_code-filter", "zwfw")
    page.select_option("#category_code", "buck_passing")
    page.fill("#title", title)
    page.fill("#content", "周三上午在综合窗口办理营业执照变更，被要求去三个窗口来回跑。")


def test_a_form_with_an_error_keeps_everything_typed(page: Page, live_server: str):
    page.goto(f"{live_server}/public/complaints/new")
    expect(page.locator(".field.required > label:not(.visually-hidden)")).to_have_count(
        5
    )  # the * marks
    fill_complaint(page, title="")
    page.click("#public-submit")
    expect(page.locator("#form-errors")).to_contain_text("有 1 项需要修改")
    # One message, beside the field that was left empty.
    expect(page.locator(".field .error")).to_have_count(1)
    title = page.locator(".field.has-error")
    expect(title.locator("#title")).to_have_count(1)
    expect(title.locator(".error")).to_have_text("此项为必填项。")
    # Everything else is still there.
    expect(page.locator("#name")).to_have_value("黄忠")
    expect(page.locator("#phone")).to_have_value("13655556666")
    expect(page.locator("#email")).to_have_value("huangzhong@example.net")
    expect(page.locator("#respondent_unit_code")).to_have_value("CC-ZWFW")
    expect(page.locator("#category_code")).to_have_value("buck_passing")
    expect(page.locator("#content")).to_have_value(
        "周三上午在综合窗口办理营业执照变更，被要求去三个窗口来回跑。"
    )
    page.fill("#title", "窗口办事推诿")
    page.click("#public-submit")
    expect(page.locator("#receipt-code")).to_be_visible()


def test_the_tracking_code_can_be_copied_printed_and_shown_again(page: Page, live_server: str):
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server)
    page.goto(f"{live_server}/public/complaints/new")
    fill_complaint(page)
    page.click("#public-submit")
    code = page.locator("#receipt-code").input_value()
    number = page.locator("#receipt-number").input_value()
    assert len(code) == 12
    expect(page.locator("#receipt-sent")).to_contain_text("h***@example.net")

    page.click("#copy-code")
    expect(page.locator("#copy-status")).to_have_text("已复制")
    assert page.evaluate("navigator.clipboard.readText()") == code

    page.evaluate("window.print = () => { window.printed = true; }")
    page.click("#print-receipt")
    assert page.evaluate("window.printed") is True

    # Later in the same browser session: the progress page leads back to the receipt.
    page.goto(f"{live_server}/public/track")
    page.locator("#session-receipts").get_by_role("link", name=number).click()
    expect(page.locator("#receipt-code")).to_have_value(code)
    page.goto(f"{live_server}/public/track")
    page.fill("#code", code)
    page.click("#track-submit")
    expect(page.locator("#progress")).to_contain_text(number)


def header_layout(page: Page) -> dict:
    """Measure the header: its box; each link's box, line height and lines of text; the page."""
    return page.evaluate(
        """() => {
          const header = document.querySelector('header.topbar').getBoundingClientRect();
          const items = [...document.querySelectorAll(
              'header.topbar a, header.topbar .who, header.topbar button')].map(el => {
            const box = el.getBoundingClientRect();
            const range = document.createRange();
            range.selectNodeContents(el);
            const lines = new Set([...range.getClientRects()].map(r => Math.round(r.bottom)));
            return {text: el.textContent.trim(), lines: lines.size, height: box.height,
                    line: parseFloat(getComputedStyle(el).lineHeight),
                    left: box.left, right: box.right, top: box.top};
          });
          return {height: header.height, width: header.width, items: items,
                  pageWidth: document.documentElement.scrollWidth};
        }"""
    )


def test_the_public_header_fits_a_phone(page: Page, live_server: str):
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server}/public/complaints/new")
    layout = header_layout(page)
    assert layout["pageWidth"] <= PHONE["width"]
    for item in layout["items"]:
        # One line each: nothing breaks inside a link, nothing sticks out of the screen.
        assert item["lines"] == 1 and item["height"] < 1.5 * item["line"], item
        assert item["left"] >= 0 and item["right"] <= PHONE["width"], item
    # The brand and the language share the first row, the two links the second: two rows.
    tops = sorted(item["top"] for item in layout["items"])
    rows = 1 + sum(1 for above, below in itertools.pairwise(tops) if below - above > 10)
    assert rows == 2, layout
    line = layout["items"][0]["line"]
    assert layout["height"] < 2 * line + 40, layout


def test_a_staff_header_keeps_each_link_on_one_line_on_a_phone(page: Page, live_server: str):
    page.set_viewport_size(PHONE)
    sign_in(page, live_server, "operator")
    page.goto(f"{live_server}/cases")
    layout = header_layout(page)
    assert layout["pageWidth"] <= PHONE["width"]
    for item in layout["items"]:
        # Each link on one line and on the screen: the rows wrap, nothing scrolls away.
        assert item["lines"] == 1, item
        assert item["left"] >= 0 and item["right"] <= PHONE["width"], item
    expect(page.locator("#nav-triage")).to_be_in_viewport()
    expect(page.get_by_role("button", name="退出")).to_be_in_viewport()
