"""`flask supervision sweep`: a sweep by hand, as of a moment, or as a dry run."""

import pytest
import sqlalchemy as sa

from app.core.numbering import Counter
from app.extensions import db
from app.notifications.models import Notification
from app.supervision.models import SupervisionWarning
from tests.conftest import sh

# Both the sign deadline (end of 3 March) and its red-card moment have passed.
LATE = "2026-03-11T09:00"
COUNTS = [
    "sweep as of 2026-03-11 09:00:00 Asia/Shanghai",
    "pre-warnings: 0",
    "yellow cards: 1, with reminder notices: 0",  # the supervision order covers it
    "red cards: 1, with supervision orders: 1",
    "cards cleared (clock stopped): 0",
    "inbox messages: 2",  # handler and unit lead
    # The red card goes to the inspectors' queue in the same sweep.
    "referrals: 1, rule suggestions: 0, accountability deadlines passed: 0",
]


@pytest.fixture
def late(make_case, at):
    """A case dispatched to CC-RSJ on Monday 2 March 2026 at 09:00 and never signed."""
    at(2026, 3, 2, 9, 0)
    case = make_case("dispatch")
    at()
    return case


def sweep(app, *args):
    return app.test_cli_runner().invoke(args=["supervision", "sweep", *args])


def cards() -> list[tuple[str, str | None]]:
    db.session.expire_all()
    rows = db.session.scalars(sa.select(SupervisionWarning).order_by(SupervisionWarning.id))
    return [(w.level, w.number) for w in rows]


def stored() -> dict[str, int]:
    """How many rows a sweep could write are in the database."""
    db.session.expire_all()
    return {
        model.__tablename__: db.session.scalar(sa.select(sa.func.count()).select_from(model))
        for model in (SupervisionWarning, Notification, Counter)
    }


def lines(result) -> list[str]:
    """The printed counts, without the statement count and the last line."""
    assert result.exit_code == 0, result.output
    return [line for line in result.output.splitlines()[:-1] if not line.startswith("statements")]


def test_a_late_case_gets_its_cards_as_of_the_moment_given(app, late):
    result = sweep(app, "--at", LATE)
    assert lines(result) == COUNTS
    assert result.output.splitlines()[-1] == "committed"
    assert cards() == [("yellow", None), ("red", "澄效督〔2026〕1号")]
    issued = db.session.scalars(sa.select(SupervisionWarning.issued_at)).all()
    assert issued == [sh(2026, 3, 11, 9, 0)] * 2


def test_a_value_with_an_offset_is_taken_as_given(app, late):
    result = sweep(app, "--at", "2026-03-04T01:00+00:00")  # 09:00 in Shanghai
    assert "sweep as of 2026-03-04 09:00:00 Asia/Shanghai" in result.output
    assert "yellow cards: 1, with reminder notices: 1" in result.output
    assert db.session.scalar(sa.select(SupervisionWarning.issued_at)) == sh(2026, 3, 4, 9, 0)


def test_without_at_the_sweep_runs_as_of_now(app, late, at):
    at(2026, 3, 11, 9, 0)  # what the services see as now
    assert lines(sweep(app)) == COUNTS
    assert len(cards()) == 2


def test_a_dry_run_prints_the_same_counts_and_stores_nothing(app, late):
    before = stored()
    dry = sweep(app, "--at", LATE, "--dry-run")
    assert lines(dry) == COUNTS
    assert dry.output.splitlines()[-1] == "dry run: rolled back, nothing stored"
    assert stored() == before  # no card, message, notice number or lock counter
    assert not db.session.info.get("jobs_after_commit")
    # The real sweep then issues the same cards under the same numbers.
    assert lines(sweep(app, "--at", LATE)) == COUNTS
    assert cards() == [("yellow", None), ("red", "澄效督〔2026〕1号")]


@pytest.mark.parametrize("value", ["yesterday", "2026-13-01T10:00", "2026-03-11 25:00", ""])
def test_a_bad_moment_is_refused_before_anything_runs(app, late, value):
    before = stored()
    result = sweep(app, "--at", value)
    assert result.exit_code == 2
    assert "not an ISO date-time" in result.output
    assert stored() == before


def test_a_second_sweep_issues_nothing(app, late):
    assert lines(sweep(app, "--at", LATE)) == COUNTS
    again = lines(sweep(app, "--at", "2026-03-11T09:05"))
    assert again[1:] == [
        "pre-warnings: 0",
        "yellow cards: 0, with reminder notices: 0",
        "red cards: 0, with supervision orders: 0",
        "cards cleared (clock stopped): 0",
        "inbox messages: 0",
        "referrals: 0, rule suggestions: 0, accountability deadlines passed: 0",
    ]
    assert len(cards()) == 2
