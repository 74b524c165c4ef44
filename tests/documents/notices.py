"""A case in the demo county with numbered notices on its handle clock."""

from app.deadlines.workdays import to_local
from app.extensions import db
from tests.conftest import sh
from tests.factories import create_card, create_case

COMPLAINANT = {
    "name": "欧阳明远",
    "phone": "13912345678",
    "address": "澄川县城关镇幸福路18号",
    "email": "ouyang@example.net",
}


def carded_case(org, **fields):
    """A case against 人社局 (the lead unit), late, with a yellow and a red card."""
    case = create_case(
        "handling",
        unit=org["units"]["CC-RSJ"],
        created_at=sh(2026, 2, 2, 9, 0),
        complainant=COMPLAINANT,
        **fields,
    )
    reminder = create_card(case, "yellow")
    order = create_card(case, "red")
    db.session.commit()
    assert to_local(order.issued_at).year == 2026
    return case, reminder, order
