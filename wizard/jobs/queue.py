"""Enqueueing sync runs: at most one run per account and object queued or running, progress for pages.

Three layers keep runs exclusive, each covering what the one before cannot:
- enqueue_sync() serialises callers with a short Redis lock, so "Sync now" clicked twice and the
  dispatcher firing at the same moment agree on one run;
- the RQ job id is fixed per account and object and enqueued with `unique=True`, so the queue itself holds
  at most one job for it;
- the job takes a running lock (running_lock()) that a thread of the run renews while the run lives
  (wizard.redis.kept_alive), so a worker killed mid-run does not block the account for ever, a long wait
  inside one batch does not let the lock lapse, and a second worker never runs the same sync.

A run expected to be long goes to the bulk queue instead of `sync` (wizard.jobs.fairness: fairness between accounts);
the job id, the run row and the checks above are the same in both queues.

Runs outlive their workers (issue #18): a run is alive only while its lease (the running lock, 30 s), its RQ
job and its worker all say so (wizard.jobs.liveness); the workers, from their heartbeats, close the dead runs
and queue them again, and give a queued run whose job vanished from Redis its job back (recover_dead_runs), so
a run a dead worker or a Redis restart left is replaced within a beat or two (10 s each) instead of waiting for its
account's next scheduled run.
"""
import time

from flask import current_app
from rq import Queue
from rq.exceptions import DuplicateJobError
from rq.job import Job

from wizard.engine.lock import abandon, running_lock, running_lock_name  # noqa: F401 (running_lock: tests)
from wizard.engine.policy import scope_key
from wizard.extensions import db
from wizard.jobs.fairness import BULK_QUEUE_NAME, release_slot
from wizard.jobs.liveness import DEFAULT_HEARTBEAT_MAX_AGE, job_of, run_alive
from wizard.models.clock import as_utc, utcnow
from wizard.models.accounts import GoogleAccount
from wizard.models.sync import OBJECTS, Cursor, RunStatus, SyncRun
from wizard.redis import get_redis

QUEUE_NAME = "sync"
SYNC_QUEUE_NAMES = (QUEUE_NAME, BULK_QUEUE_NAME)  # workers' priority order: short runs first
JOB_TIMEOUT = 6 * 3600  # a first sync of 100,000 contacts under a low quota can be long
RECOVERY_TRIGGER = "recovery"
RECOVERY_SWEEP_KEY = "syncwizard:sync:recovery-sweep"
RECOVERY_SWEEP_EVERY = 10  # seconds: the workers sweep in turns, whichever beats first
LOST_JOB_GRACE = 10  # seconds: a queued run younger than this may still be getting its job (enqueue_sync)


def job_id_for(account_id: int, object: str) -> str:
    return f"syncwizard-sync-{account_id}-{object}"


def enqueue_lock_name(account_id: int, object: str) -> str:
    return f"syncwizard:sync:enqueue:{account_id}:{object}"


def queue_names() -> list[str]:
    """Every queue the product uses, in the workers' priority order (the jobs page and metrics list these)."""
    return [*SYNC_QUEUE_NAMES, "default"]


def sync_queue(connection=None, name: str = QUEUE_NAME) -> Queue:
    return Queue(name, connection=connection or get_redis())


def expects_long_run(account_id: int, object: str) -> bool:
    """A run that must list both sides in full: the first one (no Google cursor yet) or one after the scope
    changed (tags, calendar, starting date). Its length grows with the address book; others with the changes."""
    cursor = db.session.scalar(db.select(Cursor).where(Cursor.account_id == account_id, Cursor.object == object))
    if cursor is None or cursor.google_token is None:
        return True
    account = db.session.get(GoogleAccount, account_id)
    return account is not None and cursor.scope_key != scope_key(account, object)


def queue_for(account_id: int, object: str) -> str:
    return BULK_QUEUE_NAME if expects_long_run(account_id, object) else QUEUE_NAME


def enqueue_sync(account_id: int, object: str = "contacts", force: bool = False, trigger: str = "manual") -> int:
    """Queue a run for the account and object, or return the run already queued or running.

    `force` confirms past the mass-delete guard and the first-sync preview; when a run is already queued,
    it is upgraded to forced rather than queued twice."""
    if object not in OBJECTS:
        raise ValueError(f"unknown object {object!r}")
    connection = get_redis()
    with connection.lock(enqueue_lock_name(account_id, object), timeout=30, blocking_timeout=30):
        existing = live_run(account_id, object, connection)
        if existing is not None:
            if force and not existing.forced and existing.status == RunStatus.QUEUED:
                existing.forced = True
                db.session.commit()
            return existing.id
        run = SyncRun(account_id=account_id, object=object, trigger=trigger, forced=force,
                      status=RunStatus.QUEUED, job_id=job_id_for(account_id, object))
        db.session.add(run)
        db.session.commit()
        _enqueue_job(connection, run)
        return run.id


def _enqueue_job(connection, run: SyncRun) -> None:
    queue = sync_queue(connection, queue_for(run.account_id, run.object))
    kwargs = dict(job_id=run.job_id, unique=True, job_timeout=JOB_TIMEOUT, result_ttl=0,
                  failure_ttl=7 * 24 * 3600, meta={"run_id": run.id},
                  description=f"sync {run.object} of account {run.account_id} (run {run.id})")
    try:
        queue.enqueue("wizard.jobs.sync_account", run.account_id, run.object, run.id, **kwargs)
    except DuplicateJobError:
        # A finished, failed or abandoned job keeps its id in Redis: clear it and queue again.
        Job.fetch(run.job_id, connection=connection).delete()
        queue.enqueue("wizard.jobs.sync_account", run.account_id, run.object, run.id, **kwargs)


def live_run(account_id: int, object: str, connection=None) -> SyncRun | None:
    """The run queued or running for the account and object, if it is really alive (wizard.jobs.liveness:
    its lease, its RQ job and its worker all say so); the dead ones are closed as abandoned on the way, so
    "Sync now" never answers with a run a killed worker left."""
    connection = connection or get_redis()
    runs = db.session.scalars(
        db.select(SyncRun).where(SyncRun.account_id == account_id, SyncRun.object == object,
                                 SyncRun.status.in_(RunStatus.ACTIVE)).order_by(SyncRun.id.desc())
    ).all()
    live, abandoned = None, False
    for run in runs:
        if live is None and run_alive(run, connection, heartbeat_max_age()):
            live = run
        else:
            abandon(run)
            abandoned = True
    if abandoned:
        db.session.commit()
    return live


def heartbeat_max_age() -> float:
    return float(current_app.config.get("WORKER_HEARTBEAT_MAX_AGE", DEFAULT_HEARTBEAT_MAX_AGE))


def recover_dead_runs(connection=None) -> list[int]:
    """Runs a dead worker or a lost job left behind are put back to work; returns the ids of the runs queued.

    - A run left running by a worker or job process that died is closed, its bulk slot freed, and its
      account's sync queued again at once (trigger "recovery"). A recovery run that dies too is only closed: a
      run that kills its worker every time (out of memory) must not loop; the schedule tries it again.
    - A queued run whose RQ job vanished (Redis flushed or restarted without its data) gets its job back.
    The workers call this from their heartbeats (every 10 s), so a dead run is replaced within a beat or two,
    whatever the schedule says."""
    connection = connection or get_redis()
    active = db.session.scalars(db.select(SyncRun).where(SyncRun.status.in_(RunStatus.ACTIVE))
                                .order_by(SyncRun.id)).all()
    requeued = []
    for run in active:
        if run.status == RunStatus.QUEUED:
            if requeue_lost_job(run, connection):
                requeued.append(run.id)
            continue
        if run_alive(run, connection, heartbeat_max_age()) or live_run(run.account_id, run.object,
                                                                       connection) is not None:
            continue  # live_run closed it if it was dead (and any other dead run of its account)
        if run.job_id:
            release_slot(connection, run.job_id)  # the dead job's lease would hold a bulk slot a minute more
        if run.trigger != RECOVERY_TRIGGER:
            requeued.append(enqueue_sync(run.account_id, run.object, trigger=RECOVERY_TRIGGER))
    return requeued


def requeue_lost_job(run: SyncRun, connection) -> bool:
    """Queue the job of a queued run again when its job is gone from Redis. Under the enqueue lock, and only
    for a run queued more than LOST_JOB_GRACE seconds ago: enqueue_sync() commits the run a moment before it
    queues the job, and a sweep in between must not queue it twice."""
    queued_at = as_utc(run.queued_at)
    if queued_at is not None and (utcnow() - queued_at).total_seconds() < LOST_JOB_GRACE:
        return False
    if job_of(run, connection) is not None:
        return False
    with connection.lock(enqueue_lock_name(run.account_id, run.object), timeout=30, blocking_timeout=30):
        db.session.refresh(run)
        if run.status != RunStatus.QUEUED or job_of(run, connection) is not None:
            return False
        _enqueue_job(connection, run)
    return True


def sweep_due(connection, worker_name: str) -> bool:
    """True for one caller every RECOVERY_SWEEP_EVERY seconds, whichever worker asks first."""
    return bool(connection.set(RECOVERY_SWEEP_KEY, worker_name, nx=True, ex=RECOVERY_SWEEP_EVERY))


def progress(run_id: int) -> dict:
    """What a page polls while a run works: status, done/total, counts so far."""
    run = db.session.get(SyncRun, run_id)
    if run is None:
        return {"status": "unknown"}
    total = run.progress_total or 0
    percent = int(100 * run.progress_done / total) if total else (100 if not run.is_active else 0)
    return {"run_id": run.id, "status": run.status, "done": run.progress_done, "total": total,
            "percent": min(percent, 100), "counts": run.counts or {}, "api_calls": run.api_calls,
            "outcome": run.outcome_text()}


def wait_for_run(run_id: int, timeout: float = 3600.0, poll: float = 0.5) -> SyncRun:
    """Block until the run finishes (used by `syncwizard sync --wait`)."""
    deadline = time.monotonic() + timeout
    while True:
        db.session.expire_all()
        run = db.session.get(SyncRun, run_id)
        if run is None or not run.is_active or time.monotonic() > deadline:
            return run
        if run.status == RunStatus.QUEUED:
            live_run(run.account_id, run.object)
        time.sleep(poll)

