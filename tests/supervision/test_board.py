"""The center's supervision board: open cards by level and unit, within each reader's reach."""

import re

import pytest

from app.auth.models import Role
from app.auth.services import create_user
from app.cases.actions import perform_action
from app.extensions import db
from app.supervision.sweep import run_sweep
from tests.conftest import login, sh
from tests.factories import create_card, create_case


@pytest.fixture
def carded(org):
    """Three cases dispatched on 2 March 2026 as the sweeps of 4 and 11 March leave them:
    RSJ's and ZJJ's never signed (sign clock yellow on 4 March, red on 11 March), and one
    of RSJ's signed in time (only its handle clock runs, far from due)."""
    units = org["units"]
    dispatched = sh(2026, 3, 2, 9, 0)
    red = create_case("dispatched", unit=units["CC-RSJ"], created_at=dispatched)
    other = create_case("dispatched", unit=units["CC-ZJJ"], created_at=dispatched)
    quiet = create_case("handling", unit=units["CC-RSJ"], created_at=dispatched)
    for case in (red, other):
        create_card(case, "yellow", kind="sign", issued_at=sh(2026, 3, 4, 9, 0))
        create_card(case, "red", kind="sign", issued_at=sh(2026, 3, 11, 9, 0))
    db.session.commit()
    return {"red": red, "other": other, "quiet": quiet}


def rows(html: str) -> dict[str, str]:
    return dict(re.findall(r'<tr data-case="([^"]+)" data-level="([^"]+)">', html))


def test_board_lists_each_clock_at_its_highest_card(client, carded):
    login(client, "operator")
    response = client.get("/supervision/board")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    listed = rows(html)
    assert listed[carded["red"].number] == "red"
    assert carded["quiet"].number not in listed  # its handle clock is far from due
    assert 'id="total-red">2<' in html and 'id="total-yellow">0<' in html
    assert "澄效督〔2026〕" in html  # the supervision order's number
    assert 'class="late referral"' in html  # and its referral suggestion
    red_only = rows(client.get("/supervision/board?level=red").get_data(as_text=True))
    assert set(red_only) == {carded["red"].number, carded["other"].number}
    assert rows(client.get("/supervision/board?level=prewarn").get_data(as_text=True)) == {}


def test_board_filters_by_unit_and_counts_per_unit(client, carded, org):
    login(client, "center_lead")
    html = client.get("/supervision/board").get_data(as_text=True)
    assert f'data-unit="{org["units"]["CC-RSJ"].id}"' in html
    unit = org["units"]["CC-RSJ"].id
    listed = rows(client.get(f"/supervision/board?unit={unit}").get_data(as_text=True))
    assert set(listed) == {carded["red"].number}


def test_a_stopped_clock_leaves_the_board(client, carded, org):
    perform_action(carded["red"], "sign", org["users"]["handler"], {})
    db.session.commit()
    run_sweep(sh(2026, 3, 11, 10, 0))
    db.session.commit()
    login(client, "operator")
    assert carded["red"].number not in rows(client.get("/supervision/board").get_data(as_text=True))


def test_leaders_see_their_jurisdiction_and_units_do_not_see_the_board(client, carded, org):
    create_user("town_leader", "镇领导", "demo1234", [Role.LEADER], org["units"]["CC-CGZ"])
    db.session.commit()
    login(client, "town_leader")
    assert rows(client.get("/supervision/board").get_data(as_text=True)) == {}
    client.post("/logout")
    login(client, "leader")
    assert carded["red"].number in rows(client.get("/supervision/board").get_data(as_text=True))
    client.post("/logout")
    for username in ("handler", "admin"):
        login(client, username)
        assert client.get("/supervision/board").status_code == 403, username
        client.post("/logout")


def test_board_shrugs_off_bad_parameters(client, carded):
    login(client, "operator")
    for query in ("level=purple", "unit=abc", "page=-3", "page=999", "unit=999999"):
        assert client.get(f"/supervision/board?{query}").status_code == 200, query


def test_unit_worklist_filters_cases_with_open_cards(client, carded):
    login(client, "handler")
    html = client.get("/cases?carded=1").get_data(as_text=True)
    assert carded["red"].number in html and carded["quiet"].number not in html
    html = client.get("/cases").get_data(as_text=True)
    assert carded["quiet"].number in html
