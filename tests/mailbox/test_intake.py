"""E-mail intake against a real Dovecot: new cases, threaded replies, triage, no duplicates."""

from email.message import EmailMessage
from email.utils import make_msgid

import pytest
import sqlalchemy as sa

from app.attachments.models import Attachment
from app.cases.models import Case
from app.core.trail import Event
from app.extensions import db
from app.mailbox.models import InboundMessage
from app.mailbox.services import fetch_mailbox, process_mail
from app.mailbox.tags import subject_tag

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def mail(
    subject="社保窗口拖延办理",
    text="窗口让我下周再来，已经第三次了。",
    html=None,
    sender="王五 <wangwu@example.net>",
    attachment=None,
    **headers,
) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = "tousu@example.gov.cn"
    message["Subject"] = subject
    message["Message-ID"] = make_msgid(domain="example.net")
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content(text)
    if html:
        message.add_alternative(html, subtype="html")
    if attachment:
        message.add_attachment(
            attachment[1], maintype="application", subtype="octet-stream", filename=attachment[0]
        )
    return message


def cases():
    db.session.expire_all()
    return db.session.scalars(sa.select(Case).order_by(Case.id)).all()


def test_new_mail_becomes_a_case_in_screening(inbox):
    hostile = (
        '<p onclick="x()">窗口<b>拖延</b> 1 &lt; 2</p><script>alert(1)</script>'
        '<img src=x onerror=alert(1)><a href="javascript:alert(1)">链接</a>'
        '<a href="https://example.net/a">证据</a>'
    )
    message = mail(html=hostile, attachment=("photo.png", PNG))
    inbox.append(bytes(message))
    result = fetch_mailbox()
    assert (result.fetched, result.cases) == (1, 1)
    [case] = cases()
    assert case.channel == "email" and case.state == "screening" and case.entered_by_id is None
    assert case.complainant.email == "wangwu@example.net" and case.complainant.name == "王五"
    assert case.title == "社保窗口拖延办理" and case.content == "窗口让我下周再来，已经第三次了。"
    assert case.respondent_unit_id is None  # classified by the operator while screening
    html = case.content_html
    assert "<b>拖延</b>" in html and "https://example.net/a" in html
    for bad in ("<script", "onerror", "onclick", "javascript:", "<img"):
        assert bad not in html
    [attachment] = db.session.scalars(sa.select(Attachment)).all()
    assert attachment.case_id == case.id and attachment.content_type == "image/png"
    assert inbox.flags()[message["Message-ID"]] == {"\\Seen"}


def test_html_only_mail_keeps_plain_text_unescaped(app, org):
    message = EmailMessage()
    message["From"] = "a@example.net"
    message["Subject"] = "只有HTML"
    message["Message-ID"] = make_msgid()
    message.set_content("<p>收费 1 &lt; 2 元</p><p>第二段</p>", subtype="html")
    inbound, new = process_mail(bytes(message))
    db.session.commit()
    content = inbound.case.content
    assert new and content.startswith("收费 1 < 2 元\n") and content.endswith("第二段")
    assert "&lt;" not in content and "<p>" not in content


def test_reply_with_case_number_and_code_is_threaded(inbox, make_case):
    case = make_case()
    reply = mail(subject=f"Re: 回复 {subject_tag(case.number)}", text="补充一下情况")
    inbox.append(bytes(reply))
    result = fetch_mailbox()
    assert (result.threaded, result.cases) == (1, 0)
    assert len(cases()) == 1
    inbound = db.session.scalar(sa.select(InboundMessage))
    assert inbound.case_id == case.id and inbound.status == "threaded"
    actions = db.session.scalars(
        sa.select(Event.action).where(Event.subject_type == "case", Event.subject_id == case.id)
    ).all()
    assert "correspondence" in actions


@pytest.mark.parametrize(
    "subject",
    [
        "Re: {number}",
        "Re: [{number} #ABCDEF12]",
        "Re: [CC2099-999999 #ABCDEF12]",
        "关于{number}的补充",  # the number touching Chinese text is still a number
    ],
)
def test_unverified_or_unknown_reply_goes_to_triage(inbox, make_case, subject):
    case = make_case()
    inbox.append(bytes(mail(subject=subject.format(number=case.number))))
    result = fetch_mailbox()
    assert (result.triage, result.cases, result.threaded) == (1, 0, 0)
    inbound = db.session.scalar(sa.select(InboundMessage))
    assert inbound.status == "triage" and inbound.case_id is None and inbound.triage_reason
    assert [c.id for c in cases()] == [case.id]


@pytest.mark.parametrize(
    ("kwargs", "reason"),
    [
        ({"Auto_Submitted": "auto-replied"}, "Automatic message (auto-reply or bounce)."),
        ({"attachment": ("run.exe", b"MZ\x90\x00binary")}, "Attachment refused: %(why)s"),
        ({"sender": "tousu@example.gov.cn"}, "Sent from our own address."),
        ({"sender": "no address"}, "No sender address."),
    ],
)
def test_suspicious_mail_goes_to_triage(inbox, kwargs, reason):
    from flask_babel import gettext

    inbox.append(bytes(mail(**kwargs)))
    assert fetch_mailbox().triage == 1
    inbound = db.session.scalar(sa.select(InboundMessage))
    expected = gettext(reason, why="").rstrip()
    assert inbound.status == "triage" and inbound.triage_reason.startswith(expected)
    assert cases() == []
    assert db.session.scalar(sa.select(sa.func.count(Attachment.id))) == 0


def test_fetching_twice_creates_nothing_new(inbox):
    first = mail()
    inbox.append(bytes(first))
    assert fetch_mailbox().cases == 1
    second = fetch_mailbox()
    assert (second.fetched, second.cases) == (0, 0)
    assert len(cases()) == 1


def test_crash_before_commit_loses_nothing(inbox, monkeypatch):
    inbox.append(bytes(mail()))

    def crash(raw):
        process_mail(raw)  # does the work, then the worker "dies" before the commit
        raise SystemExit("killed")

    monkeypatch.setattr("app.mailbox.services.process_mail", crash)
    with pytest.raises(SystemExit):
        fetch_mailbox()
    db.session.rollback()
    monkeypatch.undo()
    assert cases() == []
    assert next(iter(inbox.flags().values())) == set()  # still unread on the server
    result = fetch_mailbox()
    assert result.cases == 1 and len(cases()) == 1


def test_crash_after_commit_before_marking_read_creates_nothing_twice(inbox):
    message = mail()
    inbox.append(bytes(message))
    process_mail(bytes(message))  # committed, but the job died before STORE \\Seen
    db.session.commit()
    result = fetch_mailbox()
    assert (result.fetched, result.already_known, result.cases) == (1, 1, 0)
    assert len(cases()) == 1
    assert inbox.flags()[message["Message-ID"]] == {"\\Seen"}
