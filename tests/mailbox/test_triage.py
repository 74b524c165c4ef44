"""The triage queue: an operator registers, attaches or discards what came in doubtful."""

from email.message import EmailMessage
from email.utils import make_msgid

import sqlalchemy as sa

from app.attachments.models import Attachment
from app.cases.models import Case
from app.extensions import db
from app.mailbox.models import InboundMessage
from app.mailbox.services import process_mail
from tests.conftest import login

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def triage_message(subject="Re: CC2099-000001", body="<b>补充</b> 材料") -> InboundMessage:
    message = EmailMessage()
    message["From"] = "赵六 <zhaoliu@example.net>"
    message["Subject"] = subject
    message["Message-ID"] = make_msgid()
    message.set_content(body)
    message.add_attachment(PNG, maintype="image", subtype="png", filename="a.png")
    inbound, _new = process_mail(bytes(message))
    db.session.commit()
    assert inbound.status == "triage"
    return inbound


def test_operator_sees_triage_escaped_and_registers_a_case(client, org):
    inbound = triage_message()
    login(client, "operator")
    html = client.get("/mailbox/triage").get_data(as_text=True)
    assert "&lt;b&gt;补充&lt;/b&gt;" in html and inbound.triage_reason in html
    r = client.post(f"/mailbox/triage/{inbound.id}/register")
    assert r.status_code == 303
    db.session.expire_all()
    case = db.session.scalar(sa.select(Case))
    assert case.channel == "email" and case.entered_by.username == "operator"
    assert case.state == "screening" and case.complainant.email == "zhaoliu@example.net"
    assert db.session.scalar(sa.select(Attachment)).case_id == case.id
    assert db.session.get(InboundMessage, inbound.id).status == "case_created"


def test_operator_attaches_a_message_to_a_case(client, make_case):
    case = make_case()
    inbound = triage_message()
    login(client, "operator")
    r = client.post(f"/mailbox/triage/{inbound.id}/attach", data={"case_number": case.number})
    assert r.status_code == 303
    db.session.expire_all()
    assert db.session.get(InboundMessage, inbound.id).case_id == case.id
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert 'id="correspondence"' in page


def test_attach_to_unknown_case_is_refused(client, org):
    inbound = triage_message()
    login(client, "operator")
    client.post(
        f"/mailbox/triage/{inbound.id}/attach",
        data={"case_number": "NOPE"},
        headers={"Referer": "http://localhost/mailbox/triage"},
    )
    db.session.expire_all()
    assert db.session.get(InboundMessage, inbound.id).status == "triage"


def test_discard_once_and_only_once(client, org):
    inbound = triage_message()
    login(client, "operator")
    assert client.post(f"/mailbox/triage/{inbound.id}/discard").status_code == 303
    assert client.post(f"/mailbox/triage/{inbound.id}/register").status_code == 409
    db.session.expire_all()
    assert db.session.get(InboundMessage, inbound.id).status == "discarded"
    assert db.session.scalar(sa.select(sa.func.count(Case.id))) == 0


def test_units_cannot_see_triage(client, org):
    triage_message()
    login(client, "handler")
    assert client.get("/mailbox/triage").status_code == 403
    assert client.post("/mailbox/triage/1/register").status_code == 403
