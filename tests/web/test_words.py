"""Every word on screen is Chinese: no code names, no category codes, no ASCII colons."""

import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
import sqlalchemy as sa

from app.cases.models import Category
from app.core.errors import ValidationFailed
from app.extensions import db
from tests.conftest import IsolatedClient, login
from tests.htmlpage import parse

ROLES = ("operator", "center_lead", "handler", "unit_lead", "inspector", "leader", "admin")
FIELD_CODE = re.compile(r"\b[a-z_]+:")
ASCII_COLON_AFTER_CJK = re.compile(r"[\u3400-\u9fff\uff09\u3001\u300d\u201d]\s*:")
# Pages reached from a start page, at most this many of one shape (/cases/N counts as one).
PER_SHAPE = 3
SKIP = ("/logout", "/language", "/lang/", "/attachments/", "/static/")


class VisibleText(HTMLParser):
    """The text a person sees: body text, titles, placeholders, labels of buttons."""

    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self.links: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("script", "style"):
            self._hidden += 1
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        for name in ("placeholder", "title", "aria-label", "alt"):
            if attrs.get(name):
                self.parts.append(attrs[name])
        if tag == "input" and attrs.get("type") in ("submit", "button") and attrs.get("value"):
            self.parts.append(attrs["value"])

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._hidden -= 1

    def handle_data(self, data):
        if not self._hidden and data.strip():
            self.parts.append(data.strip())


def visible(html: str) -> VisibleText:
    parser = VisibleText()
    parser.feed(html)
    return parser


def problems(text: str, category_codes: set[str]) -> list[str]:
    """Return what in ``text`` is a code name, a category code or an ASCII colon in Chinese."""
    found = []
    for line in text.splitlines():
        codes = category_codes & set(re.findall(r"[a-z_]{3,}", line))
        if FIELD_CODE.search(line) or ASCII_COLON_AFTER_CJK.search(line) or codes:
            found.append(line)
    return found


def walk(client, starts, limit=60):
    """Yield (path, status, html) of same-site pages reached by links from ``starts``."""
    todo, seen, shapes = list(starts), set(), {}
    while todo and len(seen) < limit:
        url = urlsplit(todo.pop(0))
        if url.netloc or any(s in url.path for s in SKIP):
            continue
        path = url.path + (f"?{url.query}" if url.query else "")
        shape = re.sub(r"\d+", "N", url.path)
        if path in seen or shapes.get(shape, 0) >= PER_SHAPE:
            continue
        seen.add(path)
        shapes[shape] = shapes.get(shape, 0) + 1
        response = client.get(path)
        if response.status_code in (301, 302, 303):
            todo.insert(0, response.headers["Location"])
            continue
        if "text/html" not in response.content_type:
            continue
        html = response.get_data(as_text=True)
        todo.extend(urljoin(path, link) for link in visible(html).links)
        yield path, response.status_code, html


@pytest.fixture
def demo(app):
    from app.demo.seed import seed_demo

    seed_demo()
    db.session.commit()
    app.test_client_class = IsolatedClient


def category_codes_except_on_admin(path: str) -> set[str]:
    """Category codes, which only the administration's category list may show."""
    if path.startswith("/admin/categories"):
        return set()
    return set(db.session.scalars(sa.select(Category.code)))


def test_pages_of_every_role_and_the_public_show_no_codes_or_ascii_colons(app, demo):
    bad, pages = [], 0
    for role in ("public", *ROLES):
        client = app.test_client()
        if role == "public":
            starts = ["/public/complaints/new", "/public/track", "/login"]
        else:
            login(client, role)
            starts = ["/", "/cases", "/cases?state=all"]
        for path, status, html in walk(client, starts):
            pages += 1
            assert status < 500, path
            text = "\n".join(visible(html).parts)
            bad += [
                (role, path, line) for line in problems(text, category_codes_except_on_admin(path))
            ]
    assert pages > 100
    assert bad == []


def flashes_and_errors(html: str) -> list[str]:
    found = re.findall(
        r'<(?:div|p) class="(?:error|flash[^"]*)"[^>]*>(.*?)</(?:div|p)>', html, re.S
    )
    return [re.sub(r"<[^>]+>", "", m).strip() for m in found]


def test_error_messages_on_pages_name_fields_in_chinese(app, demo):
    client = app.test_client()
    login(client, "operator")
    messages = []
    for url in ("/intake/hotline", "/intake/letter"):
        r = client.post(url, data={"phone": "abc", "title": "x" * 300})
        assert r.status_code == 422
        messages += flashes_and_errors(r.get_data(as_text=True))
    for action_url, version in re.findall(
        r'action="(/cases/\d+/(?:dispatch|reject|invalidate|review|visit|reopen|merge))".*?'
        r'name="version"[^>]*value="(\d+)"',
        "".join(client.get(f"/cases/{n}").get_data(as_text=True) for n in range(1, 19)),
        re.S,
    ):
        r = client.post(action_url, data={"version": version, "rectify_days": "x"})
        messages += flashes_and_errors(r.get_data(as_text=True))
    admin = app.test_client()
    login(admin, "admin")
    for url, data in [
        ("/admin/units/new", {"code": "X1", "name": "某单位", "tier": "9", "kind": "bogus"}),
        ("/admin/categories/new", {"code": "x", "name": "某类", "severity": "bogus"}),
        ("/admin/routing/new", {"position": "1", "name": "规则", "target": "bogus"}),
        ("/admin/calendar/day/2026-01-01", {"kind": "bogus", "note": ""}),
        ("/admin/calendar/enter", {"year": "2031", "holidays": "二月三十日"}),
    ]:
        r = admin.post(url, data=data)
        assert r.status_code == 422, url
        messages += flashes_and_errors(r.get_data(as_text=True))
    assert len(messages) > 15
    codes = category_codes_except_on_admin("/")
    assert [m for m in messages if problems(m, codes) or re.search(r"[a-z]{4,}", m)] == []


@pytest.mark.parametrize(
    ("save", "data", "field", "label"),
    [
        ("app.units.services:save_unit", {"code": "", "name": "x", "tier": 3}, "code", "代码"),
        ("app.cases.categories:save_category", {"code": "x", "name": ""}, "name", "类别名称"),
        ("app.routing.services:save_rule", {"name": "x", "target": "self"}, "position", "顺序"),
        (
            "app.routing.services:save_rule",
            {"name": "x", "position": 1, "target": "x"},
            "target",
            "交办对象",
        ),
        ("app.deadlines.calendar_admin:parse_year", {"year": "x"}, "year", "年份"),
        ("app.intake.services:validate_complaint", {"channel": "hotline"}, "complainant", "投诉人"),
    ],
)
def test_service_errors_name_the_field_by_its_label(app, org, save, data, field, label):
    from importlib import import_module

    module, name = save.split(":")
    function = getattr(import_module(module), name)
    with (
        app.test_request_context("/", headers={"Cookie": ""}),
        pytest.raises(ValidationFailed) as caught,
    ):
        function(data) if name in ("parse_year", "validate_complaint") else function(None, data)
    error = caught.value
    assert field in error.fields and error.labels[field] == label
    assert error.message.startswith(f"{label}：") and field + ":" not in error.message


def test_a_bad_choice_is_named_by_labels_on_pages_and_by_codes_in_the_api(app, org):
    from app.deadlines.calendar_admin import set_day

    with (
        app.test_request_context("/admin/calendar/day/2026-01-01"),
        pytest.raises(ValidationFailed) as page,
    ):
        set_day({"day": "2026-01-01", "kind": "bogus"})
    assert page.value.fields["kind"] == "须从以下选项中选择：工作日或休息日"
    with app.test_request_context("/api/v1/anything"):
        from flask_babel import force_locale

        with force_locale("en"), pytest.raises(ValidationFailed) as api:
            set_day({"day": "2026-01-01", "kind": "bogus"})
    assert api.value.fields["kind"] == "Must be one of: workday, off"


def test_a_bad_worklist_filter_lists_labels_on_the_page_and_codes_in_the_api(client, org):
    from app.auth.services import create_token

    login(client, "operator")
    html = client.get("/cases?state=bogus&channel=pigeon&sort=title").get_data(as_text=True)
    said = [p.text for p in parse(html).find_all("p", class_="flash error")]
    assert len(said) == 3
    state, channel, sort = said
    assert state.startswith("须从以下选项中选择：在办、全部、待审签、") and "待签收" in state
    assert "热线电话" in channel and "按截止时间降序" in sort
    assert [m for m in said if re.search(r"[a-z]{3,}", m)] == []
    token = create_token(org["users"]["operator"])
    db.session.commit()
    r = client.get(
        "/api/v1/cases?state=bogus&sort=title", headers={"Authorization": f"Bearer {token}"}
    )
    assert r.status_code == 422
    assert r.json["fields"]["state"].startswith("Must be one of: open, all, sign_off, ")
    assert "-deadline" in r.json["fields"]["sort"]


def test_attachments_say_their_kind_and_size_in_words(client, make_case):
    from app.attachments.storage import store_attachment

    case = make_case()
    store_attachment(b"\x89PNG\r\n\x1a\n" + b"\x00" * 92, "scan.png", "image/png", case=case)
    store_attachment(b"%PDF-" + b"\x00" * 3 * 1024 * 1024, "信.pdf", "application/pdf", case=case)
    db.session.commit()
    login(client, "operator")
    listed = parse(client.get(f"/cases/{case.id}").get_data(as_text=True)).find(id="attachments")
    lines = [re.sub(r"\s+", " ", li.text).strip() for li in listed.find_all("li")]
    assert lines == ["scan.png 图片 · 1 KB", "信.pdf PDF 文件 · 3.0 MB"]


def test_the_routing_table_names_its_columns_with_nouns(client, org):
    login(client, "admin")
    table = parse(client.get("/admin/routing").get_data(as_text=True)).find(id="rules")
    headers = [th.text.strip() for th in table.find("thead").find_all("th")]
    assert headers == ["顺序", "规则名称", "交办对象", "操作"]


def test_unit_tree_indents_by_class_which_the_csp_allows(client, org):
    login(client, "admin")
    html = client.get("/admin/units").get_data(as_text=True)
    assert "style=" not in html
    depths = re.findall(r'class="tree-name depth-(\d)" data-depth="(\d+)"', html)
    assert {d for d, _ in depths} >= {"0", "1", "2", "3"}
    css = (Path(client.application.static_folder) / "style.css").read_text(encoding="utf-8")
    for depth in range(1, 7):
        assert f"td.tree-name.depth-{depth} {{ padding-left:" in css


def test_no_legend_repeats_its_first_option(client, make_case):
    make_case("dispatch", "sign", "reply", "review")  # waits for the return visit
    make_case("dispatch", "sign", "draft_reply")  # waits for the unit lead's sign-off
    for user in ("operator", "unit_lead", "handler"):
        login(client, user)
        for case_id in (1, 2):
            html = client.get(f"/cases/{case_id}").get_data(as_text=True)
            for legend, first in re.findall(
                r"<legend>(.*?)</legend>\s*<label class=\"radio\"><input[^>]*>\s*(.*?)</label>",
                html,
            ):
                assert legend.strip() != first.strip()


@pytest.mark.parametrize(
    ("path", "method", "title"),
    [("/nowhere", "get", "页面不存在"), ("/public/track", "put", "不支持此操作方式")],
)
def test_error_pages_say_what_happened_in_chinese(client, path, method, title):
    r = getattr(client, method)(path)
    html = r.get_data(as_text=True)
    assert r.status_code in (404, 405) and f"<h1>{title}" in html
    assert f"<title>{title} ·" in html


def test_calendar_pages_name_their_source_and_who_changed_a_day(app, demo, client):
    login(client, "admin")
    year = client.get("/admin/calendar?year=2026").get_data(as_text=True)
    day = client.get("/admin/calendar/day/2026-01-01").get_data(as_text=True)
    text = "\n".join(visible(year).parts + visible(day).parts)
    assert "chinesecalendar" not in text and "command line" not in text
    assert "来源：国务院放假安排（日历数据包导入）" in text
