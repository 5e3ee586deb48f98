"""The running lock a run holds while it works, and closing runs whose worker vanished.

The lock (redis-py Lock: token-checked release, renewable TTL) is the last of the three layers that keep runs
exclusive (wizard.jobs.queue has the other two): a thread of the run renews it while the run lives
(wizard.redis.kept_alive), so a killed worker does not block the account for ever, a long wait inside one
batch does not let it lapse, and a second worker never runs the same sync.
"""
from datetime import datetime, timezone

from flask import current_app

from wizard.extensions import db
from wizard.models.sync import RunStatus, SyncRun
from wizard.redis import get_redis

RUNNING_LOCK_TTL = 300  # seconds; renewed every third of it while the run lives


def running_lock_name(account_id: int, object: str) -> str:
    return f"syncwizard:sync:running:{account_id}:{object}"


def running_lock(account_id: int, object: str, connection=None):
    """The lock a run holds while it works.

    A killed worker cannot release it: it expires after SYNC_RUNNING_LOCK_TTL seconds without renewal. Its token
    is shared by the run's threads (not thread-local), so kept_alive() can renew it."""
    ttl = int(current_app.config.get("SYNC_RUNNING_LOCK_TTL", RUNNING_LOCK_TTL))
    return (connection or get_redis()).lock(running_lock_name(account_id, object), timeout=ttl, blocking=False,
                                            thread_local=False)


def abandon(run: SyncRun) -> None:
    """Close a run whose worker vanished (killed, restarted): the next run converges from the saved state."""
    run.status = RunStatus.FAILED
    run.finished_at = datetime.now(timezone.utc)
    run.outcome_code = "sync.run.abandoned"
    run.outcome_params = {}


def close_stale_runs(run: SyncRun) -> None:
    """Runs left "running" by a killed worker are closed: this run converges from the saved state."""
    stale = db.session.scalars(db.select(SyncRun).where(
        SyncRun.account_id == run.account_id, SyncRun.object == run.object, SyncRun.id != run.id,
        SyncRun.status.in_(RunStatus.ACTIVE)))
    for other in stale:
        if other.status == RunStatus.RUNNING or other.id < run.id:
            abandon(other)
