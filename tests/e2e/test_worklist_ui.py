"""The worklist and the hotline form as their users work them, in a real browser."""

import re
from datetime import datetime

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.walk import (
    act,
    log_call,
    open_hotline,
    sign_and_draft_reply,
    sign_in,
    sign_out,
)

pytestmark = pytest.mark.browser

DUE = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}")


def test_worklist_finds_a_case_by_phone_and_name_and_sorts_by_deadline(page: Page, live_server):
    sign_in(page, live_server, "operator")
    page.click("#nav-worklist")
    # The demo's 刘芳 called from 13800004444; the operator types it as a caller reads it out.
    page.fill("#filter-q", "+86 138-0000-4444")
    page.keyboard.press("Enter")
    rows = page.locator("#worklist tbody tr")
    expect(rows).to_have_count(1)  # her repeat call was merged: only the open case shows
    expect(rows.first).to_contain_text("失业保险金申领超期未办结")
    assert "q=" in page.url  # the search survives a reload and can be sent on
    page.fill("#filter-q", "刘芳")
    page.keyboard.press("Enter")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("失业保险金申领超期未办结")

    page.fill("#filter-q", "")
    page.keyboard.press("Enter")
    # The most urgent first without asking: the deadline order is the worklist's own.
    expect(page.locator("th.col-deadline")).to_have_attribute("aria-sort", "ascending")
    cells = page.locator("#worklist tbody td.col-deadline")
    expect(cells.first).to_have_class(re.compile("overdue"))  # the demo's late cases lead
    # A case awaiting signature is timed by its sign clock, not by its handle clock.
    unsigned = page.locator("#worklist tbody tr", has=page.locator("[data-state=dispatched]"))
    expect(unsigned.first.locator("td.col-deadline")).to_have_attribute("data-clock", "sign")
    texts = cells.all_inner_texts()
    dues = [
        datetime.strptime(m.group(), "%Y-%m-%d %H:%M") if (m := DUE.search(t)) else None
        for t in texts
    ]
    known = [d for d in dues if d is not None]
    assert len(known) >= 3 and known == sorted(known)
    assert dues[: len(known)] == known  # cases with no clock running come last
    # Paging and the filter form keep the sort.
    # Another order chosen is kept by the filter form (and by paging).
    page.click("#sort-deadline")
    expect(page.locator("th.col-deadline")).to_have_attribute("aria-sort", "descending")
    expect(page.locator("#worklist-filters input[name=sort]")).to_have_value("-deadline")


def test_unit_lead_finds_and_signs_off_a_reply_from_the_worklist(page: Page, live_server):
    sign_in(page, live_server, "operator")
    open_hotline(page)
    case_url, number = log_call(
        page,
        phone="13966667777",
        name="钱审签",
        respondent_unit_code="CC-RSJ",
        category_code="time_limit",
        title="社保卡申领两个月未发放",
        content="两个月前申领社保卡，至今没有消息。",
    )
    act(page, "dispatch")
    expect(page.locator("#case-state")).to_have_attribute("data-state", "dispatched")
    sign_out(page)

    sign_in(page, live_server, "handler")
    page.goto(case_url)
    sign_and_draft_reply(page, "已核实，社保卡本周内寄出。")
    expect(page.locator("#case-state")).to_have_text("待单位负责人审签")
    sign_out(page)

    sign_in(page, live_server, "unit_lead")
    page.click("#nav-worklist")
    tab = page.locator("#tab-sign-off")
    expect(tab).to_contain_text("待审签")
    assert int(page.locator("#sign-off-count").inner_text()) >= 1
    tab.click()
    row = page.locator("#worklist tbody tr", has_text=number)
    expect(row).to_contain_text("待单位负责人审签")
    row.get_by_role("link", name=number).click()
    # What the lead must do is open and first: the sign-off, with the draft to read.
    sign_off = page.locator("#action-sign_off")
    expect(sign_off).to_have_attribute("open", "")
    expect(page.locator("#actions details.action").first).to_have_attribute("id", "action-sign_off")
    expect(page.locator("#action-reply")).not_to_have_attribute("open", "")
    expect(sign_off.locator(".pending-reply")).to_contain_text("社保卡本周内寄出")
    sign_off.locator("input[value=approve]").check()
    sign_off.locator("button[name=submit-sign_off]").click()
    expect(page.locator("#case-state")).to_have_attribute("data-state", "replied")
    page.click("#nav-worklist")
    page.click("#tab-sign-off")
    expect(page.locator("#worklist tbody tr", has_text=number)).to_have_count(0)


def test_hotline_form_is_completed_with_the_keyboard_only(page: Page, live_server):
    sign_in(page, live_server, "operator")
    page.goto(f"{live_server}/intake/hotline")
    page.wait_for_load_state("load")
    keyboard = page.keyboard

    def focused(selector: str):
        expect(page.locator(selector)).to_be_focused()

    focused("#phone")  # the caller's number first, without reaching for the mouse
    keyboard.type("+86 139-2222-3333")
    keyboard.press("Enter")  # ends the field, does not register a half-typed call
    focused("#name")
    assert page.url.endswith("/intake/hotline")
    keyboard.type("钱七")
    keyboard.press("Tab")
    focused("#anonymous")
    keyboard.press("Tab")
    focused("#call_reference")
    keyboard.type("CALL-KB-1")
    keyboard.press("Tab")
    focused("#respondent_unit_code-filter")
    keyboard.type("人力资源")
    keyboard.press("Enter")  # keeps the first match and moves to the list
    focused("#respondent_unit_code")
    expect(page.locator("#respondent_unit_code")).to_have_value("CC-RSJ")
    keyboard.press("Tab")
    focused("#subject_kind")
    keyboard.press("Tab")
    focused("#respondent_staff")
    keyboard.press("Tab")
    focused("#respondent_staff_ids")  # the unit's people, none picked
    keyboard.press("Tab")
    focused("#new_staff_name")
    keyboard.press("Tab")
    focused("#new_staff_post")
    keyboard.press("Tab")
    focused("#category_code")
    keyboard.press("ArrowDown")  # the first category
    expect(page.locator("#category_code")).not_to_have_value("")
    keyboard.press("Tab")
    focused("#urgency")
    keyboard.press("Tab")
    focused("#title")
    keyboard.type("电话登记全程键盘操作")
    keyboard.press("Enter")
    focused("#content")
    keyboard.type("第一行。")
    keyboard.press("Enter")  # a new line in the text, not a submit
    keyboard.type("第二行。")
    focused("#content")
    keyboard.press("Tab")
    focused("#hotline-submit")
    # The panels beside the form hold no focus trap: Tab leaves the button and comes back.
    keyboard.press("Tab")
    expect(page.locator("#hotline-submit")).not_to_be_focused()
    keyboard.press("Shift+Tab")
    focused("#hotline-submit")
    keyboard.press("Enter")
    expect(page.locator("#case-state")).to_have_attribute("data-state", "screening")
    expect(page.locator("#complainant-phone")).to_have_text("+8613922223333")
    expect(page.locator("#case-content")).to_contain_text("第一行。")
    expect(page.locator("#case-content")).to_contain_text("第二行。")
