"""A case's cards and notices on its page, after the case has closed."""

from app.auth.models import Role
from app.extensions import db
from tests.conftest import login, sh
from tests.factories import create_card, create_case, create_user


def section(page: str, list_id: str) -> str:
    return page.split(f'id="{list_id}"')[1].split("</ul>")[0]


def test_a_case_closed_in_march_lists_both_red_cards_and_their_orders(client):
    # Dispatched 2 March 2026: sign due 3 March, red from 10 March, signed only on 12
    # March; handle due 23 March, red from 30 March, replied and closed on 31 March.
    case = create_case(
        "closed",
        created_at=sh(2026, 3, 2, 9, 0),
        signed_at=sh(2026, 3, 12, 9, 0),
        closed_at=sh(2026, 3, 31, 16, 0),
    )
    create_card(case, "red", kind="sign")
    create_card(case, "red", kind="handle")
    create_user("inspector_c", roles=[Role.INSPECTOR])
    db.session.commit()
    login(client, "inspector_c")
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    cards = section(page, "warnings")
    assert cards.count('class="card-red"') == 2 and cards.count("已解除") == 2
    assert 'data-card="red"' not in page  # cleared when their clocks stopped
    notices = section(page, "notices")
    assert "澄效督〔2026〕1号" in notices and "澄效督〔2026〕2号" in notices
    assert notices.count("督办单") == 2
