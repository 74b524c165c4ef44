"""The periodic supervision job."""

from dataclasses import asdict

from app.accountability.sweep import sweep_accountability
from app.extensions import db
from app.supervision.sweep import run_sweep


def sweep_job() -> dict:
    """Run one sweep in its own transaction; safe to run again or concurrently.

    The accountability part follows the cards it reads (a red card refers at once).
    """
    result = run_sweep()
    accountability = sweep_accountability()
    db.session.commit()
    return {**asdict(result), **asdict(accountability)}
