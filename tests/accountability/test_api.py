"""The accountability API: referrals, cases, records and inspections over JSON."""

import pytest
import sqlalchemy as sa

from app.accountability.models import (
    AccountabilityCase,
    Decision,
    Inspection,
    InspectionFinding,
    LegalBasis,
    Referral,
)
from app.accountability.referrals import create_referral
from app.accountability.workflow import AccState
from app.auth.services import create_token
from app.cases.models import Case
from app.core.trail import Event
from app.extensions import db
from tests.accountability.helpers import proposed_case, registered_case, served_case
from tests.factories import create_user


@pytest.fixture
def call(client, acc_org):
    users = dict(acc_org["users"])
    users["town_inspector"] = create_user(
        "town_inspector", unit=acc_org["units"]["CC-CGZ-JW"], roles=["inspector"]
    )
    tokens = {name: create_token(user) for name, user in users.items()}
    db.session.commit()

    def _call(method, path, user="inspector", raw=None, **kwargs):
        headers = {"Authorization": f"Bearer {tokens[user]}", **kwargs.pop("headers", {})}
        if raw is not None:
            kwargs.update(data=raw, content_type="application/json")
        return client.open(f"/api/v1{path}", method=method, headers=headers, **kwargs)

    return _call


def _bases() -> list[str]:
    return [str(i) for i in db.session.scalars(sa.select(LegalBasis.id).order_by(LegalBasis.id))][
        :2
    ]


def test_a_referral_becomes_a_decision_served_through_the_api(call, acc_org):
    staff = acc_org["staff"]["王某某"]
    r = call("POST", "/referrals", json={"staff": str(staff.id), "summary": "超期未办结。"})
    assert r.status_code == 201, r.json
    referral = r.json
    assert referral["organ"]["code"] == "CC-JW" and referral["state"] == "pending"
    assert r.headers["Location"].endswith(f"/api/v1/referrals/{referral['id']}")
    assert call("GET", f"/referrals/{referral['id']}").json["origin"] == "manual"
    queue = call("GET", "/accountability/queue").json
    assert queue["tab"] == "referrals" and queue["counts"]["referrals"] == 1
    assert queue["items"][0]["id"] == referral["id"]
    r = call("POST", f"/referrals/{referral['id']}/accept", json={"title": "王某某超期问责"})
    assert r.status_code == 200, r.json
    acc_case = r.json
    assert acc_case["state"] == "registered" and acc_case["title"] == "王某某超期问责"
    assert acc_case["referrals"][0]["id"] == referral["id"]
    assert acc_case["allowed_actions"] == ["verify"]
    path = f"/accountability/cases/{acc_case['id']}"
    r = call("POST", f"{path}/actions/verify", json={"version": acc_case["version"]})
    assert r.status_code == 200 and r.json["state"] == "verifying"
    decision_id = r.json["decisions"][0]["id"]
    draft = {
        "decision": str(decision_id),
        "form_code": "efficiency_warning",
        "facts": "经核实，超期十二个工作日。",
        "basis_ids": _bases(),
        "requirements": "作出书面检查。",
        "execution_days": 5,
    }
    r = call("POST", f"{path}/actions/draft_decision", json=draft)
    assert r.status_code == 200, r.json
    drafted = r.json["decisions"][0]
    assert drafted["form_code"] == "efficiency_warning" and len(drafted["bases"]) == 2
    assert call("POST", f"{path}/actions/propose", json={}).status_code == 200
    # The inspector proposed: the head approves, and the notice is rendered after commit.
    assert call("POST", f"{path}/actions/approve", json={}).status_code == 403
    r = call("POST", f"{path}/actions/approve", "jw_head", json={"note": "同意"})
    assert r.status_code == 200, r.json
    body = call("GET", path).json
    decision = body["decisions"][0]
    assert body["state"] == "issued" and decision["number"].startswith("澄纪效告〔")
    assert decision["document_status"] == "done"
    document = call("GET", f"/documents/{decision['document_id']}").json
    assert document["number"] == decision["number"]
    r = call(
        "POST",
        f"{path}/actions/serve",
        json={"decision": str(decision_id), "served_to": "王某某", "served_how": "post"},
    )
    assert r.status_code == 200 and r.json["state"] == "served"
    served = r.json["decisions"][0]
    assert served["service"]["served_how"] == "post" and served["appeal"]["until"]
    assert [c["kind"] for c in r.json["clocks"]] == ["appeal"]
    assert [e["action"] for e in r.json["events"]][-3:] == ["approve", "issue", "serve"]
    r = call("POST", f"{path}/actions/start_execution", headers={"If-Match": "1"})
    assert r.status_code == 409  # a stale version
    record = call("GET", f"/accountability/records/staff/{staff.id}").json
    assert record["decisions"][0]["number"] == decision["number"]
    year = record["counters"][0]
    assert year["counts"]["decisions"] == 1 and year["counts"]["form:efficiency_warning"] == 1


def test_a_referral_is_declined_once(call, acc_org):
    referral = create_referral(
        {"unit_code": "CC-RSJ", "summary": "督促不力。"}, acc_org["users"]["inspector"]
    )
    db.session.commit()
    r = call("POST", f"/referrals/{referral.id}/decline", "jw_head", json={"reason": "证据不足"})
    assert r.status_code == 200 and r.json["state"] == "declined"
    assert r.json["decline_reason"] == "证据不足"
    r = call("POST", f"/referrals/{referral.id}/decline", json={"reason": "再拒"})
    assert r.status_code == 409
    r = call("POST", f"/referrals/{referral.id}/accept", json={})
    assert r.status_code == 409
    assert db.session.scalar(sa.select(sa.func.count(AccountabilityCase.id))) == 0


def test_a_referral_joins_an_open_case(call, acc_org):
    acc_case = registered_case(acc_org)
    other = create_referral(
        {"unit_code": "CC-RSJ", "summary": "单位督促不力。"}, acc_org["users"]["inspector"]
    )
    db.session.commit()
    r = call("POST", f"/referrals/{other.id}/accept", json={"into": acc_case.number})
    assert r.status_code == 200 and r.json["id"] == acc_case.id
    assert [d["subject_type"] for d in r.json["decisions"]] == ["staff", "unit"]


def test_the_queue_tabs_and_a_leader(call, acc_org):
    proposed_case(acc_org)
    body = call("GET", "/accountability/queue", "jw_head").json
    assert body["tab"] == "approval" and body["counts"]["approval"] == 1
    assert set(body["counts"]) == {"referrals", "mine", "approval", "deadlines", "all"}
    assert call("GET", "/accountability/queue?tab=mine").json["total"] == 1
    leader = call("GET", "/accountability/queue", "leader").json
    assert leader["tab"] == "all" and list(leader["counts"]) == ["all"]
    assert leader["items"][0]["state"] == "proposed"
    r = call("GET", "/accountability/queue?tab=referrals", "leader")
    assert r.status_code == 422 and set(r.json["fields"]) == {"tab"}
    assert call("GET", "/accountability/queue", "handler").status_code == 403
    assert call("GET", "/accountability/queue?per_page=0").status_code == 422


def test_deadlines_list_the_running_clocks(call, acc_org):
    served_case(acc_org)
    body = call("GET", "/accountability/queue?tab=deadlines").json
    assert body["total"] == 1 and body["items"][0]["clock"]["kind"] == "appeal"
    assert body["items"][0]["acc_case"]["state"] == "served"


def test_records_for_inspectors_and_leaders_of_the_jurisdiction(call, acc_org):
    served_case(acc_org)
    unit = acc_org["units"]["CC-RSJ"]
    body = call("GET", f"/accountability/records/units/{unit.id}", "leader").json
    assert body["unit"]["code"] == "CC-RSJ" and body["cards"] == []
    staff = acc_org["staff"]["王某某"]
    assert call("GET", f"/accountability/records/staff/{staff.id}", "leader").status_code == 200
    # A leader of a town reads about the town only.
    town_leader = create_user("town_leader", unit=acc_org["units"]["CC-CGZ"], roles=["leader"])
    token = create_token(town_leader)
    db.session.commit()
    r = call(
        "GET",
        f"/accountability/records/units/{unit.id}",
        "leader",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert r.status_code == 404
    assert call("GET", f"/accountability/records/units/{unit.id}", "operator").status_code == 403
    assert call("GET", "/accountability/records/staff/999999").status_code == 404


def test_inspections_and_their_findings(call, acc_org):
    r = call(
        "POST",
        "/inspections",
        json={"held_on": "2026-03-02", "place": "县政务服务中心", "team": "周监察、何主任"},
    )
    assert r.status_code == 201, r.json
    inspection_id = r.json["id"]
    assert r.json["organ"]["code"] == "CC-JW" and r.json["findings"] == []
    person = {
        "kind": "person",
        "unit_code": "CC-ZWFW",
        "staff": str(acc_org["staff"]["张某某"].id),
        "text": "三号窗口工作人员离岗。",
    }
    r = call("POST", f"/inspections/{inspection_id}/findings", json=person)
    assert r.status_code == 201, r.json
    assert r.json["referral_id"] is not None and r.json["case_id"] is None
    service = {
        "kind": "unit_service",
        "unit_code": "CC-ZWFW",
        "category_code": "attitude",
        "title": "窗口无人",
        "text": "窗口长时间无人。",
    }
    r = call("POST", f"/inspections/{inspection_id}/findings", json=service)
    assert r.status_code == 201 and r.json["case_number"]
    body = call("GET", f"/inspections/{inspection_id}").json
    assert [f["kind"] for f in body["findings"]] == ["person", "unit_service"]
    assert call("GET", f"/inspections/{inspection_id}", "town_inspector").status_code == 404


def test_reference_lists(call, acc_org):
    forms = call("GET", "/accountability/forms", "handler").json["items"]
    assert [f["rank"] for f in forms] == sorted(f["rank"] for f in forms)
    assert "efficiency_warning" in {f["code"] for f in forms}
    bases = call("GET", "/accountability/legal-bases").json["items"]
    assert bases and bases[0]["citation"].startswith("《")


# ---------------------------------------------------------------- bad input


COUNTED = (Event, Referral, AccountabilityCase, Decision, Inspection, InspectionFinding, Case)


def stored() -> tuple:
    """What a refused request must leave as it was: row counts and the cases' versions."""
    db.session.expire_all()
    counts = [db.session.scalar(sa.select(sa.func.count()).select_from(m)) for m in COUNTED]
    return (*counts, tuple(db.session.scalars(sa.select(AccountabilityCase.version))))


@pytest.fixture
def world(acc_org):
    """A referral, a case in verifying and an inspection of the county office."""
    from app.accountability.inspections import record_inspection
    from app.accountability.services import perform_acc_action

    inspector = acc_org["users"]["inspector"]
    acc_case = registered_case(acc_org)
    perform_acc_action(acc_case, "verify", inspector, {})
    referral = create_referral({"unit_code": "CC-ZJJ", "summary": "督促不力。"}, inspector)
    inspection = record_inspection(
        {"held_on": "2026-03-02", "place": "县政务服务中心", "team": "周监察"}, inspector
    )
    db.session.commit()
    # A case of the town's office: its ids are another office's.
    town = create_user("town_head", unit=acc_org["units"]["CC-CGZ-JW"], roles=["inspector"])
    town_referral = create_referral(
        {"staff": str(acc_org["staff"]["周某某"].id), "summary": "副镇长推诿。"}, town
    )
    db.session.commit()
    return {
        "case": acc_case.id,
        "decision": acc_case.decisions[0].id,
        "referral": referral.id,
        "inspection": inspection.id,
        "town_referral": town_referral.id,
        "rsj_staff": acc_org["staff"]["王某某"].id,
    }


NUL = "a\x00b"
LONG = "长" * 20001


def bad_requests(w):
    case = f"/accountability/cases/{w['case']}/actions"
    draft = {
        "decision": str(w["decision"]),
        "form_code": "efficiency_warning",
        "facts": "事实。",
        "basis_ids": ["1"],
    }
    return [
        # path, body (dict: JSON; str: raw), expected status, field named
        ("/referrals", "{", 400, None),
        ("/referrals", "[]", 400, None),
        ("/referrals", '"text"', 400, None),
        ("/referrals", {"unit_code": "CC-RSJ", "summary": "x", "origin": "rule"}, 422, "origin"),
        ("/referrals", {"unit_code": 7, "summary": "x"}, 422, "unit_code"),
        ("/referrals", {"unit_code": "CC-RSJ", "summary": ["x"]}, 422, "summary"),
        ("/referrals", {"unit_code": "CC-RSJ", "summary": NUL}, 422, "summary"),
        ("/referrals", {"unit_code": "CC-RSJ", "summary": LONG}, 422, "summary"),
        ("/referrals", {"staff": "99999999", "summary": "x"}, 422, "staff"),
        ("/referrals", {"summary": "x"}, 422, "unit_code"),
        (f"/referrals/{w['referral']}/accept", {"into": "WZ-NONE"}, 422, "into"),
        (f"/referrals/{w['referral']}/accept", {"title": NUL}, 422, "title"),
        (f"/referrals/{w['referral']}/accept", {"title": 5}, 422, "title"),
        (f"/referrals/{w['referral']}/accept", {"state": "accepted"}, 422, "state"),
        (f"/referrals/{w['referral']}/accept", "[1]", 400, None),
        (f"/referrals/{w['referral']}/decline", {"reason": ""}, 422, "reason"),
        (f"/referrals/{w['referral']}/decline", {"reason": "x" * 5001}, 422, "reason"),
        (f"/referrals/{w['referral']}/decline", {"reason": None}, 422, "reason"),
        (f"/referrals/{w['town_referral']}/accept", {}, 404, None),
        (f"/referrals/{w['town_referral']}/decline", {"reason": "x"}, 404, None),
        (f"{case}/draft_decision", {**draft, "basis_ids": "1"}, 422, "basis_ids"),
        (f"{case}/draft_decision", {**draft, "execution_days": "5"}, 422, "execution_days"),
        (f"{case}/draft_decision", {**draft, "execution_days": True}, 422, "execution_days"),
        (f"{case}/draft_decision", {**draft, "facts": NUL}, 422, "facts"),
        (f"{case}/draft_decision", {**draft, "facts": "x" * 20001}, 422, "facts"),
        (f"{case}/draft_decision", {**draft, "decision": "99999"}, 422, "decision"),
        (f"{case}/draft_decision", {**draft, "number": "澄纪效告〔2026〕1号"}, 422, "number"),
        (f"{case}/draft_decision", {**draft, "version": "1"}, 422, "version"),
        (f"{case}/draft_decision", {**draft, "version": 99}, 409, None),
        (f"{case}/draft_decision", "{'a': 1}", 400, None),
        (f"{case}/request_statement", {"days": 0}, 422, "days"),
        (f"{case}/request_statement", {"days": 2**40}, 422, "days"),
        (
            f"{case}/add_subject",
            {"staff": str(w["rsj_staff"]), "unit_code": "CC-ZJJ"},
            422,
            "staff",
        ),
        (f"{case}/add_subject", {"unit_code": "X" * 41}, 422, "unit_code"),
        (f"{case}/no_action", {"kind": "maybe", "reason": "x"}, 422, "kind"),
        (f"{case}/fly", {}, 404, None),
        (f"{case}/approve", {}, 403, None),
        (f"{case}/serve", {}, 409, None),
        ("/accountability/cases/99999/actions/verify", {}, 404, None),
        ("/inspections", {"held_on": "2026-02-30", "place": "x", "team": "y"}, 422, "held_on"),
        ("/inspections", {"held_on": "2999-01-01", "place": "x", "team": "y"}, 422, "held_on"),
        ("/inspections", {"held_on": 20260302, "place": "x", "team": "y"}, 422, "held_on"),
        ("/inspections", {"held_on": "2026-03-02", "place": NUL, "team": "y"}, 422, "place"),
        ("/inspections", {"held_on": "2026-03-02", "place": "x" * 201, "team": "y"}, 422, "place"),
        (
            "/inspections",
            {"held_on": "2026-03-02", "place": "x", "team": "y", "organ_id": 1},
            422,
            "organ_id",
        ),
        ("/inspections", "nope", 400, None),
        (
            f"/inspections/{w['inspection']}/findings",
            {"kind": "person", "unit_code": "CC-ZWFW", "text": "x"},
            422,
            "staff",
        ),
        (
            f"/inspections/{w['inspection']}/findings",
            {"kind": "unit_service", "unit_code": "CC-ZWFW", "title": "t", "text": "x"},
            422,
            "category_code",
        ),
        (
            f"/inspections/{w['inspection']}/findings",
            {"kind": "person", "unit_code": "CC-ZWFW", "staff": 3, "text": "x"},
            422,
            "staff",
        ),
        (
            f"/inspections/{w['inspection']}/findings",
            {"kind": "audit", "unit_code": "CC-ZWFW", "text": NUL},
            422,
            "kind",
        ),
        (
            f"/inspections/{w['inspection']}/findings",
            {"kind": "person", "unit_code": "CC-ZWFW", "text": "x", "case_id": 1},
            422,
            "case_id",
        ),
        ("/inspections/99999/findings", {"kind": "person"}, 404, None),
    ]


def test_bad_input_is_a_clear_4xx_and_stores_nothing(call, world):
    for path, body, status, field in bad_requests(world):
        before = stored()
        r = call("POST", path, **({"raw": body} if isinstance(body, str) else {"json": body}))
        assert r.status_code == status, (path, body, r.status_code, r.json)
        assert r.is_json and r.json["error"] and r.json["message"], (path, body)
        if field is not None:
            assert field in r.json["fields"], (path, body, r.json)
        assert stored() == before, (path, body)


def test_nul_bytes_in_ids_and_queries_are_refused(call, world):
    assert call("GET", "/accountability/queue?tab=a%00b").status_code == 422
    assert call("GET", "/accountability/queue?page=x").status_code == 422
    assert call("GET", f"/referrals/{world['town_referral']}").status_code == 404
    assert call("GET", f"/referrals/{world['referral']}", "town_inspector").status_code == 404
    assert call("GET", f"/accountability/cases/{world['case']}", "town_inspector").status_code == (
        404
    )
    assert call("GET", "/accountability/cases/2147483648").status_code == 404


def test_a_body_too_large_is_413(call, world, app):
    before = stored()
    big = '{"summary": "' + "x" * (app.config["API_MAX_BODY_BYTES"] + 1) + '"}'
    assert call("POST", "/referrals", raw=big).status_code == 413
    assert stored() == before


def test_a_case_answers_what_the_caller_may_do(call, world):
    body = call("GET", f"/accountability/cases/{world['case']}").json
    assert body["state"] == AccState.VERIFYING
    assert "draft_decision" in body["allowed_actions"] and "approve" not in body["allowed_actions"]
    assert (
        call("GET", f"/accountability/cases/{world['case']}", "leader").json["allowed_actions"]
        == []
    )


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def test_photos_and_a_receipt_through_the_api(client, acc_org):
    import io

    from app.accountability.inspections import record_inspection
    from app.accountability.services import perform_acc_action
    from app.auth.services import create_token
    from tests.accountability import helpers

    inspector = acc_org["users"]["inspector"]
    headers = {"Authorization": f"Bearer {create_token(inspector)}"}
    leader_headers = {"Authorization": f"Bearer {create_token(acc_org['users']['leader'])}"}
    inspection = record_inspection(
        {"held_on": "2026-03-02", "place": "大厅", "team": "一组"}, inspector
    )
    db.session.commit()
    url = f"/api/v1/inspections/{inspection.id}/photos"
    none = client.post(url, headers=headers, data={}, content_type="multipart/form-data")
    assert none.status_code == 422 and "photos" in none.json["fields"]
    exe = client.post(
        url,
        headers=headers,
        data={"photos": (io.BytesIO(b"MZ\x90"), "a.exe")},
        content_type="multipart/form-data",
    )
    assert exe.status_code == 422
    added = client.post(
        url,
        headers=headers,
        data={"photos": [(io.BytesIO(PNG), "1.png"), (io.BytesIO(PNG), "2.png")]},
        content_type="multipart/form-data",
    )
    assert added.status_code == 201 and len(added.json["photos"]) == 2
    with client.get(added.json["photos"][0]["url"], headers=headers) as photo:
        assert photo.status_code == 200 and photo.data == PNG
    assert client.get(added.json["photos"][0]["url"], headers=leader_headers).status_code == 404

    acc_case = helpers.issued_case(acc_org)
    decision = acc_case.decisions[0]
    receipt_url = f"/api/v1/accountability/cases/{acc_case.id}/decisions/{decision.id}/receipt"
    early = client.post(
        receipt_url,
        headers=headers,
        data={"receipt": (io.BytesIO(PNG), "r.png")},
        content_type="multipart/form-data",
    )
    assert early.status_code == 409
    perform_acc_action(
        acc_case,
        "serve",
        inspector,
        {"decision": str(decision.id), "served_to": "王某某", "served_how": "post"},
    )
    db.session.commit()
    two = client.post(
        receipt_url,
        headers=headers,
        data={"receipt": [(io.BytesIO(PNG), "r.png"), (io.BytesIO(PNG), "s.png")]},
        content_type="multipart/form-data",
    )
    assert two.status_code == 422
    done = client.post(
        receipt_url,
        headers=headers,
        data={"receipt": (io.BytesIO(PNG), "r.png")},
        content_type="multipart/form-data",
    )
    assert done.status_code == 200
    receipt = done.json["service"]["receipt"]
    assert receipt["filename"] == "r.png" and receipt["size"] == len(PNG)
    with client.get(receipt["url"], headers=leader_headers) as scan:  # the county's leader
        assert scan.status_code == 200
    again = client.post(
        receipt_url,
        headers=headers,
        data={"receipt": (io.BytesIO(PNG), "r.png")},
        content_type="multipart/form-data",
    )
    assert again.status_code == 409
    other = client.post(
        f"/api/v1/accountability/cases/{acc_case.id}/decisions/999999/receipt",
        headers=headers,
        data={"receipt": (io.BytesIO(PNG), "r.png")},
        content_type="multipart/form-data",
    )
    assert other.status_code == 404
