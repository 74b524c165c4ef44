"""The workspace pages: queue, referrals, the case page's steps, records, inspections."""

import re

import pytest
import sqlalchemy as sa

from app.accountability.models import AccountabilityCase, LegalBasis, Referral
from app.accountability.referrals import create_referral
from app.extensions import db
from tests.conftest import login


def _csrf(html: str) -> str:
    return (
        re.search(
            r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"',
            html,
        ).group(1)
        or ""
    )


def csrf(html: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', html
    )
    return match.group(1)


@pytest.fixture
def referral(acc_org):
    referral = create_referral(
        {"staff": str(acc_org["staff"]["王某某"].id), "summary": "超期未办结。"},
        acc_org["users"]["inspector"],
    )
    db.session.commit()
    return referral


def test_an_inspector_accepts_verifies_drafts_and_proposes_on_the_web(client, acc_org, referral):
    login(client, "inspector")
    queue = client.get("/accountability")
    assert queue.status_code == 200
    html = queue.get_data(as_text=True)
    assert 'id="tab-referrals"' in html and f'data-referral="{referral.id}"' in html
    page = client.get(f"/accountability/referrals/{referral.id}").get_data(as_text=True)
    answer = client.post(
        f"/accountability/referrals/{referral.id}/accept",
        data={"csrf_token": csrf(page), "title": ""},
    )
    assert answer.status_code == 303
    acc_case = db.session.scalar(sa.select(AccountabilityCase))
    page = client.get(answer.location).get_data(as_text=True)
    assert acc_case.number in page and 'id="action-verify"' in page
    token = csrf(page)
    assert (
        client.post(
            f"/accountability/cases/{acc_case.id}/verify",
            data={"csrf_token": token, "version": acc_case.version},
        ).status_code
        == 303
    )
    db.session.refresh(acc_case)
    page = client.get(f"/accountability/cases/{acc_case.id}").get_data(as_text=True)
    assert 'id="action-draft_decision"' in page
    bases = db.session.scalars(sa.select(LegalBasis.id).limit(2)).all()
    bad = client.post(
        f"/accountability/cases/{acc_case.id}/draft_decision",
        data={
            "csrf_token": token,
            "version": acc_case.version,
            "decision": str(acc_case.decisions[0].id),
            "form_code": "efficiency_warning",
            "facts": "事实经过。",
            "execution_days": "abc",
        },
    )
    assert bad.status_code == 422
    bad_html = bad.get_data(as_text=True)
    assert "事实经过。" in bad_html  # what was typed stays
    good = client.post(
        f"/accountability/cases/{acc_case.id}/draft_decision",
        data={
            "csrf_token": token,
            "version": acc_case.version,
            "decision": str(acc_case.decisions[0].id),
            "form_code": "efficiency_warning",
            "facts": "事实经过。",
            "basis_ids": [str(b) for b in bases],
            "execution_days": "10",
        },
    )
    assert good.status_code == 303, good.get_data(as_text=True)
    db.session.refresh(acc_case)
    page = client.get(f"/accountability/cases/{acc_case.id}").get_data(as_text=True)
    assert "关于给予" in page and "效能告诫" in page  # the preview of the notice


def test_others_get_404_or_403(app, client, acc_org, referral):
    for username in ("operator", "handler", "unit_lead", "admin"):
        client = app.test_client()
        login(client, username)
        assert client.get("/accountability").status_code == 403, username
        assert client.get(f"/accountability/referrals/{referral.id}").status_code == 403
    client = app.test_client()
    login(client, "leader")
    assert client.get("/accountability").status_code == 200
    assert client.get(f"/accountability/referrals/{referral.id}").status_code == 403


def test_decline_asks_first_and_keeps_the_reason_on_error(client, acc_org, referral):
    login(client, "inspector")
    page = client.get(f"/accountability/referrals/{referral.id}").get_data(as_text=True)
    token = csrf(page)
    url = f"/accountability/referrals/{referral.id}/decline"
    asked = client.post(url, data={"csrf_token": token, "reason": "已另案处理", "confirmed": ""})
    assert asked.status_code == 200 and "已另案处理" in asked.get_data(as_text=True)
    empty = client.post(url, data={"csrf_token": token, "reason": "", "confirmed": "1"})
    assert empty.status_code == 422
    done = client.post(url, data={"csrf_token": token, "reason": "已另案处理", "confirmed": "1"})
    assert done.status_code == 303
    db.session.expire_all()
    assert db.session.get(Referral, referral.id).state == "declined"


def test_records_and_inspection_pages(app, client, acc_org):
    login(client, "inspector")
    staff = acc_org["staff"]["王某某"]
    assert client.get(f"/accountability/records/staff/{staff.id}").status_code == 200
    assert client.get(f"/accountability/records/units/{staff.unit_id}").status_code == 200
    assert client.get("/accountability/records/staff/999999").status_code == 404
    page = client.get("/accountability/inspections/new").get_data(as_text=True)
    bad = client.post(
        "/accountability/inspections/new",
        data={"csrf_token": csrf(page), "held_on": "2099-01-01", "place": "大厅", "team": "一组"},
    )
    assert bad.status_code == 422 and "大厅" in bad.get_data(as_text=True)
    good = client.post(
        "/accountability/inspections/new",
        data={"csrf_token": csrf(page), "held_on": "2026-11-20", "place": "大厅", "team": "一组"},
    )
    assert good.status_code == 303
    page = client.get(good.location).get_data(as_text=True)
    assert 'id="add-finding"' in page
    leader = app.test_client()
    login(leader, "leader")
    assert leader.get(f"/accountability/records/staff/{staff.id}").status_code == 200
    assert leader.get(good.location).status_code == 403


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def test_service_with_a_receipt_scan_read_by_the_office_only(app, client, acc_org):
    import io

    from tests.accountability.helpers import proposed_case

    acc_case = proposed_case(acc_org)
    from app.accountability.services import perform_acc_action

    perform_acc_action(acc_case, "approve", acc_org["users"]["jw_head"], {})
    db.session.commit()
    db.session.refresh(acc_case)
    assert acc_case.state == "issued"
    login(client, "inspector")
    page = client.get(f"/accountability/cases/{acc_case.id}").get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in page
    decision = acc_case.decisions[0]
    url = f"/accountability/cases/{acc_case.id}/serve"
    data = {
        "csrf_token": csrf(page),
        "version": str(acc_case.version),
        "decision": str(decision.id),
        "served_to": "王某某",
        "served_how": "in_person",
    }
    future = client.post(url, data={**data, "served_on": "2999-01-01"})
    assert future.status_code == 422 and "王某某" in future.get_data(as_text=True)
    bad_file = client.post(
        url,
        data={**data, "receipt": (io.BytesIO(b"MZ\x90\x00"), "x.exe")},
        content_type="multipart/form-data",
    )
    assert bad_file.status_code == 422
    done = client.post(
        url,
        data={**data, "receipt": (io.BytesIO(PNG), "回证.png")},
        content_type="multipart/form-data",
    )
    assert done.status_code == 303
    db.session.expire_all()
    decision = db.session.get(type(decision), decision.id)
    assert decision.served_at is not None and decision.receipt_attachment_id
    file_url = f"/accountability/files/{decision.receipt_attachment_id}"
    with client.get(file_url) as response:
        assert response.data == PNG
    other = app.test_client()
    login(other, "operator")
    assert other.get(file_url).status_code == 403
    town = app.test_client()
    from tests.factories import create_user

    create_user("town", roles=["inspector"], unit=acc_org["units"]["CC-CGZ-JW"])
    db.session.commit()
    login(town, "town")
    assert town.get(file_url).status_code == 404


def test_every_page_of_the_workspace_is_accessible_in_each_state(app, client, acc_org, at):
    from app.accountability.inspections import record_inspection
    from app.accountability.services import perform_acc_action
    from tests.accountability.helpers import proposed_case
    from tests.htmlpage import accessibility_problems

    inspector, head = acc_org["users"]["inspector"], acc_org["users"]["jw_head"]
    at(2026, 3, 5, 10, 0)
    referral = create_referral({"unit_code": "CC-RSJ", "summary": "线索"}, inspector)
    proposed = proposed_case(acc_org)
    served = proposed_case(acc_org, staff_name="刘某某")
    perform_acc_action(served, "approve", head, {})
    db.session.commit()
    decision = served.decisions[0]
    perform_acc_action(
        served,
        "serve",
        inspector,
        {"decision": str(decision.id), "served_to": "刘某某", "served_how": "post"},
    )
    perform_acc_action(
        served, "file_appeal", inspector, {"decision": str(decision.id), "text": "不服"}
    )
    inspection = record_inspection(
        {"held_on": "2026-03-01", "place": "大厅", "team": "一组"}, inspector
    )
    db.session.commit()
    at()
    pages = [
        "/accountability",
        f"/accountability/referrals/{referral.id}",
        f"/accountability/cases/{proposed.id}",
        f"/accountability/cases/{served.id}",
        f"/accountability/records/staff/{decision.staff_id}",
        f"/accountability/records/units/{decision.unit_id}",
        f"/accountability/inspections/{inspection.id}",
        "/accountability/inspections/new",
        "/accountability/referrals/new",
    ]
    for username in ("inspector", "jw_head", "leader"):
        reader = app.test_client()
        login(reader, username)
        for url in pages:
            response = reader.get(url)
            if response.status_code != 200:
                assert username == "leader", (username, url)
                continue
            problems = accessibility_problems(response.get_data(as_text=True))
            assert not problems, (username, url, problems)


def test_the_office_lands_on_its_queue_and_the_head_sees_appeals_waiting(app, client, acc_org):
    from tests.accountability.helpers import appealed_case

    appealed = appealed_case(acc_org)
    for username in ("inspector", "jw_head"):
        reader = app.test_client()
        login(reader, username)
        assert reader.get("/").headers["Location"] == "/accountability"
    head = app.test_client()
    login(head, "jw_head")
    page = head.get("/accountability").get_data(as_text=True)
    assert 'id="tab-approval" aria-current="page"' in page.replace('class="active" ', "")
    assert f'data-case="{appealed.number}"' in page
    assert client.get("/").headers["Location"] == "/login"


def test_a_bad_field_is_named_before_the_question(client, acc_org):
    from tests.accountability.helpers import verifying_case

    acc_case = verifying_case(acc_org)
    login(client, "inspector")
    page = client.get(f"/accountability/cases/{acc_case.id}").get_data(as_text=True)
    r = client.post(
        f"/accountability/cases/{acc_case.id}/no_action",
        data={
            "csrf_token": csrf(page),
            "version": acc_case.version,
            "confirmed": "",
            "kind": "exempt",
        },
    )
    assert r.status_code == 422 and "confirm-page" not in r.get_data(as_text=True)
    db.session.refresh(acc_case)
    assert acc_case.state == "verifying"
