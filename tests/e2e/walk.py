"""Steps the browser tests share: signing in and out, acting on a case, logging a call."""

from playwright.sync_api import Page, expect

# Hotline fields that are chosen from a list, not typed.
_CHOSEN = {"respondent_unit_code", "category_code", "urgency"}


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


def open_hotline(page: Page) -> None:
    page.click("#nav-hotline")
    page.wait_for_load_state("load")  # the form's script is attached once the page has loaded


def log_call(page: Page, **fields: str) -> tuple[str, str]:
    """Fill the open hotline form by field id, register it; return the case's URL and number."""
    for name, value in fields.items():
        if name in _CHOSEN:
            page.select_option(f"#{name}", value)
        else:
            page.fill(f"#{name}", value)
    page.click("#hotline-submit")
    expect(page.locator("#case-state")).to_have_attribute("data-state", "screening")
    return page.url, page.locator("#case-number").inner_text()


def sign_and_draft_reply(page: Page, text: str) -> None:
    """As the unit's handler on the case page: sign, then reply 属实 for the lead to sign off."""
    act(page, "sign")
    expect(page.locator("#case-state")).to_have_attribute("data-state", "handling")
    reply = open_action(page, "reply")
    reply.locator("input[value=substantiated]").check()
    reply.locator("textarea[name=text]").fill(text)
    act(page, "reply")
    # A handler's reply waits for the unit lead's sign-off before it reaches the center,
    # and says so.
    expect(page.locator("#case-state")).to_have_attribute("data-state", "handling")
    expect(page.locator("#draft-waiting")).to_have_text("草稿，待单位负责人审签")


def sign_off_reply(page: Page, case_url: str, excerpt: str) -> None:
    """As the unit lead: read the draft on the case page and approve it."""
    page.goto(case_url)
    expect(page.locator(".pending-reply")).to_contain_text(excerpt)
    open_action(page, "sign_off").locator("input[value=approve]").check()
    act(page, "sign_off")
    expect(page.locator("#case-state")).to_have_attribute("data-state", "replied")


def pass_review(page: Page, case_url: str) -> None:
    """As the center: pass the unit's reply on to the return visit."""
    page.goto(case_url)
    page.locator("#action-review input[value=pass]").check()
    act(page, "review")
    expect(page.locator("#case-state")).to_have_attribute("data-state", "visiting")


def unit_answers(page: Page, base: str, case: tuple[str, str], **people: str) -> None:
    """The unit's part, from its worklist to the center passing the review.

    ``case`` is the case's URL and number; ``people`` names the ``handler`` and the ``lead``,
    the complainant's ``masked`` phone the handler sees, the ``reply`` drafted and an
    ``excerpt`` of it the lead reads before signing it off.
    """
    case_url, number = case
    sign_in(page, base, people["handler"])
    expect(page.locator("#worklist")).to_contain_text(number)
    page.goto(case_url)
    expect(page.locator("#complainant-phone")).to_have_text(people["masked"])
    sign_and_draft_reply(page, people["reply"])
    sign_out(page)

    sign_in(page, base, people["lead"])
    sign_off_reply(page, case_url, people["excerpt"])
    sign_out(page)

    sign_in(page, base, "operator")
    pass_review(page, case_url)
