"""The running lock a run holds while it works, and closing runs whose worker vanished.

The lock (redis-py Lock: token-checked release, renewable TTL) is the last of the three layers that keep runs
exclusive (wizard.jobs.queue has the other two): a thread of the run renews it while the run lives
(wizard.redis.kept_alive), so a killed worker does not block the account for ever, a long wait inside one
batch does not let it lapse, and a second worker never runs the same sync.

It is also the run's lease (issue #18): short, so that a run whose worker or job process died is known dead
within RUNNING_LOCK_TTL seconds (about one worker heartbeat), closed naming that worker, and queued again
(wizard.jobs.queue.recover_dead_runs). A run that cannot renew it (Redis away longer than the lease, or the
lock taken by another after it lapsed) stops before its next write and ends "lock lost" (LeaseLost).
"""
import os
import socket
from datetime import datetime, timezone

from flask import current_app

from wizard.extensions import db
from wizard.models.sync import RunStatus, SyncRun
from wizard.redis import get_redis

class LeaseLost(Exception):
    """The run's running lock is no longer its own: the run stops before its next write (wizard.engine.run)."""


RUNNING_LOCK_TTL = 30  # seconds; renewed every third of it (10 s) by a thread of the run while it lives


def running_lock_name(account_id: int, object: str) -> str:
    return f"syncwizard:sync:running:{account_id}:{object}"


def running_lock(account_id: int, object: str, connection=None):
    """The lock a run holds while it works.

    A killed worker cannot release it: it expires after SYNC_RUNNING_LOCK_TTL seconds without renewal. Its token
    is shared by the run's threads (not thread-local), so kept_alive() can renew it."""
    ttl = int(current_app.config.get("SYNC_RUNNING_LOCK_TTL", RUNNING_LOCK_TTL))
    return (connection or get_redis()).lock(running_lock_name(account_id, object), timeout=ttl, blocking=False,
                                            thread_local=False)


def worker_name() -> str:
    """The RQ worker running this job (host.pid, as on the jobs page; RQ sets RQ_WORKER_ID in its work horse),
    else this process (a run from the command line)."""
    return os.environ.get("RQ_WORKER_ID") or f"{socket.gethostname()}.{os.getpid()}"


def abandon(run: SyncRun) -> None:
    """Close a run whose worker vanished (killed, restarted): the next run converges from the saved state.
    One that was running names the worker that died under it (the health page says so)."""
    died = run.status == RunStatus.RUNNING
    run.status = RunStatus.FAILED
    run.finished_at = datetime.now(timezone.utc)
    run.outcome_code = "sync.run.worker_died" if died else "sync.run.abandoned"
    run.outcome_params = {"worker": run.worker or "?"} if died else {}


def close_stale_runs(run: SyncRun) -> None:
    """Runs left "running" by a killed worker are closed: this run converges from the saved state."""
    stale = db.session.scalars(db.select(SyncRun).where(
        SyncRun.account_id == run.account_id, SyncRun.object == run.object, SyncRun.id != run.id,
        SyncRun.status.in_(RunStatus.ACTIVE)))
    for other in stale:
        if other.status == RunStatus.RUNNING or other.id < run.id:
            abandon(other)
