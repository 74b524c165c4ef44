"""`flask calendar import YEAR` and `flask calendar add-workdays START N`."""

from datetime import date, datetime

import click
import sqlalchemy as sa
from flask.cli import AppGroup

from app.core.errors import ValidationFailed
from app.deadlines.calendar_admin import enter_year, import_package_year
from app.deadlines.models import CalendarDay
from app.deadlines.services import load_calendar
from app.deadlines.workdays import SHANGHAI, add_workdays, to_local
from app.extensions import db

calendar_cli = AppGroup("calendar", help="The working-day calendar.")


@calendar_cli.command("import")
@click.argument("years", nargs=-1, type=int, required=True)
def calendar_import(years) -> None:
    """Load YEARS from the chinesecalendar package (replaces stored days, recomputes clocks)."""
    for year in years:
        try:
            change = import_package_year(year)
        except NotImplementedError as error:
            db.session.rollback()
            raise click.ClickException(
                f"{year}: the chinesecalendar package has no data ({error}); "
                f"enter it by hand with `flask calendar enter {year}`"
            ) from None
        db.session.commit()
        _report(year, change)


def _report(year: int, change) -> None:
    workdays = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(CalendarDay)
        .where(
            CalendarDay.day.between(date(year, 1, 1), date(year, 12, 31)),
            CalendarDay.is_workday.is_(True),
        )
    )
    click.echo(
        f"{year}: {workdays} working days; {change.moved} open deadlines recomputed "
        f"on {len(change.cases)} cases"
    )


@calendar_cli.command("enter")
@click.argument("year", type=int)
@click.option(
    "--holidays",
    type=click.File(encoding="utf-8"),
    required=True,
    help="File: one holiday date or range per line (2027-02-05..2027-02-11 春节).",
)
@click.option(
    "--makeup",
    type=click.File(encoding="utf-8"),
    help="File: one make-up working weekend day per line (2027-02-14 春节).",
)
def calendar_enter(year: int, holidays, makeup) -> None:
    """Enter YEAR's official schedule by hand when the package lacks it."""
    data = {
        "year": year,
        "holidays": holidays.read(),
        "makeup_days": makeup.read() if makeup else "",
    }
    try:
        change = enter_year(data)
    except ValidationFailed as error:
        db.session.rollback()
        problems = "; ".join(f"{k}: {v}" for k, v in error.fields.items())
        raise click.ClickException(problems) from None
    db.session.commit()
    _report(year, change)


@calendar_cli.command("add-workdays")
@click.argument("start")
@click.argument("n", type=int)
def calendar_add_workdays(start: str, n: int) -> None:
    """Print the deadline N working days after START (a date or date-time, Asia/Shanghai)."""
    try:
        moment = datetime.fromisoformat(start)
    except ValueError:
        raise click.BadParameter(f"not a date or date-time: {start!r}") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=SHANGHAI)
    deadline = add_workdays(moment, n, load_calendar(to_local(moment).date()))
    click.echo(
        f"due: {to_local(deadline.due_at):%Y-%m-%d %H:%M:%S} Asia/Shanghai"
        + (
            " (provisional: no calendar data for part of the period)"
            if deadline.provisional
            else ""
        )
    )
    for info in deadline.skipped:
        click.echo(f"skipped {info.day} ({info.note or 'day off'})")
    for day in deadline.makeup:
        click.echo(f"make-up working day counted: {day}")
