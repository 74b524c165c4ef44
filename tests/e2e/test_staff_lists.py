"""Staff lists in a real browser: an operator names the person on a call from the unit's
list; the admin imports a list and confirms a name typed at intake."""

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.walk import open_hotline, sign_in, sign_out

pytestmark = pytest.mark.browser


def fill_call(page: Page, title: str, unit: str) -> None:
    page.fill("#phone", "13900001111")
    page.fill("#name", "测试来电人")
    page.select_option("#respondent_unit_code", unit)
    page.select_option("#category_code", "attitude")
    page.fill("#title", title)
    page.fill("#content", f"{title}，请核查。")


def test_an_operator_picks_a_staff_member_of_the_unit_chosen(page: Page, live_server: str):
    sign_in(page, live_server, "operator")
    open_hotline(page)
    fill_call(page, "社保窗口股长推诿", "CC-RSJ")
    picker = page.locator("#respondent_staff_ids")
    # Only the people of the unit chosen are offered.
    expect(picker.locator("option", has_text="王某某")).to_be_enabled()
    expect(picker.locator("option", has_text="张某某")).to_be_disabled()
    picker.select_option(label="王某某（就业和失业保险股股长）")
    page.click("#hotline-submit")
    expect(page.locator("#case-state")).to_have_attribute("data-state", "screening")
    expect(page.locator("#case-staff")).to_have_text("王某某（就业和失业保险股股长）")
    expect(page.locator("#timeline li[data-action=name_staff]")).to_have_count(1)

    # Another unit chosen: its people instead, and the pick made for the first is dropped.
    open_hotline(page)
    fill_call(page, "村委会主任不作为", "CC-RSJ")
    picker.select_option(label="王某某（就业和失业保险股股长）")
    page.select_option("#respondent_unit_code", "CC-SQX-LC")
    expect(picker.locator("option", has_text="郑某某")).to_be_enabled()
    expect(picker.locator("option", has_text="王某某")).to_be_disabled()
    page.click("#hotline-submit")
    expect(page.locator("#case-state")).to_have_attribute("data-state", "screening")
    expect(page.locator("#case-staff")).to_have_count(0)


def test_admin_imports_a_list_and_confirms_a_name_typed_at_intake(
    page: Page, live_server: str, tmp_path
):
    sign_in(page, live_server, "operator")
    open_hotline(page)
    fill_call(page, "导办员态度差", "CC-ZWFW")
    page.fill("#new_staff_name", "卫导办")
    page.fill("#new_staff_post", "导办员")
    page.click("#hotline-submit")
    expect(page.locator("#case-staff")).to_contain_text("卫导办（导办员）")
    expect(page.locator("#case-staff")).to_contain_text("待确认")
    sign_out(page)

    sign_in(page, live_server, "admin")
    page.click("#nav-admin")
    page.click("#nav-staff")
    page.click("#import-staff")
    csv = tmp_path / "名单.csv"
    csv.write_text(
        "单位编码,姓名,职务,在职\nCC-ZWFW,蒋某某,综合窗口科员,是\nCC-ZWFW,张某某,三号窗口工作人员,是\n",
        encoding="utf-8",
    )
    page.set_input_files("#file", str(csv))
    page.click("#staff-import-preview")
    expect(page.locator("#import-summary")).to_have_text("新增1人，变更0人，1人已在名单中。")
    expect(page.locator("#import-add")).to_contain_text("蒋某某")
    page.click("#import-apply")
    expect(page.locator(".flash.success")).to_contain_text("新增1人")
    page.fill("#staff-q", "蒋某某")
    page.click("#staff-filters button[type=submit]")
    expect(page.locator("#staff tbody tr")).to_have_count(1)

    page.click("#pending-staff")
    row = page.locator("#pending tr", has_text="卫导办")
    expect(row).to_contain_text("政务服务中心")
    row.locator("button[id^=confirm-]").click()
    expect(page.locator(".flash.success")).to_contain_text("卫导办（导办员）已列入名单")
    expect(page.locator("#pending tr", has_text="卫导办")).to_have_count(0)
