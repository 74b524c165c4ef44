"""Administration: unit tree, categories and routing rules, with their checks."""

import sqlalchemy as sa

from app.cases.models import Category
from app.extensions import db
from app.routing.models import RoutingRule
from app.units.models import Unit
from tests.conftest import login


def unit_id(code: str) -> int:
    return db.session.scalar(sa.select(Unit.id).where(Unit.code == code))


def unit_form(**overrides) -> dict:
    data = {
        "code": "CC-WJJ",
        "name": "澄川县卫生健康局",
        "tier": "2",
        "kind": "department",
        "parent_id": str(unit_id("CC")),
        "supervisor_id": "",
        "active": "y",
    }
    data.update(overrides)
    return data


def test_only_admins_enter(client, org):
    login(client, "operator")
    assert client.get("/admin/units").status_code == 403
    client.post("/logout")
    r = login(client, "admin")
    assert r.headers["Location"].endswith("/admin/units")
    html = client.get("/admin/units").get_data(as_text=True)
    assert "澄川县人力资源和社会保障局" in html and "柳村" in html


def test_admin_creates_and_moves_units_without_cycles(client, org):
    login(client, "admin")
    assert client.post("/admin/units/new", data=unit_form()).status_code == 303
    created = db.session.scalar(sa.select(Unit).where(Unit.code == "CC-WJJ"))
    assert created.parent.code == "CC" and created.tier == 2
    county = unit_id("CC")
    # The county cannot go under its own bureau, nor under a village below it.
    for child in ("CC-WJJ", "CC-SQX-LC"):
        r = client.post(
            f"/admin/units/{county}",
            data=unit_form(
                code="CC", name="澄川县人民政府", kind="government", parent_id=str(unit_id(child))
            ),
        )
        assert r.status_code == 422
    assert client.post("/admin/units/new", data=unit_form()).status_code == 422  # same code
    r = client.post("/admin/units/new", data=unit_form(code="CC-X", tier="1"))
    assert r.status_code == 422  # above its parent's tier
    db.session.expire_all()
    assert db.session.get(Unit, county).parent.code == "CZ"


def test_sector_line_cannot_be_a_circle(client, org):
    login(client, "admin")
    rsj, station = unit_id("CC-RSJ"), unit_id("CC-CGZ-SBS")
    r = client.post(
        f"/admin/units/{rsj}",
        data=unit_form(
            code="CC-RSJ", name="澄川县人力资源和社会保障局", supervisor_id=str(station)
        ),
    )
    assert r.status_code == 422


def test_admin_edits_categories(client, org):
    login(client, "admin")
    data = {
        "code": "queue",
        "name": "排队时间过长",
        "severity": "ordinary",
        "handle_days": "5",
        "position": "20",
        "active": "y",
    }
    assert client.post("/admin/categories/new", data=data).status_code == 303
    assert db.session.scalar(sa.select(Category).where(Category.code == "queue")).handle_days == 5
    r = client.post("/admin/categories/new", data={**data, "code": "q2", "handle_days": "99"})
    assert r.status_code == 422


def test_admin_edits_rules_and_tests_the_rule_set(client, org):
    login(client, "admin")
    rule = {
        "position": "5",
        "name": "站所 → 归口主管部门",
        "subject_kind": "",
        "category_id": "",
        "severity": "",
        "respondent_tier": "",
        "respondent_kind": "station",
        "target": "supervisor",
        "active": "y",
    }
    assert client.post("/admin/routing/new", data=rule).status_code == 303
    r = client.post("/admin/routing/new", data={**rule, "respondent_kind": "", "target": "nowhere"})
    assert r.status_code == 422
    # The city has no tier above it: such a rule could never resolve.
    r = client.post(
        "/admin/routing/new",
        data={
            **rule,
            "respondent_kind": "",
            "respondent_tier": "1",
            "target": "discipline_parent_tier",
        },
    )
    assert r.status_code == 422
    station = unit_id("CC-CGZ-SBS")
    category = db.session.scalar(sa.select(Category.id).where(Category.code == "attitude"))
    html = client.get(
        f"/admin/routing?unit_id={station}&category_id={category}&subject_kind=unit"
    ).get_data(as_text=True)
    assert 'id="rule-test-result"' in html and "澄川县人力资源和社会保障局" in html
    added = db.session.scalar(sa.select(RoutingRule.id).where(RoutingRule.position == 5))
    assert client.post(f"/admin/routing/{added}/delete").status_code == 303
    db.session.expire_all()
    assert db.session.get(RoutingRule, added) is None


def test_returns_are_counted_per_unit(client, make_case, org):
    make_case("dispatch", "request_return", "approve_return")
    make_case("dispatch", "request_return", "deny_return")
    make_case("dispatch")
    login(client, "admin")
    html = client.get("/admin/units").get_data(as_text=True)
    assert 'data-unit="CC-RSJ" class="returns">2 / 1<' in html
    client.post("/logout")
    login(client, "handler")
    assert "退单" in client.get("/cases").get_data(as_text=True)


def test_a_switched_off_rule_says_so_in_the_list(client, org):
    rule = db.session.scalars(sa.select(RoutingRule).order_by(RoutingRule.position)).first()
    rule.active = False
    db.session.commit()
    login(client, "admin")
    html = client.get("/admin/routing").get_data(as_text=True)
    assert f'<span class="badge" id="rule-{rule.id}-off">已停用</span>' in html
    assert html.count("已停用</span>") == 1
