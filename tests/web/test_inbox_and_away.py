"""The in-app inbox with its unread count, and the away/backup (AB岗) page."""

import sqlalchemy as sa

from app.auth.models import User
from app.extensions import db
from app.notifications.models import Notification
from tests.conftest import login


def test_inbox_counts_opens_and_clears(client, make_case, org):
    case = make_case("dispatch")
    login(client, "handler")
    page = client.get("/cases").get_data(as_text=True)
    assert 'id="unread-count">1<' in page
    inbox = client.get("/inbox").get_data(as_text=True)
    assert case.number in inbox
    note = db.session.scalar(
        sa.select(Notification).where(
            Notification.user_id == org["users"]["handler"].id, Notification.channel == "inapp"
        )
    )
    r = client.get(f"/inbox/{note.id}")
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/cases/{case.id}")
    assert 'id="unread-count"' not in client.get("/cases").get_data(as_text=True)
    make_case("dispatch")
    assert client.post("/inbox/read-all").status_code == 303
    assert 'id="unread-count"' not in client.get("/cases").get_data(as_text=True)


def test_messages_of_others_are_404(client, make_case, org):
    make_case("dispatch")
    note = db.session.scalar(sa.select(Notification))
    login(client, "handler2")
    assert client.get(f"/inbox/{note.id}").status_code == 404


def test_away_page_sets_a_backup_from_the_same_unit(client, org):
    login(client, "handler")
    lead = org["users"]["unit_lead"]
    r = client.post(
        "/account/away", data={"away_until": "2099-01-31", "backup_user_id": str(lead.id)}
    )
    assert r.status_code == 303
    db.session.expire_all()
    handler = db.session.scalar(sa.select(User).where(User.username == "handler"))
    assert handler.backup_user_id == lead.id and handler.away_until.year == 2099
    r = client.post(
        "/account/away",
        data={"away_until": "2099-01-31", "backup_user_id": str(org["users"]["handler2"].id)},
    )
    assert r.status_code == 422  # not a colleague of the same unit
    r = client.post(
        "/account/away", data={"away_until": "2000-01-01", "backup_user_id": str(lead.id)}
    )
    assert r.status_code == 422
    assert (
        client.post("/account/away", data={"away_until": "", "backup_user_id": ""}).status_code
        == 303
    )
    db.session.expire_all()
    assert db.session.get(User, handler.id).away_until is None
