"""The periodic supervision job."""

from dataclasses import asdict

from app.extensions import db
from app.supervision.sweep import run_sweep


def sweep_job() -> dict:
    """Run one sweep in its own transaction; safe to run again or concurrently."""
    result = run_sweep()
    db.session.commit()
    return asdict(result)
