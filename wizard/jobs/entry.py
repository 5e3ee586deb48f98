"""RQ entry points: ids in, the engine does the work (the worker gives every job an app context), then what
the run's outcome means for the schedule is noted here: when it finished, and a pause after invalid_grant.

Periodic jobs are data (PERIODIC_JOBS): each re-schedules itself on the worker's scheduler after it runs,
under a job id unique per time slot, and `ensure_periodic_jobs()` (called when a worker starts) puts back any
that is missing, so a restart neither loses nor doubles them.
"""
import logging
import time
from datetime import datetime, timezone

from redis.exceptions import RedisError
from rq import Queue
from rq.exceptions import DuplicateJobError

from wizard.engine import run_sync
from wizard.engine.collector import tuned_for_run
from wizard.extensions import db
from wizard.jobs.queue import RECOVERY_TRIGGER, enqueue_sync
from wizard.jobs.schedule import dispatch_due, note_run_finished, pause
from wizard.models.sync import RunStatus, SyncRun
from wizard.redis import get_redis

log = logging.getLogger(__name__)

PERIODIC_JOBS = (
    {"name": "dispatch-due-syncs", "func": "wizard.jobs.dispatch_due_syncs", "interval_seconds": 60,
     "queue": "sync"},
)


def sync_account(account_id: int, object: str = "contacts", run_id: int | None = None) -> str:
    """One sync run for an account and object (an RQ job); returns the run's final status. A queued run may
    replace one judged dead whose lease has not lapsed yet: it waits for that lock (wizard.engine.run_sync).

    The garbage collector is tuned here, in RQ's work horse (a fork that ends with the job), not in the engine:
    a long-lived process running many syncs in-process (the test suite, `syncwizard sync`) would keep the
    garbage frozen during one run (old connection pools among it) out of the young collections after it."""
    with tuned_for_run():
        return run_now(account_id, object, run_id=run_id, wait_for_lock=run_id is not None).status


def run_now(account_id: int, object: str = "contacts", run_id: int | None = None,
            force: bool | None = None, wait_for_lock: bool = False) -> SyncRun:
    """Run the engine in this process, then note the outcome on the schedule (a crash is noted, then raised)."""
    try:
        run = run_sync(account_id, object, run_id=run_id, force=force, wait_for_lock=wait_for_lock)
    except Exception:
        db.session.rollback()
        _note_outcome(account_id, object, None)
        raise
    _note_outcome(account_id, object, run.status)
    if run.outcome_code == "sync.run.lock_lost":
        _queue_after_lost_lock(account_id, object)
    return run


def _queue_after_lost_lock(account_id: int, object: str) -> None:
    """A run stopped by a lost lock is taken up again at once: the run that took the lock over if there is
    one (enqueue_sync returns it), else a new run. With Redis still away, the recovery sweep or the schedule
    does it later."""
    try:
        enqueue_sync(account_id, object, trigger=RECOVERY_TRIGGER)
    except RedisError:
        log.warning("Redis unreachable: the run of account %s (%s) that lost its lock is queued later",
                    account_id, object)


def _note_outcome(account_id: int, object: str, status: str | None) -> None:
    """The run's end on the schedule; an account that needs reconnecting stops being scheduled (no retry)."""
    note_run_finished(account_id, object)
    if status == RunStatus.NEEDS_RECONNECT:
        pause(account_id, "needs_reconnect")
    db.session.commit()


def dispatch_due_syncs() -> int:
    """Queue every account's object whose scheduled time has come; returns how many were queued."""
    try:
        return dispatch_due()
    finally:
        schedule_next(PERIODIC_JOBS[0])


def _slot_job_id(spec, slot: int) -> str:
    return f"syncwizard-periodic-{spec['name']}-{slot}"


def schedule_next(spec, connection=None, now: float | None = None):
    """Schedule the job's next slot (unique id per slot: a second call for the same slot is a no-op)."""
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
