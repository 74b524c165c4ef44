"""The public form, receipt and progress page, and a hotline merge, in a real browser."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.walk import sign_in

pytestmark = pytest.mark.browser


def test_citizen_files_and_follows_a_complaint(page: Page, live_server: str, tmp_path):
    photo = tmp_path / "证据.png"
    photo.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
    page.goto(f"{live_server}/public/complaints/new")
    expect(page.locator("h1")).to_have_text("机关效能投诉")
    page.fill("#name", "关羽")
    page.fill("#phone", "13611112222")
    # The unit picker filters by pinyin initials: 政务服务中心 -> zwfw.
    page.fill("#respondent_unit_code-filter", "zwfw")
    expect(page.locator("#respondent_unit_code")).to_have_value("CC-ZWFW")
    page.select_option("#category_code", "attitude")
    hostile = "<script>alert('x')</script><img src=x onerror=alert(1)>"
    page.fill("#title", "窗口人员推诿")
    page.fill("#content", f"工作人员说不归他管。{hostile}")
    page.set_input_files("#attachments", str(photo))
    page.on("dialog", lambda dialog: pytest.fail("a script from the complaint ran"))
    page.click("#public-submit")
    number = page.locator("#receipt-number").input_value()
    code = page.locator("#receipt-code").input_value()
    assert re.fullmatch(r"CC\d{4}-\d{6}", number) and len(code) == 12

    page.goto(f"{live_server}/public/track")
    page.fill("#code", code.lower())
    page.click("#track-submit")
    expect(page.locator("#progress")).to_contain_text(number)
    expect(page.locator("#progress-state")).to_have_text("已收到，等待受理")
    expect(page.locator("#progress-timeline li")).to_have_count(1)

    sign_in(page, live_server, "operator")
    page.goto(f"{live_server}/cases?channel=web")
    page.get_by_role("link", name=number).click()
    expect(page.locator("#case-content")).to_contain_text(hostile)  # shown as text
    expect(page.locator("#attachments")).to_contain_text("证据.png")


def test_operator_merges_a_repeat_call_in_one_click(page: Page, live_server: str):
    sign_in(page, live_server, "operator")
    page.goto(f"{live_server}/intake/hotline", wait_until="load")
    page.fill("#phone", "13800005555")  # 张伟's open demo case about social security
    expect(page.locator("#duplicates")).to_contain_text("社保转移接续被推诿")
    page.fill("#name", "张伟")
    page.select_option("#respondent_unit_code", "CC-RSJ")
    page.select_option("#category_code", "buck_passing")
    page.fill("#title", "社保转移还是没办")
    page.fill("#content", "再次来电催问。")
    page.locator("#duplicates .merge-button").first.click()
    expect(page.locator("#confirm-dialog")).to_contain_text("不可撤销")  # merging asks first
    page.click("#confirm-ok")
    expect(page.locator(".flash.success")).to_contain_text("并")
    expect(page.locator("#timeline li[data-action=merged_in]")).to_have_count(1)
