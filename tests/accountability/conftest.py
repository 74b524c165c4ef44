"""Fixtures of the accountability tests: the demo county with its staff and reference data."""

import pytest

from app.accountability.reference import seed_reference
from app.demo.seed import seed_staff
from app.extensions import db
from app.units.models import Staff


@pytest.fixture
def acc_org(org):
    """The demo county (``org``) with staff lists, the ladder, bases and rules."""
    seed_staff(org["units"])
    seed_reference()
    db.session.commit()
    staff = {s.name: s for s in db.session.scalars(db.select(Staff))}
    return {**org, "staff": staff}
