"""RQ entry points: ids in, the engine does the work (the worker gives every job an app context).

Periodic jobs are data (PERIODIC_JOBS): each re-schedules itself on the worker's scheduler after it runs,
under a job id unique per time slot, and `ensure_periodic_jobs()` (called when a worker starts) puts back any
that is missing, so a restart neither loses nor doubles them.
"""
import time
from datetime import datetime, timezone

PERIODIC_JOBS = (
    {"name": "dispatch-due-syncs", "func": "wizard.jobs.entry.dispatch_due_syncs", "interval_seconds": 60,
     "queue": "sync"},
)


def sync_account(account_id: int, object: str = "contacts", run_id: int | None = None) -> str:
    """One sync run for an account and object; returns the run's final status."""
    from wizard.engine.run import run_sync

    return run_sync(account_id, object, run_id=run_id).status


def dispatch_due_syncs() -> int:
    """Queue every account's object whose scheduled time has come; returns how many were queued."""
    from wizard.jobs.schedule import dispatch_due

    try:
        return dispatch_due()
    finally:
        schedule_next(PERIODIC_JOBS[0])


def _slot_job_id(spec, slot: int) -> str:
    return f"syncwizard-periodic-{spec['name']}-{slot}"


def schedule_next(spec, connection=None, now: float | None = None):
    """Schedule the job's next slot (unique id per slot: a second call for the same slot is a no-op)."""
    from rq import Queue
    from rq.exceptions import DuplicateJobError

    from wizard.redis import get_redis

    connection = connection or get_redis()
    interval = spec["interval_seconds"]
    now = time.time() if now is None else now
    slot = int(now // interval) + 1
    at = datetime.fromtimestamp(slot * interval, timezone.utc)
    try:
        Queue(spec["queue"], connection=connection).enqueue_at(
            at, spec["func"], job_id=_slot_job_id(spec, slot), unique=True, result_ttl=0, failure_ttl=3600)
    except DuplicateJobError:
        pass
    return _slot_job_id(spec, slot)


def ensure_periodic_jobs(connection=None) -> list[str]:
    """Make sure every periodic job has its next run scheduled (call when a worker starts)."""
    return [schedule_next(spec, connection) for spec in PERIODIC_JOBS]
