"""`flask supervision sweep`: one supervision sweep by hand, now or as of a given moment."""

from datetime import datetime

import click
from flask.cli import AppGroup

from app.accountability.sweep import sweep_accountability
from app.core.types import as_of, utcnow
from app.deadlines.workdays import SHANGHAI, to_local
from app.extensions import db
from app.supervision.sweep import run_sweep

supervision_cli = AppGroup("supervision", help="Electronic supervision (电子监察).")


class Moment(click.ParamType):
    """An ISO date-time; a value without an offset is Asia/Shanghai wall time."""

    name = "date-time"

    def convert(self, value, param, ctx) -> datetime:
        if isinstance(value, datetime):
            return value
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            self.fail(f"not an ISO date-time (2026-03-05T10:00): {value!r}", param, ctx)
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=SHANGHAI)
        return moment


@supervision_cli.command("sweep")
@click.option(
    "--at",
    "moment",
    type=Moment(),
    help="Sweep as of this moment (2026-03-05T10:00, Asia/Shanghai unless an offset is given).",
)
@click.option("--dry-run", is_flag=True, help="Print what the sweep would do and store nothing.")
def supervision_sweep(moment: datetime | None, dry_run: bool) -> None:
    """Run one supervision sweep and commit it."""
    moment = moment or utcnow()
    # Everything the sweep asks the time (calendar, notice year) sees the same moment.
    with as_of(moment):
        result = run_sweep(moment)
        accountability = sweep_accountability(moment)
    if dry_run:
        # Nothing stored, and jobs queued for after the commit are dropped with it.
        db.session.rollback()
    else:
        db.session.commit()
    click.echo(f"sweep as of {to_local(moment):%Y-%m-%d %H:%M:%S} Asia/Shanghai")
    click.echo(f"pre-warnings: {result.prewarn}")
    click.echo(f"yellow cards: {result.yellow}, with reminder notices: {result.reminders}")
    click.echo(f"red cards: {result.red}, with supervision orders: {result.orders}")
    click.echo(f"cards cleared (clock stopped): {result.cleared}")
    click.echo(f"inbox messages: {result.messages}")
    click.echo(f"statements: {result.statements}")
    click.echo(
        f"referrals: {accountability.referrals}, rule suggestions: {accountability.suggestions}, "
        f"accountability deadlines passed: {accountability.overdue}"
    )
    click.echo("dry run: rolled back, nothing stored" if dry_run else "committed")
