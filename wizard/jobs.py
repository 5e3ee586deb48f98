"""RQ entry points: ids in, the engine does the work. The worker gives every job an app context."""


def sync_account(account_id: int, object: str = "contacts", run_id: int | None = None) -> str:
    """One sync run for an account and object; returns the run's final status."""
    from wizard.engine import run_sync

    return run_sync(account_id, object, run_id=run_id).status


def dispatch_due_syncs() -> int:
    """Queue every account's object whose scheduled time has come; returns how many were queued."""
    from wizard.engine_schedule import dispatch_due

    return dispatch_due()


# Periodic jobs as data: the worker's scheduler registers each (foundation's wizard/worker.py).
PERIODIC_JOBS = (
    {"func": "wizard.jobs.dispatch_due_syncs", "interval_seconds": 60, "queue": "default"},
)
