"""The deadline calculator page."""

from tests.conftest import login


def test_calculator_shows_due_date_skipped_days_and_makeup_days(client, org):
    login(client, "handler")
    html = client.get("/deadlines/calculator?start=2026-02-13T10:00&days=15").get_data(as_text=True)
    assert "2026-03-12 23:59:59" in html
    assert "2026-02-14" in html.split('id="calculator-makeup"')[1]
    assert "春节" in html  # the holiday named for each skipped day


def test_calculator_marks_provisional_and_refuses_bad_input(client, org):
    login(client, "admin")
    html = client.get("/deadlines/calculator?start=2026-12-28T09:00&days=15").get_data(as_text=True)
    assert "暂定" in html
    assert client.get("/deadlines/calculator?start=yesterday&days=3").status_code == 422
    assert client.get("/deadlines/calculator?start=2026-03-02T09:00&days=0").status_code == 422


def test_calculator_needs_login(client, org):
    assert client.get("/deadlines/calculator").status_code == 302
