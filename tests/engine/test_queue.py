"""Queueing: one run per account and object queued or running; real Redis, real RQ."""
import os
import socket
import subprocess
import sys
from datetime import timedelta

from rq import Queue
from rq.job import Job, JobStatus

from wizard.extensions import db
from wizard.models.sync import RunStatus, SyncRun
from wizard.jobs.queue import (BULK_QUEUE_NAME, SYNC_QUEUE_NAMES, enqueue_sync, job_id_for, live_run, progress, running_lock,
                          running_lock_name)
from wizard.redis import get_redis


def test_enqueue_twice_gives_the_same_run(app, make_account):
    account = make_account()
    first = enqueue_sync(account.id, "contacts")
    second = enqueue_sync(account.id, "contacts")
    assert first == second
    queue = Queue(BULK_QUEUE_NAME, connection=get_redis())  # a first sync
    assert queue.job_ids == [job_id_for(account.id, "contacts")]
    job = Job.fetch(job_id_for(account.id, "contacts"), connection=get_redis())
    assert job.args == (account.id, "contacts", first)
    assert db.session.scalar(db.select(db.func.count()).select_from(SyncRun)) == 1


def test_objects_and_accounts_queue_separately(app, make_account):
    one = make_account()
    two = make_account(email="second@gmail.com", tag="Second")
    ids = {enqueue_sync(one.id, "contacts"), enqueue_sync(one.id, "activities"), enqueue_sync(two.id, "contacts")}
    assert len(ids) == 3
    assert sum(len(Queue(name, connection=get_redis())) for name in SYNC_QUEUE_NAMES) == 3


def test_force_upgrades_a_queued_run(app, make_account):
    account = make_account()
    run_id = enqueue_sync(account.id, "contacts")
    assert enqueue_sync(account.id, "contacts", force=True) == run_id
    assert db.session.get(SyncRun, run_id).forced is True


def test_a_vanished_job_does_not_block_the_account(app, make_account):
    """A worker killed mid-run leaves a "running" run behind and no live job: a new run is queued."""
    account = make_account()
    run_id = enqueue_sync(account.id, "contacts")
    Job.fetch(job_id_for(account.id, "contacts"), connection=get_redis()).delete()
    run = db.session.get(SyncRun, run_id)
    run.status = RunStatus.RUNNING
    db.session.commit()
    new_id = enqueue_sync(account.id, "contacts")
    assert new_id != run_id
    assert db.session.get(SyncRun, run_id).status == RunStatus.FAILED
    assert db.session.get(SyncRun, run_id).outcome_code == "sync.run.worker_died"


def test_a_dead_running_run_is_closed_and_queued_again_once(app, make_account):
    """Issue #18: what the workers' heartbeats do. A run whose lease lapsed is closed naming its worker and
    queued again (trigger "recovery"); a run whose lease is held is left alone; a recovery run that dies too
    is only closed (a run that kills its worker every time must not loop)."""
    from wizard.jobs.heartbeat import beat
    from wizard.jobs.queue import recover_dead_runs, running_lock

    alive, dead = make_account(email="alive@gmail.com"), make_account(email="dead@gmail.com")
    for account in (alive, dead):
        run = db.session.get(SyncRun, enqueue_sync(account.id, "contacts"))
        run.status, run.worker = RunStatus.RUNNING, f"host.{account.id}"
        # As a worker leaves it: the job started (its worker then died, or is alive: the lease tells).
        Job.fetch(run.job_id, connection=get_redis()).set_status(JobStatus.STARTED)
    db.session.commit()
    assert running_lock(alive.id, "contacts").acquire()
    beat(get_redis(), f"host.{alive.id}")  # the live run's worker beats (another machine: the heartbeat tells)
    [again] = recover_dead_runs()
    closed = db.session.scalars(db.select(SyncRun).where(SyncRun.account_id == dead.id)).first()
    assert (closed.status, closed.outcome_code) == (RunStatus.FAILED, "sync.run.worker_died")
    assert closed.outcome_params == {"worker": f"host.{dead.id}"}
    replacement = db.session.get(SyncRun, again)
    assert (replacement.account_id, replacement.status, replacement.trigger) == (dead.id, RunStatus.QUEUED, "recovery")
    assert enqueue_sync(dead.id, "contacts") == again  # "Sync now" answers with the live one
    assert db.session.scalar(db.select(db.func.count()).select_from(SyncRun).where(
        SyncRun.account_id == alive.id, SyncRun.status == RunStatus.RUNNING)) == 1
    replacement.status = RunStatus.RUNNING
    Job.fetch(replacement.job_id, connection=get_redis()).set_status(JobStatus.STARTED)
    db.session.commit()
    assert recover_dead_runs() == []
    assert db.session.get(SyncRun, again).outcome_code == "sync.run.worker_died"


def test_a_running_run_is_live_only_while_its_lock_job_and_worker_agree(app, make_account):
    """Issue #18: "Sync now" in the first seconds after a worker's `kill -9` (its lease not lapsed yet) must
    not answer with the dead run: the lock alone does not make a run live, its job and its worker must too."""
    account = make_account()
    run_id = enqueue_sync(account.id, "contacts")
    job = Job.fetch(job_id_for(account.id, "contacts"), connection=get_redis())
    job.set_status(JobStatus.STARTED)
    run = db.session.get(SyncRun, run_id)
    run.status, run.worker = RunStatus.RUNNING, f"{socket.gethostname()}.{os.getpid()}"  # this process: alive
    db.session.commit()
    lock = running_lock(account.id, "contacts")
    assert lock.acquire()
    try:
        assert live_run(account.id, "contacts").id == run_id
        assert enqueue_sync(account.id, "contacts") == run_id
        for dead in (lambda: job.set_status(JobStatus.FAILED),   # RQ saw its work horse die
                     lambda: job.delete(),                       # the job is gone from Redis
                     lambda: _on_dead_local_worker(run)):        # its worker's process is gone
            dead()
            assert live_run(account.id, "contacts") is None, "a dead run passed for live"
            db.session.refresh(run)
            assert (run.status, run.outcome_code) == (RunStatus.FAILED, "sync.run.worker_died")
            run = _running_again(account, job)
    finally:
        lock.release()


def _on_dead_local_worker(run):
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()  # reaped: its pid names no process any more
    run.worker = f"{socket.gethostname()}.{process.pid}"
    db.session.commit()


def _running_again(account, job):
    """A fresh running run of the account whose job started on this (live) process."""
    run = SyncRun(account_id=account.id, object="contacts", trigger="manual", status=RunStatus.RUNNING,
                  job_id=job.id, worker=f"{socket.gethostname()}.{os.getpid()}")
    db.session.add(run)
    db.session.commit()
    job = Job.create("wizard.jobs.sync_account", args=(account.id, "contacts", run.id), id=job.id,
                     connection=get_redis(), meta={"run_id": run.id})
    job.save()
    job.set_status(JobStatus.STARTED)
    return run


def test_a_queued_run_whose_job_vanished_gets_its_job_back(app, make_account):
    """Issue #18: Redis flushed or restarted without its data loses the queued jobs; the recovery sweep (from
    the workers' heartbeats) queues the same run's job again, but not in the instant between enqueue_sync's
    commit of the run and its queueing of the job."""
    from wizard.jobs.queue import LOST_JOB_GRACE, recover_dead_runs

    account = make_account()
    run_id = enqueue_sync(account.id, "contacts")
    get_redis().flushdb()
    assert recover_dead_runs() == []  # just queued: its job may be on its way
    run = db.session.get(SyncRun, run_id)
    run.queued_at = run.queued_at - timedelta(seconds=LOST_JOB_GRACE + 1)
    db.session.commit()
    assert recover_dead_runs() == [run_id]
    job = Job.fetch(job_id_for(account.id, "contacts"), connection=get_redis())
    assert (job.meta["run_id"], job.get_status()) == (run_id, JobStatus.QUEUED)
    assert recover_dead_runs() == []  # once
    assert enqueue_sync(account.id, "contacts") == run_id
    assert db.session.scalar(db.select(db.func.count()).select_from(SyncRun)) == 1


def test_progress_reports_counts(app, make_account):
    account = make_account()
    run_id = enqueue_sync(account.id, "contacts")
    run = db.session.get(SyncRun, run_id)
    run.status, run.progress_total, run.progress_done = RunStatus.RUNNING, 400, 100
    db.session.commit()
    data = progress(run_id)
    assert data["percent"] == 25 and data["status"] == "running" and data["total"] == 400


def test_a_long_wait_inside_one_batch_keeps_the_run_exclusive(app, account, emulator):
    """A run waiting longer than the running lock's TTL inside one batch (a Retry-After, a busy quota) keeps
    its lock while its worker lives: "Sync now" meanwhile finds it instead of abandoning it and starting a
    second run of the same account."""
    import time

    from wizard.engine import checkpoints as engine
    from wizard.engine import run_sync

    from tests.engine.helpers import crm_contact

    app.config["SYNC_RUNNING_LOCK_TTL"] = 1
    crm_contact(account, "Anna", "Petrova")
    run_id = enqueue_sync(account.id, "contacts")
    seen = {}

    def wait_longer_than_the_ttl(ctx):
        time.sleep(2.5)
        seen["lock_held"] = bool(get_redis().exists(running_lock_name(account.id, "contacts")))
        seen["sync_now"] = enqueue_sync(account.id, "contacts")

    engine.CHECKPOINT_HOOKS["before_google_writes"] = wait_longer_than_the_ttl
    try:
        run = run_sync(account.id, "contacts", run_id=run_id)
    finally:
        engine.CHECKPOINT_HOOKS.clear()
    assert seen == {"lock_held": True, "sync_now": run_id}
    assert run.status == RunStatus.SUCCEEDED, (run.outcome_code, run.outcome_params)
    assert not get_redis().exists(running_lock_name(account.id, "contacts"))  # released at the end


def test_a_dead_worker_of_this_machine_leaves_the_live_count_at_once(app):
    """Issue #18: its last beat is fresh, but its process is gone: not counted (the bulk limit follows the
    count); a worker of another machine is judged by its heartbeat alone."""
    from wizard.jobs.heartbeat import beat, live_worker_count

    redis = get_redis()
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    for name in (f"{socket.gethostname()}.{os.getpid()}", f"{socket.gethostname()}.{process.pid}", "elsewhere.1"):
        beat(redis, name)
    assert live_worker_count(redis, 35) == 2
