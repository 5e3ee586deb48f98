"""Queueing: one run per account and object queued or running; real Redis, real RQ."""
from rq import Queue
from rq.job import Job

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
    assert db.session.get(SyncRun, run_id).outcome_code == "sync.run.abandoned"


def test_a_running_run_holding_the_lock_is_live(app, make_account):
    account = make_account()
    run_id = enqueue_sync(account.id, "contacts")
    Job.fetch(job_id_for(account.id, "contacts"), connection=get_redis()).delete()
    run = db.session.get(SyncRun, run_id)
    run.status = RunStatus.RUNNING
    db.session.commit()
    lock = running_lock(account.id, "contacts")
    assert lock.acquire()
    try:
        assert live_run(account.id, "contacts").id == run_id
        assert enqueue_sync(account.id, "contacts") == run_id
    finally:
        lock.release()


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
