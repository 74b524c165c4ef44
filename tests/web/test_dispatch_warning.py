"""The dispatch form warns before a case goes where nobody can sign; passing down offers
only the units below."""

import re

import sqlalchemy as sa

from app.cases.actions import perform_action
from app.cases.models import Assignment, Case
from app.extensions import db
from tests.conftest import login

WARNING = 'id="no-signer-warning"'
ASK = "该单位无人可签收，仍要派发？"


def option(html: str, code: str, attribute: str) -> bool:
    """Return True if the option of ``code`` carries ``attribute``."""
    tag = re.search(rf'<option[^>]*value="{code}"[^>]*>', html)[0]
    return attribute in tag


def _dispatch_section(html: str) -> str:
    return re.search(r'<details class="action" id="action-dispatch".*?</details>', html, re.S)[0]


def test_the_page_warns_when_nobody_can_sign_for_the_suggested_unit(client, make_case):
    case = make_case(respondent_unit_code="CC-SQX", category_code="sloth")
    login(client, "operator")
    section = _dispatch_section(client.get(f"/cases/{case.id}").get_data(as_text=True))
    assert option(section, "CC-SQX", "selected")
    warning = re.search(rf"<p[^>]*{WARNING}[^>]*>", section)[0]
    assert "hidden" not in warning
    assert 'name="confirm_no_signer"' in section
    # Each unit where nobody signs is marked, so that choosing it shows the warning too.
    assert option(section, "CC-CGZ", "data-flagged")
    assert not option(section, "CC-RSJ", "data-flagged")


def test_no_warning_and_no_box_where_someone_signs(client, make_case):
    case = make_case()  # the router suggests 人社局, which has a handler and a lead
    login(client, "operator")
    section = _dispatch_section(client.get(f"/cases/{case.id}").get_data(as_text=True))
    assert "hidden" in re.search(rf"<p[^>]*{WARNING}[^>]*>", section)[0]
    assert 'name="confirm_no_signer"' not in section


def test_submitting_asks_to_confirm_then_dispatches(client, make_case):
    case = make_case(respondent_unit_code="CC-SQX", category_code="sloth")
    login(client, "operator")
    data = {"unit_code": "CC-SQX", "note": "请按期办理", "version": case.version}
    r = client.post(f"/cases/{case.id}/dispatch", data=data)
    assert r.status_code == 422
    section = _dispatch_section(r.get_data(as_text=True))
    assert ASK in section and 'name="confirm_no_signer"' in section
    assert "请按期办理" in section  # what was typed comes back
    db.session.expire_all()
    assert db.session.get(Case, case.id).state == "screening"
    assert db.session.scalar(sa.select(sa.func.count(Assignment.id))) == 0
    r = client.post(f"/cases/{case.id}/dispatch", data={**data, "confirm_no_signer": "y"})
    assert r.status_code == 303
    db.session.expire_all()
    assert db.session.get(Case, case.id).state == "dispatched"
    # Once there, the case page keeps saying that nobody can sign for it.
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    warning = re.search(r'<p[^>]*id="unsigned-unit"[^>]*>(.*?)</p>', page, re.S)
    assert warning and "无人可签收" in warning[1]


def test_a_case_dispatched_where_someone_signs_carries_no_such_warning(client, make_case):
    case = make_case("dispatch")  # to 人社局
    login(client, "operator")
    assert 'id="unsigned-unit"' not in client.get(f"/cases/{case.id}").get_data(as_text=True)


def test_the_pass_down_picker_lists_only_units_below(client, make_case):
    case = make_case("dispatch", "sign")  # led by 人社局
    login(client, "handler")
    html = client.get(f"/cases/{case.id}").get_data(as_text=True)
    section = re.search(r'id="action-sub_dispatch".*?</details>', html, re.S)[0]
    offered = re.findall(r'<option[^>]*value="([^"]+)"', section)
    # 人社局 has the township social-security station on its sector line, nothing else.
    assert offered == ["CC-CGZ-SBS"]


def test_a_unit_with_nobody_below_is_not_offered_passing_down(client, make_case, org):
    case = make_case(respondent_unit_code="CC-ZJJ", category_code="sloth")
    perform_action(case, "dispatch", org["users"]["operator"], {"unit_code": "CC-ZJJ"})
    perform_action(case, "sign", org["users"]["handler2"], {})
    db.session.commit()
    login(client, "handler2")
    html = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert 'id="action-reply"' in html and 'id="action-sub_dispatch"' not in html
    r = client.post(f"/cases/{case.id}/sub_dispatch", data={"unit_code": "CC-CGZ-SBS"})
    assert r.status_code == 409


def test_passing_down_elsewhere_is_refused(client, make_case):
    case = make_case("dispatch", "sign")
    login(client, "handler")
    for code in ("CC-ZJJ", "CC-TSZX", "CC", "CC-RSJ"):
        r = client.post(f"/cases/{case.id}/sub_dispatch", data={"unit_code": code})
        assert r.status_code == 422, code
        assert "只能下派给本单位的下级单位" in r.get_data(as_text=True)
    db.session.expire_all()
    assert [a.role for a in db.session.get(Case, case.id).active_assignments] == ["lead"]
