"""The inspectors' path in the browser: a red card's referral to a served 效能告诫 on record."""

import re
from datetime import date

from playwright.sync_api import Page, expect

from tests.e2e.walk import act, open_action, sign_in, sign_out


def test_a_red_cards_referral_becomes_a_served_efficiency_warning_on_record(
    page: Page, live_server: str
):
    sign_in(page, live_server, "inspector")
    page.click("#nav-accountability")
    page.click("#tab-referrals")
    referral = page.locator("#referrals tr", has_text="红牌").first
    expect(referral).to_be_visible()
    referral.locator("a").click()
    expect(page.locator("#referral-sources")).to_contain_text("红牌")
    page.click("button[name=submit-accept]")
    expect(page.locator("#acc-state")).to_have_attribute("data-state", "registered")
    case_url = page.url
    act(page, "verify")
    expect(page.locator("#acc-state")).to_have_attribute("data-state", "verifying")
    # The card is the unit's; the inspector names the person who answers for it instead.
    add = open_action(page, "add_subject")
    staff = add.locator("select[name=staff] option").nth(1)
    person = staff.inner_text().split(" · ")[-1].split("（")[0]
    add.locator("select[name=staff]").select_option(staff.get_attribute("value"))
    act(page, "add_subject")
    expect(page.locator(".decision")).to_have_count(2)
    remove = open_action(page, "remove_subject")
    unit_decision = page.locator(".decision").first.get_attribute("data-decision")
    remove.locator("select[name=decision]").select_option(unit_decision)
    act(page, "remove_subject")
    expect(page.locator(".decision")).to_have_count(1)
    expect(page.locator(".decision h2")).to_contain_text(person)

    # The draft: 效能告诫 on two legal bases.
    draft = open_action(page, "draft_decision")
    draft.locator("textarea[name=facts]").fill("经核实，该同志承办的投诉件被亮红牌，超期未办结。")
    draft.locator("select[name=form_code]").select_option(label="效能告诫")
    bases = draft.locator("select[name=basis_ids] option")
    draft.locator("select[name=basis_ids]").select_option(
        [bases.nth(0).get_attribute("value"), bases.nth(1).get_attribute("value")]
    )
    draft.locator("input[name=execution_days]").fill("10")
    act(page, "draft_decision")
    expect(page.locator(".decision-form").first).to_have_text(re.compile("效能告诫"))
    expect(page.locator(".decision-bases div")).to_have_count(2)
    expect(page.locator("details.preview").first).to_contain_text("效能告诫的决定")
    act(page, "propose")
    expect(page.locator("#acc-state")).to_have_attribute("data-state", "proposed")
    sign_out(page)

    # The head approves from the queue: it asks first, since a number is never taken back.
    sign_in(page, live_server, "jw_head")
    page.click("#nav-accountability")
    expect(page.locator("#tab-approval")).to_have_attribute("aria-current", "page")
    page.goto(case_url)
    expect(page.locator("#next-step")).to_contain_text("批准")
    act(page, "approve")
    expect(page.locator("#confirm-dialog")).to_be_visible()
    page.click("#confirm-ok")
    year = date.today().year
    expect(page.locator(".decision-number").first).to_have_text(
        re.compile(rf"^澄纪效告〔{year}〕\d+号$")
    )
    number = page.locator(".decision-number").first.inner_text()
    # The notice was rendered by a job; the case was issued when it was done.
    expect(page.locator("#acc-state")).to_have_attribute("data-state", "issued")
    page.locator(".document-link").first.click()
    pdf_link = page.locator("a[href$='.pdf']")
    expect(pdf_link).to_be_visible()
    with page.expect_download() as download:
        pdf_link.click()
    assert download.value.suggested_filename.endswith(".pdf")
    sign_out(page)

    # The inspector records service; the person's record shows the decision and counts it.
    sign_in(page, live_server, "inspector")
    page.goto(case_url)
    serve = open_action(page, "serve")
    serve.locator("select[name=served_how]").select_option("in_person")
    act(page, "serve")
    expect(page.locator("#acc-state")).to_have_attribute("data-state", "served")
    expect(page.locator(".decision-served").first).to_be_visible()
    page.locator(".decision h2 a").first.click()
    expect(page.locator("#record-decisions")).to_contain_text(number)
    row = page.locator(f"#record-counters tr[data-year='{year}']")
    expect(row.locator("td[data-counter=decisions]")).not_to_have_text("0")
    expect(row.locator("[data-form=efficiency_warning]")).to_be_visible()
