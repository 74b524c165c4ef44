"""Case numbers stay unique and gap-free when many operators register at once."""

import threading

import sqlalchemy as sa

from app.cases.models import Case
from app.extensions import db
from app.intake.services import register_case
from tests.conftest import complaint


def test_concurrent_registrations_get_distinct_consecutive_numbers(app, org):
    operator_id = org["users"]["operator"].id
    errors = []
    barrier = threading.Barrier(6)

    def register():
        with app.app_context():
            try:
                from app.auth.models import User

                operator = db.session.get(User, operator_id)
                barrier.wait(timeout=10)
                register_case(complaint(), operator)
                db.session.commit()
            except Exception as error:  # collected and asserted below
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=register) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert errors == []
    numbers = sorted(db.session.scalars(sa.select(Case.number)))
    seq = [int(n.rsplit("-", 1)[1]) for n in numbers]
    assert seq == list(range(1, 7))
