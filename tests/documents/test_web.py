"""The print links, the document page, its status and downloads, and who may see them."""

import re

import sqlalchemy as sa

from app import create_app
from app.documents.models import Document
from app.extensions import db
from tests.conftest import IsolatedClient, login
from tests.documents.notices import carded_case
from tests.documents.papers import pdf_info, pdf_text
from tests.factories import create_user

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _print(client, notice) -> str:
    """Press 打印 on a notice; return the document page it leads to."""
    response = client.post(f"/supervision/notices/{notice.id}/print")
    assert response.status_code == 303
    location = response.headers["Location"]
    assert re.fullmatch(r"/documents/\d+", location), location
    return location


def test_the_board_prints_a_notice_and_then_links_to_its_document(client, org):
    order = carded_case(org)[2]
    login(client, "operator")
    board = client.get("/supervision/board").get_data(as_text=True)
    assert f'action="/supervision/notices/{order.id}/print"' in board
    page_url = _print(client, order)
    page = client.get(page_url).get_data(as_text=True)
    # Without Redis the job ran in-process after the commit: the page shows the files.
    assert order.number in page and "督办单" in page and 'id="download-pdf"' in page
    document = db.session.scalar(sa.select(Document).where(Document.subject_id == order.id))
    assert document.kind == "order" and document.pdf_sha256 in page
    board = client.get("/supervision/board").get_data(as_text=True)
    assert f'href="{page_url}"' in board  # asked for once: the link goes straight to it
    assert f'action="/supervision/notices/{order.id}/print"' not in board
    assert _print(client, order) == page_url  # and a second press finds the same one
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Document)) == 1


def test_the_case_page_prints_its_notices(client, org):
    case, reminder, order = carded_case(org)
    login(client, "handler")  # of 人社局, the lead unit the notices went to
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    notices = page.split('id="notices"')[1].split("</ul>")[0]
    for notice in (reminder, order):
        assert f'action="/supervision/notices/{notice.id}/print"' in notices
    document_page = client.get(_print(client, reminder)).get_data(as_text=True)
    assert "催办通知书" in document_page and reminder.number in document_page


def test_a_unit_user_of_another_unit_gets_404_everywhere(client, org):
    order = carded_case(org)[2]
    login(client, "operator")
    page_url = _print(client, order)
    document_id = int(page_url.rsplit("/", 1)[1])
    client.post("/logout")
    login(client, "handler2")  # 住建局: not the notice's unit
    for url in (
        page_url,
        f"{page_url}/status",
        f"{page_url}.pdf",
        f"{page_url}.docx",
        f"/documents/{document_id + 1}",
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/supervision/notices/{order.id}/print").status_code == 404


def test_the_notified_unit_reads_and_downloads_the_paper(client, org):
    order = carded_case(org)[2]
    login(client, "unit_lead")  # 人社局
    page_url = _print(client, order)
    assert client.get(page_url).status_code == 200
    status = client.get(f"{page_url}/status").get_json()
    assert status["status"] == "done" and status["progress"] == 100
    assert len(status["pdf_sha256"]) == 64 and status["error"] == ""
    pdf = client.get(f"{page_url}.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    disposition = pdf.headers["Content-Disposition"]
    assert disposition.startswith("attachment;") and "filename*=UTF-8''" in disposition
    assert pdf_info(pdf.data)["Page size"].split()[:3] == ["595.276", "x", "841.89"]
    assert order.number in pdf_text(pdf.data)
    docx = client.get(f"{page_url}.docx")
    assert docx.status_code == 200 and docx.mimetype == DOCX_TYPE
    assert docx.data[:2] == b"PK"


def test_leaders_and_inspectors_read_it_an_admin_does_not(client, org):
    order = carded_case(org)[2]
    login(client, "operator")
    page_url = _print(client, order)
    for username, status in (("inspector", 200), ("leader", 200), ("admin", 404)):
        client.post("/logout")
        login(client, username)
        assert client.get(page_url).status_code == status, username


def test_a_document_still_rendering_shows_its_progress_and_offers_no_file(client, org):
    order = carded_case(org)[2]
    login(client, "operator")
    page_url = _print(client, order)
    db.session.execute(
        sa.update(Document).values(
            status="rendering",
            progress=50,
            pdf=None,
            docx=None,
            pdf_sha256=None,
            docx_sha256=None,
            rendered_at=None,
        )
    )
    db.session.commit()
    page = client.get(page_url).get_data(as_text=True)
    assert 'id="document-progress"' in page and 'value="50"' in page
    assert "document-status.js" in page and "<script>" not in page  # no inline script
    assert client.get(f"{page_url}/status").get_json()["status"] == "rendering"
    assert client.get(f"{page_url}.pdf").status_code == 404


def test_bad_ids_answer_404(client, org):
    login(client, "operator")
    for url in (
        "/documents/1",
        "/documents/0",
        "/documents/abc",
        "/documents/99999999999999",
        "/documents/99999999999999.pdf",
        "/documents/1/status",
        "/supervision/notices/99999999999/print",
    ):
        method = client.post if url.endswith("/print") else client.get
        assert method(url).status_code == 404, url


def test_documents_need_a_login(client, org):
    response = client.get("/documents/1")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_printing_without_a_csrf_token_is_refused(database_url, org):
    order = carded_case(org)[2]
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=database_url, WTF_CSRF_ENABLED=True)
    app.test_client_class = IsolatedClient
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    client.post(
        "/login", data={"username": "operator", "password": "demo1234", "csrf_token": token}
    )
    assert client.post(f"/supervision/notices/{order.id}/print").status_code == 400
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Document)) == 0
    board = client.get("/supervision/board").get_data(as_text=True)
    form = board.split(f'action="/supervision/notices/{order.id}/print"')[1].split("</form>")[0]
    token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    response = client.post(f"/supervision/notices/{order.id}/print", data={"csrf_token": token})
    assert response.status_code == 303
    with app.app_context():
        db.engine.dispose()


def test_a_leader_outside_the_jurisdiction_gets_404(client, org):
    from app.auth.models import Role

    order = carded_case(org)[2]
    create_user("far_leader", roles=[Role.LEADER])  # of a made-up unit elsewhere
    db.session.commit()
    login(client, "far_leader")
    assert client.post(f"/supervision/notices/{order.id}/print").status_code == 404
