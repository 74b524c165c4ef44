"""The documents' API: metadata and status, the files once rendered, 404 for the others."""

import sqlalchemy as sa

from app.auth.services import create_token
from app.documents.models import Document
from app.extensions import db
from app.supervision.notices import request_notice_document
from tests.documents.notices import carded_case
from tests.documents.papers import pdf_text


def _headers(org, username: str) -> dict:
    token = create_token(org["users"][username])
    db.session.commit()
    return {"Authorization": f"Bearer {token}"}


def _printed(org):
    order = carded_case(org)[2]
    document = request_notice_document(order, org["users"]["operator"])
    db.session.commit()  # rendered in-process after the commit (no Redis)
    return order, document.id


def test_a_document_answers_its_status_and_hashes(client, org):
    order, document_id = _printed(org)
    body = client.get(f"/api/v1/documents/{document_id}", headers=_headers(org, "handler")).json
    assert body["kind"] == "order" and body["number"] == order.number
    assert body["subject_type"] == "warning" and body["subject_id"] == order.id
    assert body["status"] == "done" and body["progress"] == 100
    assert len(body["pdf_sha256"]) == 64 and body["renderer"].startswith("typst")


def test_the_files_download_with_their_types(client, org):
    order, document_id = _printed(org)
    headers = _headers(org, "inspector")
    pdf = client.get(f"/api/v1/documents/{document_id}/pdf", headers=headers)
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert order.number in pdf_text(pdf.data)
    stored = db.session.get(Document, document_id)
    assert pdf.data == stored.pdf
    docx = client.get(f"/api/v1/documents/{document_id}/docx", headers=headers)
    assert docx.status_code == 200 and docx.data == stored.docx
    assert "attachment" in docx.headers["Content-Disposition"]


def test_a_document_not_yet_rendered_has_no_file(client, org):
    _order, document_id = _printed(org)
    db.session.execute(
        sa.update(Document).values(
            status="queued",
            progress=0,
            pdf=None,
            docx=None,
            pdf_sha256=None,
            docx_sha256=None,
            rendered_at=None,
        )
    )
    db.session.commit()
    headers = _headers(org, "operator")
    assert (
        client.get(f"/api/v1/documents/{document_id}", headers=headers).json["status"] == "queued"
    )
    response = client.get(f"/api/v1/documents/{document_id}/pdf", headers=headers)
    assert response.status_code == 409 and response.json["error"] == "conflict"


def test_others_get_404_and_no_token_401(client, org):
    _order, document_id = _printed(org)
    for username in ("handler2", "admin"):
        headers = _headers(org, username)
        for suffix in ("", "/pdf", "/docx"):
            url = f"/api/v1/documents/{document_id}{suffix}"
            response = client.get(url, headers=headers)
            assert response.status_code == 404 and response.json["error"] == "not_found", url
    assert client.get(f"/api/v1/documents/{document_id}").status_code == 401
    missing = client.get("/api/v1/documents/424242", headers=_headers(org, "operator"))
    assert missing.status_code == 404
