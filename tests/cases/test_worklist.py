"""The worklist: search, filters, sorting, the clock that matters, and who sees what."""

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.auth.models import Role
from app.auth.services import create_token
from app.cases.actions import perform_action
from app.cases.queries import read_filter, worklist_select
from app.cases.workflow import AWAITING_SIGN_OFF, STATE_CLOCKS, case_status, clock_that_matters
from app.core.access_log import IdentityAccess
from app.core.types import utcnow
from app.deadlines.models import ClockKind
from app.extensions import db
from tests.conftest import login, sh
from tests.factories import create_case, create_category, create_unit, create_user


def listed(user, **args) -> list[str]:
    """Return the numbers the worklist query gives ``user`` for ``args``, in order."""
    f, errors = read_filter(args)
    assert errors == {}, errors
    return [c.number for c in db.session.scalars(worklist_select(user, f))]


def numbers_on(html: str) -> list[str]:
    """Return the case numbers of the worklist's rows, in order."""
    table = html.split('id="worklist"', 1)[-1]
    return re.findall(r'<td class="col-number"><a href="/cases/\d+">([^<]+)</a>', table)


def bearer(user) -> dict:
    token = create_token(user)
    db.session.commit()
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def people(app):
    """A center operator, a unit with its handler and lead, and another unit."""
    center, county = create_unit(kind="complaint_center"), create_unit(kind="government")
    unit = create_unit(name="人社局", parent=county)
    other = create_unit(name="住建局", parent=county)
    return {
        "operator": create_user("op", [Role.OPERATOR], center),
        "inspector": create_user("insp", [Role.INSPECTOR], center),
        "handler": create_user("hd", [Role.HANDLER], unit),
        "lead": create_user("lead", [Role.UNIT_LEAD], unit),
        "leader": create_user("boss", [Role.LEADER], county),
        "unit": unit,
        "other": other,
    }


# Search


@pytest.mark.parametrize(
    "typed", ["13812345678", "+86 138-1234-5678", "0086 13812345678", "(138) 1234 5678"]
)
def test_center_finds_a_case_by_the_phone_written_any_way(people, typed):
    mine = create_case(complainant={"phone": "138 1234 5678"})
    create_case(complainant={"phone": "13900000000"})
    assert listed(people["operator"], q=typed) == [mine.number]


def test_center_finds_a_case_by_the_end_of_the_number(people):
    mine = create_case(complainant={"phone": "+86 571 8888 1234"})
    create_case(complainant={"phone": "13900000000"})
    assert listed(people["operator"], q="8888 1234") == [mine.number]
    assert listed(people["operator"], q="0571-88881234") == [mine.number]


def test_center_finds_by_name_number_and_title(people):
    a = create_case(complainant={"name": "欧阳娜娜"}, title="社保卡补办")
    b = create_case(complainant={"name": "李四"}, title="窗口态度差")
    op = people["operator"]
    assert listed(op, q="欧阳") == [a.number]
    assert listed(op, q="态度") == [b.number]
    assert listed(op, q=b.number) == [b.number]
    assert listed(op, q=b.number[-4:]) == [b.number]
    assert listed(people["inspector"], q="欧阳") == [a.number]


def test_search_treats_like_wildcards_as_text(people):
    create_case(title="普通标题")
    percent = create_case(title="收费100%不合理")
    assert listed(people["operator"], q="%") == [percent.number]
    assert listed(people["operator"], q="_") == []


@pytest.mark.parametrize("who", ["handler", "lead", "leader"])
def test_units_and_leaders_cannot_search_by_the_complainants_identity(people, who):
    case = create_case(
        "dispatched",
        unit=people["unit"],
        complainant={"name": "欧阳娜娜", "phone": "13812345678"},
        title="社保卡补办",
    )
    db.session.commit()
    user = people[who]
    assert listed(user, q="社保卡") == [case.number]
    assert listed(user, q="13812345678") == []
    assert listed(user, q="欧阳") == []


def test_a_search_by_identity_is_logged_per_case_it_found(client, people):
    by_phone = create_case(complainant={"phone": "13812345678"}, title="别的事")
    by_title = create_case(complainant={"phone": "13900000000"}, title="13812345678 打不通")
    create_case(complainant={"phone": "13700000000"})
    db.session.commit()
    login(client, "op")
    html = client.get("/cases?q=13812345678").get_data(as_text=True)
    assert set(numbers_on(html)) == {by_phone.number, by_title.number}
    rows = db.session.scalars(sa.select(IdentityAccess)).all()
    assert [(r.subject_id, r.channel, r.user.username) for r in rows] == [
        (by_phone.id, "search", "op")
    ]
    client.get("/cases?q=别的事")  # found by its title: no identity involved
    assert db.session.scalar(sa.select(sa.func.count(IdentityAccess.id))) == 1


def test_a_units_search_writes_no_identity_log(client, people):
    create_case("dispatched", unit=people["unit"], complainant={"phone": "13812345678"})
    db.session.commit()
    login(client, "hd")
    assert numbers_on(client.get("/cases?q=13812345678").get_data(as_text=True)) == []
    assert db.session.scalar(sa.select(sa.func.count(IdentityAccess.id))) == 0


# Filters


def test_filters_by_unit_category_channel_and_state(people):
    cat = create_category()
    a = create_case("dispatched", unit=people["unit"], category=cat, channel="web")
    b = create_case("handling", unit=people["other"], channel="hotline")
    c = create_case("closed", unit=people["unit"], channel="letter")
    op = people["operator"]
    assert listed(op, unit=people["unit"].code) == [a.number]  # open by default
    assert listed(op, unit=people["unit"].code, state="all", sort="-received") == [
        c.number,
        a.number,
    ]
    assert listed(op, unit=people["other"].code) == [b.number]
    assert listed(op, category=cat.code) == [a.number]
    assert listed(op, channel="hotline") == [b.number]
    assert listed(op, state="closed") == [c.number]
    assert listed(op, state="handling", channel="web") == []
    assert listed(op, unit="NO-SUCH-UNIT") == []


def test_unit_filter_finds_the_unit_working_on_a_case_too(people):
    case = create_case("dispatched", unit=people["other"], assist_units=[people["unit"]])
    assert listed(people["operator"], unit=people["unit"].code) == [case.number]


def test_received_range_is_in_local_days_both_included(people):
    # 2026-03-02 23:30 in Shanghai is 15:30 UTC: still the 2nd on the operator's calendar.
    late_evening = create_case(created_at=sh(2026, 3, 2, 23, 30))
    next_morning = create_case(created_at=sh(2026, 3, 3, 0, 10))
    earlier = create_case(created_at=sh(2026, 2, 27, 9, 0))
    op = people["operator"]
    assert listed(op, received_from="2026-03-02", received_to="2026-03-02") == [late_evening.number]
    assert listed(op, received_from="2026-03-03") == [next_morning.number]
    assert listed(op, received_to="2026-03-01") == [earlier.number]
    # A range that ends before it starts is named, and its end left out.
    f, errors = read_filter({"received_from": "2026-03-04", "received_to": "2026-03-01"})
    assert "2026-03-04" in str(errors["received_to"]) and f.received_to is None


# Sorting and the clock that matters


def test_deadline_sort_goes_by_the_clock_that_matters_most_urgent_first_none_last(people):
    now = utcnow()

    def due(case, kind, delta):
        clock = next(c for c in case.clocks if c.kind == kind)
        clock.due_at = now + delta
        return clock

    # Awaiting signature: its sign clock is what is late, not its handle clock.
    unsigned = create_case("dispatched")
    due(unsigned, "sign", timedelta(hours=-2))
    due(unsigned, "handle", timedelta(days=20))
    soon = create_case("handling")
    due(soon, "handle", timedelta(days=1))
    # A stopped clock (signed long ago) is nothing to sort by.
    due(soon, "sign", timedelta(days=-30))
    later = create_case("handling")
    due(later, "handle", timedelta(days=5))
    screening = create_case("screening")
    due(screening, "screen", timedelta(days=3))
    waiting_review = create_case("replied")  # the center reviews: no clock runs
    db.session.flush()
    op = people["operator"]
    expected = [unsigned, soon, screening, later, waiting_review]
    assert listed(op, sort="deadline") == [c.number for c in expected]
    assert listed(op, sort="-deadline") == [
        c.number for c in [later, screening, soon, unsigned]
    ] + [waiting_review.number]
    assert clock_that_matters(unsigned).kind == "sign"
    assert clock_that_matters(soon).kind == "handle"
    assert clock_that_matters(waiting_review) is None


def test_where_a_state_names_two_clocks_they_come_in_kind_order():
    # The deadline sort takes the first running clock by kind (queries.deadline_of_next_step).
    order = list(ClockKind)
    for kinds in STATE_CLOCKS.values():
        assert [order.index(k) for k in kinds] == sorted(order.index(k) for k in kinds)


def test_sorts_by_number_received_and_state_in_workflow_order(people):
    first = create_case("handling", created_at=sh(2026, 3, 2, 9, 0))
    second = create_case("screening", created_at=sh(2026, 3, 3, 9, 0))
    third = create_case("dispatched", created_at=sh(2026, 3, 1, 9, 0))
    op = people["operator"]
    assert listed(op, sort="-received") == [second.number, first.number, third.number]
    # Unless told otherwise, the most urgent first: whoever must act sees it first.
    assert listed(op) == listed(op, sort="deadline")
    assert listed(op, sort="received") == [third.number, first.number, second.number]
    assert listed(op, sort="number") == [first.number, second.number, third.number]
    assert listed(op, sort="-number") == [third.number, second.number, first.number]
    # screening, dispatched, handling: the order cases move in, not the alphabet.
    assert listed(op, sort="state") == [second.number, third.number, first.number]


def test_worklist_shows_the_clock_that_matters_with_its_label_and_overdue(client, people):
    case = create_case("dispatched", unit=people["unit"])
    sign = next(c for c in case.clocks if c.kind == "sign")
    sign.due_at = utcnow() - timedelta(hours=1)
    db.session.commit()
    login(client, "op")
    html = client.get("/cases").get_data(as_text=True)
    cell = re.search(r'<td class="col-deadline([^"]*)" data-clock="(\w+)">(.*?)</td>', html, re.S)
    assert cell.group(2) == "sign" and "overdue" in cell.group(1)
    assert "签收" in cell.group(3) and "已超期" in cell.group(3)


# The layout holds with long text


def test_a_long_title_is_cut_on_screen_and_whole_in_its_tooltip(client, people):
    title = "很长的标题" * 40
    create_case(title=title)
    db.session.commit()
    login(client, "op")
    html = client.get("/cases").get_data(as_text=True)
    assert f'class="ellipsis" title="{title}"' in html
    assert 'class="list worklist"' in html


# Paging and the URL


def test_paging_keeps_search_filters_and_sort(client, people, app):
    app.config["WORKLIST_PAGE_SIZE"] = 2
    for _ in range(5):
        create_case("dispatched", unit=people["unit"], title="同一件事")
    db.session.commit()
    login(client, "op")
    first = client.get(f"/cases?q=同一件事&unit={people['unit'].code}&sort=-number")
    html = first.get_data(as_text=True)
    link = re.search(r'href="([^"]+)" rel="next"', html).group(1).replace("&amp;", "&")
    assert "page=2" in link and "sort=-number" in link and f"unit={people['unit'].code}" in link
    assert "q=" in link
    second = client.get(link).get_data(as_text=True)
    assert len(numbers_on(second)) == 2 and not set(numbers_on(second)) & set(numbers_on(html))
    # The filter form and the sort headers carry the choices too.
    assert 'name="sort" value="-number"' in html
    assert 'aria-sort="descending"' in html


# Bad input: shown or ignored, never a 5xx


# Values the worklist names as bad (the others it cannot tell from no value at all).
SHOWN = {
    "received_from=2026-13-01",
    "received_from=yesterday",
    "received_to=0001-01-01",
    "received_to=9999-12-31",
    "received_from=2026-03-04&received_to=2026-03-01",
    "sort=title",
    "sort=--deadline",
    "state=lost",
    "channel=pigeon",
}


@pytest.mark.parametrize(
    "query",
    [
        "received_from=2026-13-01",
        "received_from=yesterday",
        "received_to=0001-01-01",
        "received_to=9999-12-31",
        "received_from=2026-03-04&received_to=2026-03-01",
        "received_from=%00",
        "sort=title",
        "sort=--deadline",
        "sort=%00",
        "state=lost",
        "channel=pigeon",
        "unit=%00%00&category=<script>",
        "page=99999999999999999999",
        "page=-1",
        "page=x",
        "carded=maybe",
        "q=" + "x" * 5000,
        "q=%F0%9F%98%80%00",
    ],
)
def test_bad_parameters_are_shown_or_ignored_never_a_5xx(client, people, query):
    case = create_case()
    db.session.commit()
    login(client, "op")
    r = client.get(f"/cases?{query}")
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    if query in SHOWN:
        assert 'class="error"' in html or 'class="flash error"' in html
        assert case.number in numbers_on(html)  # the bad value is left out, not the list


def test_a_reversed_range_keeps_its_dates_typed_and_names_the_end(client, people):
    create_case()
    db.session.commit()
    login(client, "op")
    html = client.get("/cases?received_from=2026-03-04&received_to=2026-03-01").get_data(
        as_text=True
    )
    assert re.search(r'id="filter-to" value="2026-03-01"[^>]*aria-invalid="true"', html)
    assert "不得早于开始日期（2026-03-04）" in html and 'value="2026-03-04"' in html


def test_a_bad_date_is_shown_beside_its_field_and_kept_out(client, people):
    create_case()
    db.session.commit()
    login(client, "op")
    html = client.get("/cases?received_from=2026-02-30").get_data(as_text=True)
    assert 'id="filter-from-error"' in html and "aria-invalid" in html


def test_api_lists_with_the_same_parameters_and_refuses_bad_ones(client, people):
    mine = create_case("dispatched", unit=people["unit"], complainant={"phone": "13812345678"})
    create_case("handling", unit=people["other"], complainant={"phone": "13900000000"})
    db.session.commit()
    headers = bearer(people["operator"])
    r = client.get("/api/v1/cases?q=%2B86%20138-1234-5678&sort=deadline", headers=headers)
    assert r.status_code == 200 and [c["number"] for c in r.json["items"]] == [mine.number]
    log = db.session.scalars(sa.select(IdentityAccess)).all()
    assert [(e.subject_id, e.channel) for e in log] == [(mine.id, "api_search")]
    r = client.get(f"/api/v1/cases?unit={people['other'].code}&state=open", headers=headers)
    assert [c["number"] for c in r.json["items"]] != [mine.number] and r.json["total"] == 1
    r = client.get(
        "/api/v1/cases?sort=title&received_from=2026-02-30&state=lost&channel=x", headers=headers
    )
    assert r.status_code == 422
    assert set(r.json["fields"]) == {"sort", "received_from", "state", "channel"}
    handler = bearer(people["handler"])
    r = client.get("/api/v1/cases?q=13812345678", headers=handler)
    assert r.status_code == 200 and r.json["items"] == []


# Who sees what


@pytest.mark.parametrize(
    "query", ["state=all", "state=all&unit={other}", "state=all&sort=deadline", "q=失业"]
)
def test_units_see_only_their_own_cases_whatever_the_filter(client, people, query):
    mine = create_case("dispatched", unit=people["unit"])
    theirs = create_case("dispatched", unit=people["other"])
    db.session.commit()
    login(client, "hd")
    html = client.get("/cases?" + query.format(other=people["other"].code)).get_data(as_text=True)
    assert theirs.number not in html
    if "unit=" not in query:
        assert numbers_on(html) == [mine.number]


# A set number of queries, however many rows


def test_the_worklist_takes_the_same_number_of_queries_for_3_or_30_rows(client, people):
    def selects_for_page() -> int:
        sent = []

        def count(conn, cursor, statement, *args):
            if statement.lstrip().upper().startswith("SELECT"):
                sent.append(statement)

        sa.event.listen(db.engine, "before_cursor_execute", count)
        try:
            assert client.get("/cases?state=all&sort=deadline&q=标题").status_code == 200
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", count)
        return len(sent)

    db.session.commit()
    login(client, "op")
    for _ in range(3):
        create_case(
            "handling", unit=people["unit"], title="同样的标题", assist_units=[people["other"]]
        )
    db.session.commit()
    few = selects_for_page()
    for _ in range(27):
        create_case(
            "handling", unit=people["unit"], title="同样的标题", assist_units=[people["other"]]
        )
    db.session.commit()
    assert selects_for_page() == few


# The unit lead's sign-off


def test_a_draft_shows_as_awaiting_the_unit_leads_sign_off(make_case, client, org):
    case = make_case("dispatch", "sign", "draft_reply")
    assert case_status(case) == AWAITING_SIGN_OFF
    for username in ("handler", "operator"):
        login(client, username)
        row = client.get("/cases").get_data(as_text=True)
        assert f'data-case="{case.id}" data-status="awaiting_sign_off"' in row
        assert "待单位负责人审签" in row
        page = client.get(f"/cases/{case.id}").get_data(as_text=True)
        assert 'data-status="awaiting_sign_off"' in page and "待单位负责人审签" in page
        assert re.search(r'id="draft-waiting">草稿，待单位负责人审签<', page)
        client.post("/logout")


def test_the_sign_off_tab_lists_drafts_waiting_for_the_lead(make_case, client, org):
    waiting = make_case("dispatch", "sign", "draft_reply")
    handling = make_case("dispatch", "sign")
    login(client, "unit_lead")
    html = client.get("/cases").get_data(as_text=True)
    assert re.search(r'id="sign-off-count">1<', html)
    # With a draft waiting, the lead lands on it; the other tabs are a click away.
    assert numbers_on(html) == [waiting.number]
    tab = client.get("/cases?state=sign_off").get_data(as_text=True)
    assert numbers_on(tab) == [waiting.number] and handling.number not in numbers_on(tab)
    both = numbers_on(client.get("/cases?state=open").get_data(as_text=True))
    assert sorted(both) == sorted([waiting.number, handling.number])
    client.post("/logout")
    login(client, "handler")
    assert 'id="tab-sign-off"' not in client.get("/cases").get_data(as_text=True)
    assert numbers_on(client.get("/cases?state=sign_off").get_data(as_text=True)) == []


def test_a_stand_in_sees_the_drafts_of_others_but_not_their_own(make_case, client, org):
    lead, handler = org["users"]["unit_lead"], org["users"]["handler"]
    colleague = create_user("hd2", [Role.HANDLER], lead.unit)
    mine = make_case("dispatch", "sign", "draft_reply")  # drafted by ``handler``
    theirs = make_case("dispatch", "sign")
    perform_action(theirs, "reply", colleague, {"text": "拟答复", "finding": "substantiated"})
    lead.backup_user_id, lead.away_until = handler.id, utcnow() + timedelta(days=3)
    db.session.commit()
    login(client, "handler")
    tab = client.get("/cases?state=sign_off").get_data(as_text=True)
    assert numbers_on(tab) == [theirs.number] and mine.number not in numbers_on(tab)
    assert re.search(r'id="sign-off-count">1<', tab)


def test_the_lead_finds_the_sign_off_open_first_on_the_case(make_case, client, org):
    case = make_case("dispatch", "sign", "draft_reply")
    login(client, "unit_lead")
    html = client.get(f"/cases/{case.id}").get_data(as_text=True)
    actions = re.findall(r'<details class="action" id="action-(\w+)"( open)?', html)
    assert actions[0] == ("sign_off", " open")
    # Named at the top of the page too, with a link down to it.
    step = re.search(r'<p class="next-step" id="next-step">(.*?)</p>', html, re.S)[1]
    assert 'href="#action-sign_off"' in step and "审签" in step
    assert html.index('id="next-step"') < html.index('id="case-content"')
    assert [a for a, is_open in actions if is_open] == ["sign_off"]
    client.post("/logout")
    login(client, "handler")  # nothing waits for the handler: their first action opens
    html = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "action-sign_off" not in html
    assert 'id="next-step"' not in html  # a request they may make is no step waited for


@pytest.mark.parametrize(
    "query",
    [
        "page=99999999999999999999",
        "per_page=100&page=9223372036854775807",
        "received_to=9999-12-31",
        "q=%00",
        "carded=2",
        "unit=" + "x" * 500,
    ],
)
def test_api_list_never_answers_5xx(client, people, query):
    create_case()
    db.session.commit()
    r = client.get(f"/api/v1/cases?{query}", headers=bearer(people["operator"]))
    assert r.status_code in {200, 422}, r.get_data(as_text=True)[:300]


def test_the_center_is_told_its_next_step_on_a_new_case(client, people):
    case = create_case("registered")
    db.session.commit()
    login(client, "op")
    html = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert re.search(r'id="next-step">待您办理：<a href="#action-(screen|classify)">', html)
