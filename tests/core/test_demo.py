"""`flask demo seed`: idempotent, every state, refused in production config."""

import re

import sqlalchemy as sa

from app.auth.models import User
from app.cases.models import Case
from app.demo.seed import DEMO_CASES, STAFF, seed_demo
from app.extensions import db
from app.units.models import Unit


def test_seed_is_idempotent_and_covers_states_and_tiers(app):
    first = seed_demo()
    db.session.commit()
    second = seed_demo()
    db.session.commit()
    assert first["cases added"] == len(DEMO_CASES) and second["cases added"] == 0
    assert db.session.scalar(sa.select(sa.func.count(Case.id))) == len(DEMO_CASES)
    states = set(db.session.scalars(sa.select(Case.state)))
    from app.cases.workflow import State

    assert states == {s.value for s in State}
    assert set(db.session.scalars(sa.select(Unit.tier))) == {1, 2, 3, 4}
    assert first["staff added"] == len(STAFF) and second["staff added"] == 0
    usernames = set(db.session.scalars(sa.select(User.username)))
    assert usernames == {
        "operator",
        "center_lead",
        "handler",
        "unit_lead",
        "inspector",
        "jw_head",
        "leader",
        "admin",
        "handler2",
        "jw_handler",
        "jw_lead",
    }
    handler, lead = (
        db.session.scalar(sa.select(User).where(User.username == n))
        for n in ("handler", "unit_lead")
    )
    assert handler.unit_id == lead.unit_id


def _demo_counts() -> dict[str, int]:
    from app.accountability.models import AccountabilityCase, Decision, Referral
    from app.core.trail import Event
    from app.documents.models import Document

    return {
        model.__name__: db.session.scalar(sa.select(sa.func.count()).select_from(model))
        for model in (AccountabilityCase, Decision, Referral, Document, Event)
    }


def test_demo_has_referrals_and_an_accountability_case_in_every_main_state(app):
    from app.accountability.models import AccountabilityCase, Referral
    from app.accountability.workflow import ACC_WORKFLOW, AccState
    from app.core.trail import verify_chains

    first = seed_demo()
    db.session.commit()
    counts = _demo_counts()
    second = seed_demo()
    db.session.commit()
    assert first["accountability cases added"] == 7 and second["accountability cases added"] == 0
    assert second["referrals made"] == 0 and _demo_counts() == counts
    # The red cards of the demo bring referrals; some wait in the inspectors' queue.
    red = db.session.scalars(sa.select(Referral).where(Referral.origin == "red_card")).all()
    assert red and any(r.state == "pending" for r in red)
    cases = {c.state: c for c in db.session.scalars(sa.select(AccountabilityCase))}
    main = {
        AccState.VERIFYING,
        AccState.PROPOSED,
        AccState.ISSUED,
        AccState.APPEALED,
        AccState.EXECUTING,
        AccState.CLOSED,
        AccState.NO_ACTION,
    }
    assert main <= set(cases)
    assert cases[AccState.VERIFYING].statement_due_at is not None
    head = db.session.scalar(sa.select(User).where(User.username == "jw_head"))
    assert "approve" in ACC_WORKFLOW.allowed(cases[AccState.PROPOSED], head)
    [warning] = cases[AccState.ISSUED].decisions
    assert warning.form.name == "效能告诫" and len(warning.bases) == 2
    assert re.fullmatch(r"澄纪效告〔\d{4}〕\d+号", warning.number)
    assert warning.document.status == "done" and warning.document.pdf.startswith(b"%PDF")
    [appealed] = cases[AccState.APPEALED].decisions
    assert appealed.served_at is not None and appealed.appeal_filed_at is not None
    assert appealed.appeal_outcome is None
    assert all(d.staff is not None for c in cases.values() for d in c.decisions)
    assert verify_chains().broken == []


def test_seed_command_is_refused_by_production_config(app):
    app.config["REFUSE_DEMO_PASSWORDS"] = True
    result = app.test_cli_runner().invoke(args=["demo", "seed"])
    assert result.exit_code != 0 and "refused" in result.output


def test_demo_password_login_is_refused_in_production(app, client):
    seed_demo()
    db.session.commit()
    app.config["REFUSE_DEMO_PASSWORDS"] = True
    r = client.post("/login", data={"username": "operator", "password": "demo1234"})
    assert r.status_code == 401


def test_tokens_create_prints_a_working_token(app, client):
    seed_demo()
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["tokens", "create", "operator"])
    assert result.exit_code == 0
    token = result.output.strip()
    r = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert r.json["username"] == "operator"
    assert app.test_cli_runner().invoke(args=["tokens", "create", "nobody"]).exit_code != 0


def test_production_config_requires_secret_and_database(monkeypatch):
    import pytest

    from app import create_app

    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://x@127.0.0.1/x")
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app("production")
    monkeypatch.setenv("SECRET_KEY", "k" * 40)
    monkeypatch.delenv("DATABASE_URL")
    with pytest.raises(RuntimeError, match="DATABASE_URL"):
        create_app("production")


def test_demo_unit_lead_has_a_draft_to_sign_off_from_a_number_typed_with_86(app):
    from app.cases.access import visible_cases
    from app.cases.queries import sign_off_count
    from app.intake.services import earlier_cases_by_phone

    seed_demo()
    db.session.commit()
    lead, operator = (
        db.session.scalar(sa.select(User).where(User.username == n))
        for n in ("unit_lead", "operator")
    )
    assert sign_off_count(lead) == 1
    [case] = earlier_cases_by_phone("138 0000 1717", visible_cases(operator))
    assert case.title == "灵活就业社保补贴申请材料一再被退回"
