"""The admin keeps the legal bases and the accumulation rules; nothing else may."""

import re

import pytest
import sqlalchemy as sa

from app.accountability.models import AccumulationRule, LegalBasis
from app.accountability.reference import seed_reference
from app.extensions import db
from tests.conftest import login


def csrf(html: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)


@pytest.fixture
def reference(org):
    seed_reference()
    db.session.commit()


def test_the_admin_adds_and_switches_off_a_basis(client, reference):
    login(client, "admin")
    page = client.get("/admin/legal-bases/new").get_data(as_text=True)
    assert 'id="nav-legal-bases"' in page
    data = {"csrf_token": csrf(page), "name": "《澄川县机关效能问责办法》", "article": "第二十条"}
    missing = client.post("/admin/legal-bases/new", data=data)
    assert missing.status_code == 422 and "第二十条" in missing.get_data(as_text=True)
    saved = client.post(
        "/admin/legal-bases/new", data={**data, "text": "本办法自发布之日起施行。", "active": "y"}
    )
    assert saved.status_code == 303
    basis = db.session.scalar(sa.select(LegalBasis).where(LegalBasis.article == "第二十条"))
    twice = client.post("/admin/legal-bases/new", data={**data, "text": "重复", "active": "y"})
    assert twice.status_code == 422
    off = client.post(
        f"/admin/legal-bases/{basis.id}", data={**data, "text": "本办法自发布之日起施行。"}
    )
    assert off.status_code == 303
    db.session.expire_all()
    assert db.session.get(LegalBasis, basis.id).active is False
    assert "not in force" not in client.get("/admin/legal-bases").get_data(as_text=True)


def test_the_admin_changes_a_rule_and_bad_ones_are_refused(client, reference):
    login(client, "admin")
    rule = db.session.scalar(
        sa.select(AccumulationRule).where(AccumulationRule.form_code == "admonition")
    )
    page = client.get(f"/admin/accumulation-rules/{rule.id}").get_data(as_text=True)
    assert re.search(r'<option selected value="admonition">', page)
    base = {
        "csrf_token": csrf(page),
        "subject_type": "staff",
        "counts": "decision",
        "form_code": "admonition",
        "period": "year",
        "suggests_code": "efficiency_warning",
        "active": "y",
    }
    for bad in (
        {"threshold": "0"},
        {"threshold": "5", "form_code": "nope"},
        {"threshold": "5", "counts": "red_card"},
        {"threshold": "5", "period": "decade"},
    ):
        assert (
            client.post(f"/admin/accumulation-rules/{rule.id}", data={**base, **bad}).status_code
            == 422
        ), bad
    assert (
        client.post(
            f"/admin/accumulation-rules/{rule.id}", data={**base, "threshold": "4"}
        ).status_code
        == 303
    )
    db.session.expire_all()
    assert db.session.get(AccumulationRule, rule.id).threshold == 4


@pytest.mark.parametrize("username", ["inspector", "jw_head", "operator", "leader"])
def test_only_the_admin_keeps_the_reference_data(client, reference, username):
    login(client, username)
    for url in ("/admin/legal-bases", "/admin/legal-bases/new", "/admin/accumulation-rules"):
        assert client.get(url).status_code in (403, 404), url


def test_the_same_rule_twice_is_refused(client, reference):
    login(client, "admin")
    page = client.get("/admin/accumulation-rules/new").get_data(as_text=True)
    data = {
        "csrf_token": csrf(page),
        "subject_type": "staff",
        "counts": "decision",
        "form_code": "admonition",
        "threshold": "3",
        "period": "year",
        "suggests_code": "efficiency_warning",
        "active": "y",
    }
    assert client.post("/admin/accumulation-rules/new", data=data).status_code == 422
    same_form = {**data, "threshold": "4", "suggests_code": "admonition"}
    assert client.post("/admin/accumulation-rules/new", data=same_form).status_code == 422
    assert (
        client.post("/admin/accumulation-rules/new", data={**data, "threshold": "4"}).status_code
        == 303
    )
