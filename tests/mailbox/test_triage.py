"""The triage queue: an operator registers, attaches or discards what came in doubtful."""

from email.message import EmailMessage
from email.utils import make_msgid

import pytest
import sqlalchemy as sa

from app.attachments.models import Attachment
from app.cases.models import Case
from app.core.trail import Event
from app.extensions import db
from app.intake.services import CONTENT_MAX
from app.mailbox.models import InboundMessage
from app.mailbox.services import case_number_in, process_mail
from tests.conftest import login
from tests.htmlpage import accessibility_problems, error_beside, form_for, parse, value_of

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def triage_message(
    subject="Re: CC2099-000001", body="<b>补充</b> 材料", auto=False
) -> InboundMessage:
    """A message that waits in triage: its subject names an unknown case, or it is ``auto``."""
    message = EmailMessage()
    message["From"] = "赵六 <zhaoliu@example.net>"
    message["Subject"] = subject
    if auto:
        message["Auto-Submitted"] = "auto-replied"
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


def _untouched(inbound: InboundMessage) -> None:
    db.session.expire_all()
    message = db.session.get(InboundMessage, inbound.id)
    assert message.status == "triage" and message.case_id is None
    assert db.session.scalar(sa.select(Attachment)).case_id is None


def test_a_wrong_case_number_is_refused_beside_that_messages_field(client, make_case):
    make_case()
    first, second = triage_message(), triage_message(subject="补充材料", auto=True)
    events = db.session.scalar(sa.select(sa.func.count(Event.id)))
    login(client, "operator")
    r = client.post(f"/mailbox/triage/{second.id}/attach", data={"case_number": "CC2026-999999"})
    html = r.get_data(as_text=True)
    assert r.status_code == 422
    assert not accessibility_problems(html)
    root = parse(html)
    refused = form_for(root, f"/{second.id}/attach")
    assert "novalidate" in refused.attrs
    assert error_beside(refused, "case_number") == "该投诉件不存在。"
    assert value_of(refused, "case_number") == "CC2026-999999"
    other = form_for(root, f"/{first.id}/attach")
    assert not other.find_all("div", class_="error")
    assert value_of(other, "case_number") == "CC2099-000001"  # its own, from its subject
    assert "flash error" not in html  # beside the field, not only at the top
    _untouched(second)
    assert db.session.scalar(sa.select(sa.func.count(Event.id))) == events


def test_an_empty_case_number_gets_the_apps_own_message(client, org):
    inbound = triage_message(subject="没有编号", auto=True)
    login(client, "operator")
    form = form_for(parse(client.get("/mailbox/triage").get_data(as_text=True)), "/attach")
    assert "novalidate" in form.attrs and value_of(form, "case_number") in ("", None)
    r = client.post(f"/mailbox/triage/{inbound.id}/attach", data={"case_number": "  "})
    assert r.status_code == 422
    form = form_for(parse(r.get_data(as_text=True)), f"/{inbound.id}/attach")
    assert error_beside(form, "case_number") == "此项为必填项。"
    _untouched(inbound)


@pytest.mark.parametrize(
    ("subject", "number"),
    [
        ("[CC2026-000004] 补充材料", "CC2026-000004"),
        ("Re: cc2026-000004 #1A2B3C4D", "CC2026-000004"),
        ("关于CC2026-000004的补充", "CC2026-000004"),
        ("电话 13812345678", ""),
        ("CC2026-0000041", ""),
        (None, ""),
    ],
)
def test_the_case_number_a_subject_names(subject, number):
    assert case_number_in(subject) == number


def test_a_case_number_in_the_subject_is_filled_in(client, org):
    inbound = triage_message(subject="[CC2026-000004] 补充材料")
    login(client, "operator")
    root = parse(client.get("/mailbox/triage").get_data(as_text=True))
    assert value_of(form_for(root, f"/{inbound.id}/attach"), "case_number") == "CC2026-000004"


def test_why_a_message_waits_is_not_shown_as_an_error(client, org):
    inbound = triage_message()
    login(client, "operator")
    root = parse(client.get("/mailbox/triage").get_data(as_text=True))
    card = root.find("section", id=f"triage-{inbound.id}")
    shown = [n for n in card.walk() if inbound.triage_reason in n.text]
    reason = shown[-1]  # the innermost element that holds it
    assert "triage-reason" in reason.get("class").split()
    for node in [reason, *reason.ancestors()]:
        assert "error" not in (node.get("class") or "").split()


def test_a_message_that_cannot_become_a_case_says_why_on_its_card(client, org):
    inbound = triage_message(subject="很长的信", body="长" * (CONTENT_MAX + 1))
    login(client, "operator")
    r = client.post(f"/mailbox/triage/{inbound.id}/register")
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    assert not accessibility_problems(html)
    card = parse(html).find("section", id=f"triage-{inbound.id}")
    assert str(CONTENT_MAX) in card.find("div", id=f"triage-{inbound.id}-error").text
    _untouched(inbound)
    assert db.session.scalar(sa.select(sa.func.count(Case.id))) == 0
