"""The demo organisation with its staff lists."""

import pytest
import sqlalchemy as sa

from app.demo.seed import seed_staff
from app.extensions import db
from app.units.models import Staff


@pytest.fixture
def staff(org):
    """The demo staff lists; ``staff["王某某"]`` is the entry of that name."""
    seed_staff(org["units"])
    db.session.commit()
    return {s.name: s for s in db.session.scalars(sa.select(Staff))}
