"""`flask calendar import YEAR` and `flask calendar add-workdays START N`."""

from datetime import datetime

import click
from flask.cli import AppGroup

from app.deadlines.services import chinesecalendar_year, import_year, load_calendar
from app.deadlines.workdays import SHANGHAI, add_workdays, to_local
from app.extensions import db

calendar_cli = AppGroup("calendar", help="The working-day calendar.")


@calendar_cli.command("import")
@click.argument("years", nargs=-1, type=int, required=True)
def calendar_import(years) -> None:
    """Load YEARS from the chinesecalendar package (replaces stored days)."""
    for year in years:
        try:
            days = chinesecalendar_year(year)
        except NotImplementedError as error:
            raise click.ClickException(
                f"{year}: the chinesecalendar package has no data ({error}); enter it by hand"
            ) from None
        count = import_year(year, days, "chinesecalendar")
        db.session.commit()
        click.echo(f"{year}: {count} days, {sum(1 for w, _ in days.values() if w)} working days")


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
