"""Duplicate warnings on the hotline form, and one-click merge (并单)."""

from datetime import timedelta

import sqlalchemy as sa

from app.cases.access import visible_cases
from app.cases.models import Case
from app.extensions import db
from app.intake.duplicates import find_duplicates, similarity
from tests.conftest import login


def draft(**overrides) -> dict:
    data = {
        "phone": "",
        "unit_code": "CC-RSJ",
        "category_code": "time_limit",
        "title": "失业保险金申领超期",
        "content": "提交申请一个月没有结果。",
    }
    data.update(overrides)
    return data


def found(org, **overrides) -> list[str]:
    hits = find_duplicates(draft(**overrides), visible_cases(org["users"]["operator"]))
    return [d.case.number for d in hits]


def test_similarity_of_chinese_text():
    assert similarity("失业保险金申领超期", "失业保险金申领超期了") > 0.8
    assert similarity("失业保险金申领超期", "窗口人员态度很差") == 0.0


def test_same_phone_open_case_is_a_duplicate(make_case, org):
    case = make_case()
    assert found(org, phone="138 1234 5678", title="别的事", content="完全不同") == [case.number]


def test_closed_cases_are_not_suggested(make_case, org):
    make_case("reject")
    assert found(org, phone="13812345678") == []


def test_same_unit_category_and_similar_text_within_window(make_case, org):
    case = make_case(complainant={"name": "李四", "phone": "13900000000", "anonymous": False})
    assert found(org) == [case.number]
    assert found(org, title="社保卡丢了", content="怎么补办") == []
    assert found(org, category_code="attitude") == []
    case.created_at -= timedelta(days=31)
    db.session.commit()
    assert found(org) == []


def test_hotline_shows_duplicates_and_merges_in_one_click(client, make_case):
    original = make_case()
    login(client, "operator")
    fragment = client.get("/intake/duplicates?phone=13812345678").get_data(as_text=True)
    assert original.number in fragment and f'value="{original.id}"' in fragment
    r = client.post(
        "/intake/hotline",
        data={
            "phone": "13812345678",
            "name": "张三",
            "respondent_unit_code": "CC-RSJ",
            "category_code": "time_limit",
            "subject_kind": "unit",
            "urgency": "normal",
            "title": "又来问失业金",
            "content": "还是没有结果",
            "merge_into": original.id,
        },
    )
    assert r.status_code == 303 and r.headers["Location"].endswith(f"/cases/{original.id}")
    db.session.expire_all()
    duplicate = db.session.scalar(sa.select(Case).where(Case.id != original.id))
    assert duplicate.state == "merged" and duplicate.duplicate_of_id == original.id
    assert duplicate.channel == "hotline" and duplicate.entered_by.username == "operator"
    assert "merged_in" in [e.action for e in db.session.get(Case, original.id).events]


def test_same_phone_written_another_way_is_a_duplicate(make_case, org):
    case = make_case(complainant={"name": "张三", "phone": "138-1234-5678", "anonymous": False})
    for typed in ("+86 138 1234 5678", "0086 13812345678", "8613812345678", "(138) 1234-5678"):
        assert found(org, phone=typed, title="别的事", content="完全不同") == [case.number]


def test_a_landline_with_its_area_code_is_one_number(make_case, org):
    case = make_case(complainant={"name": "李四", "phone": "0571-8888 8888", "anonymous": False})
    assert found(org, phone="+86 571 8888 8888", title="别的事", content="完全不同") == [
        case.number
    ]
    assert found(org, phone="8888 8888", title="别的事", content="完全不同") == []


def test_caller_history_finds_the_number_however_it_is_typed(client, make_case):
    case = make_case(complainant={"name": "张三", "phone": "+86 138 1234 5678", "anonymous": False})
    login(client, "operator")
    for typed in ("13812345678", "0086-138-1234-5678", "（138）1234 5678"):
        html = client.get("/intake/earlier-cases", query_string={"phone": typed}).get_data(
            as_text=True
        )
        assert case.number in html, typed
    html = client.get("/intake/earlier-cases?phone=13812345679").get_data(as_text=True)
    assert case.number not in html
