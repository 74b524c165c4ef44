"""In a real browser: 打印 on the board, the document page follows the job, then the files."""

import re
import threading
import time

import pytest
from flask import current_app
from playwright.sync_api import Page, expect

from app.core.jobs import resolve
from tests.e2e.walk import sign_in

pytestmark = pytest.mark.browser


def test_the_document_page_follows_the_job_until_the_files_are_there(
    page: Page, live_server: str, monkeypatch
):
    def worker_later(func_path, *args):
        # A worker that takes the job a moment after the request: the page sees it queued.
        app = current_app._get_current_object()

        def run():
            time.sleep(1.5)
            with app.app_context():
                resolve(func_path)(*args)

        threading.Thread(target=run, daemon=True).start()

    monkeypatch.setattr("app.documents.services.enqueue_after_commit", worker_later)
    sign_in(page, live_server, "operator")
    page.click("#nav-board")
    button = page.locator("#board button.print-notice").first
    number = button.get_attribute("data-notice")
    button.click()
    expect(page.locator("#document-number")).to_have_text(number)
    expect(page.locator("#document-progress")).to_be_visible()
    # The page's script polls the status and shows the files once the job is done.
    expect(page.locator("#download-pdf")).to_be_visible(timeout=15_000)
    expect(page.locator("#pdf-sha256")).to_have_text(re.compile(r"^[0-9a-f]{64}$"))
    with page.expect_download() as download:
        page.click("#download-pdf")
    title = "督办单" if "督" in number else "催办通知书"
    assert download.value.suggested_filename == f"{number} {title}.pdf"
    # Back on the board the notice links straight to its document.
    page.click("#nav-board")
    expect(page.locator(f'#board a.print-notice[data-notice="{number}"]')).to_be_visible()
