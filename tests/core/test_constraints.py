"""The database refuses a value outside its enum, and a row whose tied columns disagree."""

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from app.cases.actions import perform_action
from app.cases.models import Case
from app.core.constraints import one_of
from app.extensions import db
from app.notifications.models import Notification
from tests.factories import create_card, create_case


@pytest.fixture
def rows(app) -> dict[str, int]:
    """One committed row of each table under test: a handling case, its handle clock with a
    yellow card, and a message about it; by table name."""
    case = create_case("handling")
    card = create_card(case, "yellow")
    note = Notification(case_id=case.id, subject="催办", channel="inapp", status="pending")
    db.session.add(note)
    db.session.commit()
    return {
        "cases": case.id,
        "clocks": card.clock_id,
        "warnings": card.id,
        "notifications": note.id,
        "units": case.respondent_unit_id,
    }


def _update(table: str, row_id: int, column: str, value) -> None:
    db.session.execute(
        sa.text(f"UPDATE {table} SET {column} = :value WHERE id = :id"),
        {"value": value, "id": row_id},
    )
    db.session.commit()


def _refused(constraint: str, statement: str, **params) -> None:
    """Run ``statement`` and expect ``constraint`` to refuse it (both databases name it)."""
    with pytest.raises(IntegrityError, match=constraint):
        db.session.execute(sa.text(statement), params)
        db.session.commit()
    db.session.rollback()


@pytest.mark.parametrize(
    ("table", "column", "value"),
    [
        ("cases", "state", "lost"),
        ("cases", "channel", "fax"),
        ("cases", "urgency", "whenever"),
        ("cases", "finding", "maybe"),
        ("cases", "redo_count", -1),
        ("clocks", "kind", "lunch"),
        ("clocks", "limit_unit", "weeks"),
        ("warnings", "level", "orange"),
        ("notifications", "status", "lost"),
        ("notifications", "channel", "pigeon"),
        ("notifications", "attempts", -1),
        ("units", "tier", 5),
        ("units", "kind", "club"),
    ],
)
def test_a_value_outside_the_enum_is_refused(rows, table, column, value):
    _refused(
        f"ck_{table}_{column}",
        f"UPDATE {table} SET {column} = :value WHERE id = :id",
        value=value,
        id=rows[table],
    )


@pytest.mark.parametrize(
    ("table", "column", "value"),
    [
        ("cases", "channel", "web"),
        ("cases", "urgency", "urgent"),
        ("cases", "finding", "unsubstantiated"),
        ("clocks", "limit_unit", "hours"),
        ("warnings", "level", "red"),
        ("notifications", "status", "sent"),
        ("notifications", "channel", "sms"),
        ("units", "tier", 4),
    ],
)
def test_a_value_of_the_enum_is_stored(rows, table, column, value):
    _update(table, rows[table], column, value)
    stored = db.session.execute(
        sa.text(f"SELECT {column} FROM {table} WHERE id = :id"), {"id": rows[table]}
    ).scalar_one()
    assert stored == value


def test_a_message_inserted_with_an_unknown_status_is_refused(app):
    _refused(
        "ck_notifications_status",
        "INSERT INTO notifications (channel, to_address, subject, body, status, attempts, "
        "created_at, last_error) "
        "VALUES ('inapp', '', '催办', '', 'lost', 0, CURRENT_TIMESTAMP, '')",
    )
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Notification)) == 0


def test_a_message_inserted_with_a_known_status_is_stored(app):
    db.session.execute(
        sa.text(
            "INSERT INTO notifications (channel, to_address, subject, body, status, attempts, "
            "created_at, last_error) "
            "VALUES ('email', 'a@example.cn', '回执', '', 'failed', 5, CURRENT_TIMESTAMP, '')"
        )
    )
    db.session.commit()
    assert db.session.scalars(sa.select(Notification.status)).all() == ["failed"]


def test_a_merged_case_without_its_original_is_refused(app):
    case = create_case("screening")
    db.session.commit()
    _refused(
        "ck_cases_merged",
        "UPDATE cases SET state = 'merged', closed_at = CURRENT_TIMESTAMP WHERE id = :id",
        id=case.id,
    )


def test_a_case_not_merged_cannot_point_to_an_original(app):
    case, original = create_case("screening"), create_case("handling")
    db.session.commit()
    _refused(
        "ck_cases_merged",
        "UPDATE cases SET duplicate_of_id = :original WHERE id = :id",
        original=original.id,
        id=case.id,
    )


def test_a_merged_case_points_to_its_original(app):
    case = create_case("merged")
    db.session.commit()
    stored = db.session.execute(
        sa.text("SELECT state, duplicate_of_id FROM cases WHERE id = :id"), {"id": case.id}
    ).one()
    assert stored == ("merged", case.duplicate_of_id) and case.duplicate_of_id is not None


def test_merging_through_the_workflow_satisfies_the_database(org, make_case):
    original, duplicate = make_case(), make_case()
    perform_action(duplicate, "merge", org["users"]["operator"], {"case_id": original.id})
    db.session.commit()
    db.session.expire_all()
    merged = db.session.get(Case, duplicate.id)
    assert (merged.state, merged.duplicate_of_id) == ("merged", original.id)
    assert merged.closed_at is not None


def test_reopening_clears_the_closing_moment(org, make_case):
    case = make_case("dispatch", "sign", "reply", "review", "visit", "reopen")
    db.session.expire_all()
    reopened = db.session.get(Case, case.id)
    assert (reopened.state, reopened.closed_at) == ("screening", None)


@pytest.mark.parametrize(
    ("state", "constraint", "statement"),
    [
        pytest.param(
            "visiting",
            "ck_cases_closed",
            "UPDATE cases SET state = 'closed' WHERE id = :id",
            id="closed-no-moment",
        ),
        pytest.param(
            "handling",
            "ck_cases_closed",
            "UPDATE cases SET closed_at = CURRENT_TIMESTAMP WHERE id = :id",
            id="open-with-closing-moment",
        ),
        pytest.param(
            "handling",
            "ck_clocks_verdict",
            "UPDATE clocks SET stopped_at = CURRENT_TIMESTAMP "
            "WHERE case_id = :id AND kind = 'handle'",
            id="stopped-clock-without-verdict",
        ),
        pytest.param(
            "handling",
            "ck_clocks_verdict",
            "UPDATE clocks SET late = false WHERE case_id = :id AND kind = 'handle'",
            id="running-clock-with-verdict",
        ),
        pytest.param(
            "handling",
            "ck_assignments_parent",
            "UPDATE assignments SET role = 'sub' WHERE case_id = :id",
            id="sub-unit-without-parent",
        ),
    ],
)
def test_columns_tied_together_must_agree(app, state, constraint, statement):
    case = create_case(state)
    db.session.commit()
    _refused(constraint, statement, id=case.id)


def test_the_migrations_build_the_checks_the_models_declare(app, backend):
    """``flask db check`` does not compare CHECK constraints: this test does."""
    inspector = sa.inspect(db.engine)
    for table in db.metadata.sorted_tables:
        declared = {
            c.name: str(c.sqltext) for c in table.constraints if isinstance(c, sa.CheckConstraint)
        }
        built = {c["name"]: c["sqltext"] for c in inspector.get_check_constraints(table.name)}
        assert built.keys() == declared.keys(), table.name
        if backend == "sqlite":  # PostgreSQL rewrites the condition into its own form
            assert built == declared, table.name


def test_one_of_keeps_the_order_given_and_sorts_a_set():
    assert one_of("tier", [3, 1, 2]) == "tier IN (3, 1, 2)"
    assert one_of("tier", {3, 1, 2}) == "tier IN (1, 2, 3)"
    assert one_of("note", ["b", "it's"]) == "note IN ('b', 'it''s')"
