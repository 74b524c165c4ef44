"""Letters from complaint boxes, registered by an operator with their scans."""

import io

import sqlalchemy as sa

from app.attachments.models import Attachment
from app.cases.models import Case
from app.extensions import db
from tests.conftest import login

SCAN = b"\xff\xd8\xff\xe0" + b"\x00" * 200


def letter(**overrides) -> dict:
    data = {
        "letter_box": "县信访接待室投诉箱",
        "letter_collected_on": "2026-11-20",
        "name": "王大爷",
        "address": "城关镇东街12号",
        "respondent_unit_code": "CC-CGZ",
        "subject_kind": "unit",
        "category_code": "sloth",
        "urgency": "normal",
        "title": "镇政府办事拖拉",
        "content": "去镇里盖章跑了三趟。",
    }
    data.update(overrides)
    return data


def test_operator_registers_a_letter_with_scans(client, org):
    login(client, "operator")
    assert "县信访接待室投诉箱" in client.get("/intake/letter").get_data(as_text=True)
    r = client.post(
        "/intake/letter",
        data={**letter(), "scans": [(io.BytesIO(SCAN), "p1.jpg")]},
        content_type="multipart/form-data",
    )
    assert r.status_code == 303
    case = db.session.scalar(sa.select(Case))
    assert case.channel == "letter" and case.letter_box == "县信访接待室投诉箱"
    assert str(case.letter_collected_on) == "2026-11-20"
    assert case.entered_by.username == "operator" and case.complainant.address == "城关镇东街12号"
    attachment = db.session.scalar(sa.select(Attachment))
    assert attachment.case_id == case.id and attachment.uploaded_by_id == case.entered_by_id
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "p1.jpg" in page
    with client.get(f"/attachments/{attachment.id}") as download:
        assert download.data == SCAN
        assert download.headers["Content-Disposition"].startswith("attachment")


def test_units_cannot_download_scans(client, make_case, org):
    login(client, "operator")
    client.post(
        "/intake/letter",
        data={**letter(), "scans": [(io.BytesIO(SCAN), "p1.jpg")]},
        content_type="multipart/form-data",
    )
    case = db.session.scalar(sa.select(Case))
    from app.auth.models import Role
    from app.auth.services import create_user

    create_user("town", "镇承办", "demo1234", [Role.HANDLER], org["units"]["CC-CGZ"])
    db.session.commit()
    client.post(f"/cases/{case.id}/dispatch", data={"unit_code": "CC-CGZ"})
    client.post("/logout")
    login(client, "town")
    attachment = db.session.scalar(sa.select(Attachment))
    assert client.get(f"/cases/{case.id}").status_code == 200
    assert client.get(f"/attachments/{attachment.id}").status_code == 404


def test_letter_in_the_future_or_bad_scan_stores_nothing(client, org):
    login(client, "operator")
    r = client.post("/intake/letter", data=letter(letter_collected_on="2099-01-01"))
    assert r.status_code == 422
    r = client.post(
        "/intake/letter",
        data={**letter(), "scans": [(io.BytesIO(b"MZ-not-an-image"), "x.jpg")]},
        content_type="multipart/form-data",
    )
    assert r.status_code == 422
    assert db.session.scalar(sa.select(sa.func.count(Case.id))) == 0
    assert db.session.scalar(sa.select(sa.func.count(Attachment.id))) == 0


def test_worklist_filters_by_channel(client, make_case, org):
    hotline = make_case()
    login(client, "operator")
    client.post("/intake/letter", data=letter())
    letter_case = db.session.scalar(sa.select(Case).where(Case.channel == "letter"))
    html = client.get("/cases?channel=letter").get_data(as_text=True)
    assert letter_case.number in html and hotline.number not in html
