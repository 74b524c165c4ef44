"""Accounts in a real browser: the admin creates a user and deactivates them after being
asked; a user changes their password and signs in with it."""

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.walk import sign_in, sign_out

pytestmark = pytest.mark.browser

FIRST = "Qiantang-River-2026"
SECOND = "Yellow-Mountain-88"


def create_user(page: Page, base: str, username: str, name: str) -> None:
    page.goto(f"{base}/admin/users")
    page.click("#new-user")
    page.fill("#username", username)
    page.fill("#name", name)
    page.select_option("#unit_id", label="澄川县人力资源和社会保障局（CC-RSJ）")
    page.check("#roles input[value=handler]")
    # A weak password first: refused beside its field, with everything else kept.
    page.fill("#password", "12345678")
    page.fill("#password_confirm", "12345678")
    page.click("#user-save")
    expect(page.locator(".field.has-error")).to_contain_text("不能全是数字")
    expect(page.locator("#username")).to_have_value(username)
    expect(page.locator("#roles input[value=handler]")).to_be_checked()
    page.fill("#password", FIRST)
    page.fill("#password_confirm", FIRST)
    page.click("#user-save")
    expect(page.locator(".flash.success")).to_contain_text(f"账户 {username} 已创建")


def test_admin_creates_a_user_and_deactivates_them(page: Page, live_server: str):
    sign_in(page, live_server, "admin")
    page.click("#nav-admin")
    page.click("#nav-users")
    create_user(page, live_server, "e2e_gone", "吴离职")
    expect(page.locator("#user-state")).to_have_text("启用")
    page.click("#deactivate")
    expect(page.locator("#confirm")).to_contain_text("吴离职")
    page.click("#confirm-no")  # changing one's mind changes nothing
    expect(page.locator("#user-state")).to_have_text("启用")
    page.click("#deactivate")
    page.click("#confirm-yes")
    expect(page.locator("#user-state")).to_have_text("已停用")
    expect(page.locator("#user-history")).to_contain_text("创建账户")
    sign_out(page)
    page.goto(f"{live_server}/login")
    page.fill("#username", "e2e_gone")
    page.fill("#password", FIRST)
    page.click("#login-submit")
    expect(page.locator(".flash.error")).to_contain_text("用户名或密码错误")


def test_a_user_changes_their_password(page: Page, live_server: str):
    sign_in(page, live_server, "admin")
    create_user(page, live_server, "e2e_pw", "郑改密")
    sign_out(page)
    page.goto(f"{live_server}/login")
    page.fill("#username", "e2e_pw")
    page.fill("#password", FIRST)
    page.click("#login-submit")
    page.click("#nav-password")
    expect(page.locator("#password-policy")).to_contain_text("至少 10 个字符")
    page.fill("#current_password", "not-my-password")
    page.fill("#password", SECOND)
    page.fill("#password_confirm", SECOND)
    page.click("#password-save")
    expect(page.locator(".field.has-error")).to_contain_text("当前密码不正确")
    page.fill("#current_password", FIRST)
    page.fill("#password", SECOND)
    page.fill("#password_confirm", SECOND)
    page.click("#password-save")
    expect(page.locator(".flash.success")).to_contain_text("密码已修改")
    page.click("#nav-away")  # still signed in after the change
    expect(page.locator("#away-form")).to_be_visible()
    sign_out(page)
    page.goto(f"{live_server}/login")
    page.fill("#username", "e2e_pw")
    page.fill("#password", SECOND)
    page.click("#login-submit")
    expect(page.locator("#login-submit")).to_have_count(0)


def test_the_backup_list_follows_the_chosen_unit(page: Page, live_server: str):
    sign_in(page, live_server, "admin")
    page.goto(f"{live_server}/admin/users/new")

    def offered() -> set[str]:
        shown = "#backup_user_id option:not([hidden]):not([disabled])"
        return set(page.eval_on_selector_all(shown, "options => options.map(o => o.text)"))

    assert offered() == {"—"}  # no unit yet: nobody to stand in
    page.select_option("#unit_id", label="澄川县人力资源和社会保障局（CC-RSJ）")
    rsj = offered()
    assert {"—", "赵承办（handler）", "钱局长（unit_lead）"} <= rsj
    assert "孙承办（handler2）" not in rsj and "吴离职（e2e_gone）" not in rsj
    page.select_option("#backup_user_id", label="赵承办（handler）")
    # Another unit: the colleague chosen for the first is neither offered nor kept.
    page.select_option("#unit_id", label="澄川县住房和城乡建设局（CC-ZJJ）")
    expect(page.locator("#backup_user_id")).to_have_value("")
    assert offered() == {"—", "孙承办（handler2）"}
    expect(page.locator("#backup_user_id optgroup:not([hidden])")).to_have_count(1)
