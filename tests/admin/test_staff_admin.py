"""The staff list screens: admins only, forms that keep what was typed, merges and imports."""

import io
import re

import pytest
import sqlalchemy as sa
from openpyxl import Workbook, load_workbook

from app.core.trail import Event
from app.demo.seed import seed_staff
from app.extensions import db
from app.units.models import Staff
from app.units.naming import name_staff_for_case
from tests.conftest import login
from tests.htmlpage import parse

PAGES = [
    "/admin/staff",
    "/admin/staff?state=pending&q=王",
    "/admin/staff/new",
    "/admin/staff/pending",
    "/admin/staff/import",
    "/admin/staff/import/template.csv",
]


@pytest.fixture
def staff(org):
    seed_staff(org["units"])
    db.session.commit()
    return {s.name: s for s in db.session.scalars(sa.select(Staff))}


def count() -> int:
    return db.session.scalar(sa.select(sa.func.count(Staff.id)))


def csv_file(text: str, encoding="utf-8", name="staff.csv"):
    return {"file": (io.BytesIO(text.encode(encoding)), name)}


def xlsx_file(rows, name="staff.xlsx"):
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    return {"file": (out, name)}


def preview(client, upload):
    return client.post("/admin/staff/import", data=upload, content_type="multipart/form-data")


def apply(client, html: str):
    payload = re.search(r'name="payload" value="([^"]+)"', html).group(1)
    return client.post("/admin/staff/import/apply", data={"payload": payload})


@pytest.mark.parametrize(
    "username", ["operator", "center_lead", "handler", "unit_lead", "inspector", "leader"]
)
def test_only_admins_reach_the_staff_lists(client, staff, username):
    login(client, username)
    entry = staff["王某某"].id
    for url in [*PAGES, f"/admin/staff/{entry}"]:
        assert client.get(url).status_code == 403, url
    for url in (f"/admin/staff/{entry}/confirm", f"/admin/staff/{entry}/deactivate"):
        assert client.post(url).status_code == 403
    r = client.post("/admin/staff/import", data=csv_file("单位编码,姓名\nCC-RSJ,甲\n"))
    assert r.status_code == 403
    assert count() == len(staff)


def test_nobody_signed_in_is_sent_to_the_login(client, staff):
    assert client.get("/admin/staff").status_code in (302, 401)


def test_admin_lists_searches_and_filters(client, staff, make_case, org):
    login(client, "admin")
    name_staff_for_case(make_case(), [], [{"name": "钱某", "post": ""}], org["users"]["operator"])
    db.session.commit()
    for url in PAGES:
        assert client.get(url).status_code == 200, url
    html = client.get("/admin/staff").get_data(as_text=True)
    assert "王某某" in html and "张某某" in html and 'id="pending-count">1<' in html
    rsj = org["units"]["CC-RSJ"].id
    html = client.get(f"/admin/staff?unit_id={rsj}").get_data(as_text=True)
    assert "王某某" in html and "张某某" not in html
    html = client.get("/admin/staff?q=股长").get_data(as_text=True)
    assert "王某某" in html and "刘某某" not in html
    html = client.get("/admin/staff?state=pending").get_data(as_text=True)
    assert "钱某" in html and "王某某" not in html
    # Values nobody would type answer a page, never an error.
    for query in ("q=%00", "unit_id=abc", f"unit_id={2**40}", "state=nonsense", "page=-1"):
        assert client.get(f"/admin/staff?{query}").status_code == 200, query
    assert client.get(f"/admin/staff/{2**31}").status_code == 404


def test_pending_list_shows_no_complaint_content(client, staff, make_case, org):
    case = make_case()
    name_staff_for_case(case, [], [{"name": "钱某", "post": "窗口"}], org["users"]["operator"])
    db.session.commit()
    login(client, "admin")
    html = client.get("/admin/staff/pending").get_data(as_text=True)
    assert "钱某" in html and "澄川县人力资源和社会保障局" in html
    for secret in (case.title, case.content, case.number, case.complainant.phone, "张三"):
        assert secret not in html
    entry = case.staff[0]
    html = client.get(f"/admin/staff/{entry.id}").get_data(as_text=True)
    assert case.title not in html and case.number not in html


def test_the_new_entry_form_keeps_what_was_typed_beside_its_errors(client, staff, org):
    login(client, "admin")
    root = parse(client.get("/admin/staff/new").get_data(as_text=True))
    for name in ("unit_id", "name"):
        control = root.find(name=name)
        assert "required" in control.attrs and control.get("aria-required") == "true"
    assert "required" not in root.find(name="post").attrs
    rsj = str(org["units"]["CC-RSJ"].id)
    r = client.post("/admin/staff/new", data={"unit_id": rsj, "name": "", "post": "窗口科员"})
    assert r.status_code == 422
    root = parse(r.get_data(as_text=True))
    assert root.find("div", id="name-error").text == "此项为必填项。"
    assert root.find("input", name="post").get("value") == "窗口科员"
    unit = root.find("select", name="unit_id")
    assert [o.get("value") for o in unit.find_all("option") if "selected" in o.attrs] == [rsj]
    r = client.post(
        "/admin/staff/new", data={"unit_id": rsj, "name": "王某某", "post": "就业和失业保险股股长"}
    )
    assert r.status_code == 422 and "该单位已有同名同职务的人员" in r.get_data(as_text=True)
    r = client.post("/admin/staff/new", data={"unit_id": rsj, "name": "郑某", "post": ""})
    assert r.status_code == 303
    assert count() == len(staff) + 1


@pytest.mark.parametrize(
    "data",
    [
        {"unit_id": "abc", "name": "郑某"},
        {"unit_id": str(2**31), "name": "郑某"},
        {"unit_id": "", "name": "郑某"},
        {"unit_id": "UNIT", "name": "a\x00b"},
        {"unit_id": "UNIT", "name": "x" * 100_000},
        {"unit_id": "UNIT", "name": "郑某", "post": "\x1b[31m"},
    ],
)
def test_the_new_entry_form_refuses_hostile_values(client, staff, org, data):
    login(client, "admin")
    if data["unit_id"] == "UNIT":
        data["unit_id"] = str(org["units"]["CC-RSJ"].id)
    assert client.post("/admin/staff/new", data=data).status_code == 422
    assert count() == len(staff)


def test_an_entry_is_edited_deactivated_after_asking_and_reactivated(client, staff):
    login(client, "admin")
    entry = staff["王某某"]
    r = client.post(f"/admin/staff/{entry.id}", data={"name": "", "post": "股长"})
    assert r.status_code == 422 and 'id="name-error"' in r.get_data(as_text=True)
    r = client.post(f"/admin/staff/{entry.id}", data={"name": "王某某", "post": "股长"})
    assert r.status_code == 303
    question = client.get(f"/admin/staff/{entry.id}/deactivate").get_data(as_text=True)
    assert "登记投诉时将不再提供" in question
    assert client.post(f"/admin/staff/{entry.id}/deactivate").status_code == 303
    db.session.expire_all()
    assert (entry.post, entry.active) == ("股长", False)
    assert client.post(f"/admin/staff/{entry.id}/reactivate").status_code == 303
    db.session.expire_all()
    assert entry.active
    html = client.get(f"/admin/staff/{entry.id}").get_data(as_text=True)
    assert html.count('data-action="staff_') == 3


def test_a_pending_entry_is_confirmed(client, staff, make_case, org):
    case = make_case()
    name_staff_for_case(case, [], [{"name": "钱某", "post": ""}], org["users"]["operator"])
    db.session.commit()
    entry = case.staff[0]
    login(client, "admin")
    assert client.post(f"/admin/staff/{entry.id}/confirm").status_code == 303
    db.session.expire_all()
    assert entry.confirmed
    assert "暂无待确认人员" in client.get("/admin/staff/pending").get_data(as_text=True)


def test_merging_asks_first_then_moves_the_cases(client, staff, make_case, org):
    case = make_case()
    name_staff_for_case(case, [], [{"name": "王某", "post": ""}], org["users"]["operator"])
    db.session.commit()
    slip, real = case.staff[0], staff["王某某"]
    login(client, "admin")
    page = parse(client.get("/admin/staff/pending").get_data(as_text=True))
    form = page.find("form", action=f"/admin/staff/{slip.id}/merge")
    assert "不可撤销" in form.get("data-confirm")
    options = [o.get("value") for o in form.find_all("option")]
    assert str(real.id) in options and str(staff["张某某"].id) not in options  # same unit only
    # Sent without the page's script: the server asks, and nothing moves yet.
    r = client.post(f"/admin/staff/{slip.id}/merge", data={"into_id": real.id, "confirmed": ""})
    assert r.status_code == 200 and "将“王某”合并到" in r.get_data(as_text=True)
    db.session.expire_all()
    assert slip.merged_into_id is None
    r = client.post(f"/admin/staff/{slip.id}/merge", data={"into_id": real.id, "confirmed": "1"})
    assert r.status_code == 303
    db.session.expire_all()
    assert slip.merged_into == real and case.staff == [real]


@pytest.mark.parametrize("into", ["", "abc", str(2**31), "0", "ANOTHER_UNIT", "SELF"])
def test_a_bad_merge_is_refused_and_nothing_moves(client, staff, make_case, org, into):
    case = make_case()
    name_staff_for_case(case, [], [{"name": "王某", "post": ""}], org["users"]["operator"])
    db.session.commit()
    slip = case.staff[0]
    into = {"ANOTHER_UNIT": str(staff["张某某"].id), "SELF": str(slip.id)}.get(into, into)
    login(client, "admin")
    r = client.post(f"/admin/staff/{slip.id}/merge", data={"into_id": into, "confirmed": "1"})
    assert r.status_code == 303
    db.session.expire_all()
    assert slip.merged_into_id is None and case.staff == [slip]


def test_a_csv_is_previewed_then_imported_once(client, staff, org):
    login(client, "admin")
    text = (
        "单位编码,姓名,职务,在职\n"
        "CC-RSJ,郑某,窗口科员,是\n"
        "CC-RSJ, 冯某 ,,\n"
        ",,,\n"
        "CC-RSJ,王某某,就业和失业保险股股长,否\n"  # listed: leaves
        "CC-ZJJ,孙某某,建筑市场监管股股长,是\n"  # listed as it is
    )
    r = preview(client, csv_file(text))
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    assert "新增2人，变更1人，1人已在名单中" in html
    assert count() == len(staff)  # nothing stored before the answer
    assert apply(client, html).status_code == 303
    db.session.expire_all()
    assert count() == len(staff) + 2 and not staff["王某某"].active
    added = db.session.scalar(sa.select(Staff).where(Staff.name == "冯某"))
    assert (added.post, added.active, added.confirmed) == ("", True, True)
    events = db.session.scalars(sa.select(Event).where(Event.subject_type == "staff")).all()
    assert sorted(e.action for e in events) == ["staff_deactivated", *["staff_imported"] * 2]
    # The same file again adds nobody, even if its preview's answer is sent twice.
    html = preview(client, csv_file(text)).get_data(as_text=True)
    assert "新增0人，变更0人，4人已在名单中" in html and 'name="payload"' not in html
    assert (
        apply(
            client, preview(client, csv_file(text + "CC-RSJ,新人,,\n")).get_data(as_text=True)
        ).status_code
        == 303
    )
    assert count() == len(staff) + 3


def test_an_xlsx_with_english_headers_is_imported(client, staff):
    login(client, "admin")
    rows = [
        ["unit_code", "name", "post", "active"],
        ["CC-ZJJ", "卫某", "科员", "yes"],
        ["CC-ZJJ", "蒋某", 12, None],
    ]
    r = preview(client, xlsx_file(rows))
    assert r.status_code == 200, r.get_data(as_text=True)[:2000]
    assert apply(client, r.get_data(as_text=True)).status_code == 303
    names = set(db.session.scalars(sa.select(Staff.name).where(Staff.post.in_(["科员", "12"]))))
    assert names == {"卫某", "蒋某"}


def test_a_csv_from_excel_in_gb18030_is_read(client, staff):
    login(client, "admin")
    r = preview(client, csv_file("单位编码,姓名,职务\r\nCC-RSJ,褚某,科员\r\n", encoding="gb18030"))
    assert r.status_code == 200 and "新增1人" in r.get_data(as_text=True)


@pytest.mark.parametrize(
    "upload, expected",
    [
        (csv_file("单位编码,姓名\nCC-NONE,甲\n"), "第2行：单位编码：该单位不存在。"),
        (csv_file("单位编码,姓名\nCC-RSJ,甲\nCC-RSJ,\n"), "第3行：姓名：此项为必填项。"),
        (csv_file("单位编码,姓名\nCC-RSJ," + "长" * 41 + "\n"), "第2行：姓名：最多 40 个字符"),
        (csv_file("单位编码,姓名,职务\nCC-RSJ,甲," + "职" * 61 + "\n"), "第2行：职务"),
        (csv_file("单位编码,姓名,在职\nCC-RSJ,甲,也许\n"), "第2行：在职：请填写“是”或“否”。"),
        (csv_file("单位编码,姓名\nCC-RSJ,甲\x00乙\n"), "这不是 CSV 文件"),
        (csv_file("单位编码,姓名\nCC-RSJ,甲\x01\n"), "第2行：姓名：包含非法控制字符"),
        (csv_file("单位编码,姓名\nCC-RSJ,甲\nCC-RSJ,甲\n"), "与第2行的人员和职务重复"),
        (csv_file("编码,姓名\nCC-RSJ,甲\n"), "无法识别的列“编码”"),
        (csv_file("姓名\n甲\n"), "缺少“单位编码”列"),
        (csv_file("单位编码,姓名\n"), "文件中没有人员"),
        (csv_file(""), "文件为空"),
        (csv_file("单位编码,姓名\nCC-RSJ,甲\n", name="staff.pdf"), "只能导入 CSV 或 XLSX 文件"),
        ({"file": (io.BytesIO(b"PK\x03\x04garbage"), "staff.xlsx")}, "这不是 XLSX 文件"),
        ({"file": (io.BytesIO(b"\xff\xfe\xfd" * 20), "staff.csv")}, "既不是 UTF-8 也不是 GB18030"),
        ({}, "请选择 CSV 或 XLSX 文件"),
    ],
)
def test_a_bad_file_is_refused_whole_with_its_rows_named(client, staff, upload, expected):
    login(client, "admin")
    # The parameters are built once for both databases: each run sends a fresh copy.
    upload = {key: (io.BytesIO(f.getvalue()), name) for key, (f, name) in upload.items()}
    r = preview(client, upload)
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    assert expected in html, html[html.find("<main") :][:3000]
    assert 'name="payload"' not in html
    assert count() == len(staff)


def test_a_tampered_or_stale_preview_imports_nothing(client, staff, org):
    login(client, "admin")
    html = preview(client, csv_file("单位编码,姓名\nCC-RSJ,郑某\n")).get_data(as_text=True)
    payload = re.search(r'name="payload" value="([^"]+)"', html).group(1)
    for bad in ("", "x", payload[:-2] + "AA", "\x00"):
        r = client.post("/admin/staff/import/apply", data={"payload": bad})
        assert r.status_code == 400, bad
    # The unit closed between the preview and the answer: checked again, refused.
    org["units"]["CC-RSJ"].active = False
    db.session.commit()
    assert client.post("/admin/staff/import/apply", data={"payload": payload}).status_code == 422
    assert count() == len(staff)


def test_templates_download_in_both_formats(client, staff):
    login(client, "admin")
    r = client.get("/admin/staff/import/template.csv")
    assert r.data.decode("utf-8-sig").strip() == "单位编码,姓名,职务,在职"
    assert "attachment" in r.headers["Content-Disposition"]
    r = client.get("/admin/staff/import/template.xlsx")
    book = load_workbook(io.BytesIO(r.data))
    assert [c.value for c in book.worksheets[0][1]] == ["单位编码", "姓名", "职务", "在职"]
    assert client.get("/admin/staff/import/template.pdf").status_code == 404
    # The template filled in is what the import reads.
    book.worksheets[0].append(["CC-RSJ", "郑某", "科员", "是"])
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    assert "新增1人" in preview(client, {"file": (out, "filled.xlsx")}).get_data(as_text=True)


def test_a_file_past_the_limits_is_refused(app, client, staff):
    app.config.update(STAFF_IMPORT_MAX_ROWS=10, STAFF_IMPORT_MAX_BYTES=2048)
    login(client, "admin")
    r = preview(client, csv_file("单位编码,姓名\n" + "".join(f"CC-RSJ,某{i}\n" for i in range(11))))
    assert r.status_code == 422 and "人员超过10行" in r.get_data(as_text=True)
    r = preview(client, csv_file("单位编码,姓名\nCC-RSJ," + "x" * 3000 + "\n"))
    assert r.status_code == 422 and "文件超过2 KB" in r.get_data(as_text=True)
    rows = [["单位编码", "姓名"], *[["CC-RSJ", f"某{i}"] for i in range(11)]]
    r = preview(client, xlsx_file(rows))
    assert r.status_code == 422
    assert count() == len(staff)
