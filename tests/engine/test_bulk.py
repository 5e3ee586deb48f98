"""Fairness: long runs queue apart, short runs come first, bulk runs wait for a slot (real Redis, real RQ
workers, the emulator behind the real sync)."""
import time

from rq import Queue
from rq.job import Job, JobStatus
from rq.registry import ScheduledJobRegistry
from rq.scheduler import RQScheduler

from tests.engine.order_jobs import ORDER_KEY
from tests.engine.shared_db import app, overrides  # noqa: F401  (the workers' horses share the database)
from wizard.jobs.fairness import BULK_QUEUE_NAME, SLOTS_KEY, release_slot, slot_limit, slots_in_use, take_slot
from wizard.extensions import db
from wizard.models.sync import Cursor, RunStatus, SyncRun
from wizard.jobs.queue import QUEUE_NAME, enqueue_sync, expects_long_run, job_id_for, live_run
from wizard.redis import get_redis
from wizard.jobs.worker import heartbeat_key, make_worker


def test_a_first_sync_and_a_changed_scope_are_long_runs(app, make_account):
    from wizard.engine.policy import scope_key

    account = make_account()
    assert expects_long_run(account.id, "contacts")  # never synced
    db.session.add(Cursor(account_id=account.id, object="contacts", crm_seq=5, google_token="token-1",
                          scope_key=scope_key(account, "contacts")))
    db.session.commit()
    assert not expects_long_run(account.id, "contacts")
    assert expects_long_run(account.id, "activities")  # each object has its own cursor
    account.tag_mappings.clear()  # the user changed the tags: both sides are listed in full again
    db.session.commit()
    assert expects_long_run(account.id, "contacts")


def test_slots_are_limited_and_a_lapsed_lease_frees_itself(app):
    redis = get_redis()
    assert take_slot(redis, "job-a", 2) and take_slot(redis, "job-b", 2)
    assert not take_slot(redis, "job-c", 2)
    assert take_slot(redis, "job-a", 2)  # the holder keeps (renews) its own slot
    release_slot(redis, "job-a")
    assert take_slot(redis, "job-c", 2)
    assert sorted(slots_in_use(redis)) == ["job-b", "job-c"]
    assert take_slot(redis, "job-d", 3, lease=0.2)
    assert not take_slot(redis, "job-e", 3)
    time.sleep(0.3)  # job-d's worker stopped renewing (killed): its slot is free again
    assert take_slot(redis, "job-e", 3)
    assert "job-d" not in slots_in_use(redis)


def test_the_limit_leaves_one_live_worker_for_short_runs(app):
    redis = get_redis()
    assert slot_limit(redis, app.config) == 1  # no worker alive: still one
    now = time.time()
    for name, beat in [("w1", now), ("w2", now - 5), ("w3", now - 10), ("dead", now - 500)]:
        redis.set(heartbeat_key(name), repr(beat))
    assert slot_limit(redis, app.config) == 2  # three live workers, the silent one not counted
    app.config["SYNC_BULK_SLOTS"] = 5
    assert slot_limit(redis, app.config) == 5


def move_due_scheduled_jobs(redis):
    time.sleep(1.1)  # RQ's scheduler counts in whole seconds
    scheduler = RQScheduler([QUEUE_NAME, BULK_QUEUE_NAME], connection=redis)
    scheduler.acquire_locks()
    scheduler.enqueue_scheduled_jobs()
    scheduler.release_locks()


def recorded(redis):
    return [n.decode() for n in redis.lrange(ORDER_KEY, 0, -1)]


def test_a_worker_takes_short_runs_before_bulk_ones(app):
    redis = get_redis()
    bulk, short = Queue(BULK_QUEUE_NAME, connection=redis), Queue(QUEUE_NAME, connection=redis)
    bulk.enqueue("tests.engine.order_jobs.record", "bulk-1", job_id="bulk-1")  # queued first...
    short.enqueue("tests.engine.order_jobs.record", "short-1", job_id="short-1")
    short.enqueue("tests.engine.order_jobs.record", "short-2", job_id="short-2")
    make_worker(app, redis=redis).work(burst=True, with_scheduler=False)
    assert recorded(redis) == ["short-1", "short-2", "bulk-1"]  # ...run last
    assert redis.zcard(SLOTS_KEY) == 0  # its slot released when it ended


def dequeue_and_execute_bulk_job(app, redis):
    """What a worker does when it took a bulk job just as the last slot went to another worker."""
    worker = make_worker(app, redis=redis)
    job, queue = Queue.dequeue_any([Queue(BULK_QUEUE_NAME, connection=redis)], None, connection=redis)
    worker.execute_job(job, queue)
    return job.id


def test_without_a_free_slot_workers_leave_bulk_jobs_queued_or_put_them_back(app):
    redis = get_redis()
    app.config["SYNC_BULK_RETRY_SECONDS"] = 0
    Queue(BULK_QUEUE_NAME, connection=redis).enqueue("tests.engine.order_jobs.record", "bulk-1", job_id="bulk-1")
    Queue(QUEUE_NAME, connection=redis).enqueue("tests.engine.order_jobs.record", "short-1", job_id="short-1")
    assert take_slot(redis, "a-long-run-elsewhere", 1)  # one live worker: one slot, and it is taken

    make_worker(app, redis=redis).work(burst=True, with_scheduler=False)
    assert recorded(redis) == ["short-1"]
    assert Queue(BULK_QUEUE_NAME, connection=redis).job_ids == ["bulk-1"]  # not taken, still first in line

    assert dequeue_and_execute_bulk_job(app, redis) == "bulk-1"
    assert recorded(redis) == ["short-1"]
    assert Job.fetch("bulk-1", connection=redis).get_status() == JobStatus.SCHEDULED  # not run, not lost
    assert ScheduledJobRegistry(BULK_QUEUE_NAME, connection=redis).get_job_ids() == ["bulk-1"]

    release_slot(redis, "a-long-run-elsewhere")
    move_due_scheduled_jobs(redis)
    make_worker(app, redis=redis).work(burst=True, with_scheduler=False)
    assert recorded(redis) == ["short-1", "bulk-1"]


def test_a_deferred_first_sync_stays_the_accounts_one_run_then_runs(app, make_account):
    redis = get_redis()
    app.config["SYNC_BULK_RETRY_SECONDS"] = 0
    account = make_account()
    run_id = enqueue_sync(account.id, "contacts")
    assert Queue(BULK_QUEUE_NAME, connection=redis).job_ids == [job_id_for(account.id, "contacts")]
    assert take_slot(redis, "a-long-run-elsewhere", 1)
    dequeue_and_execute_bulk_job(app, redis)

    db.session.expire_all()
    assert db.session.get(SyncRun, run_id).status == RunStatus.QUEUED
    assert live_run(account.id, "contacts").id == run_id  # "Sync now" meanwhile adds nothing
    assert enqueue_sync(account.id, "contacts", force=True) == run_id

    release_slot(redis, "a-long-run-elsewhere")
    move_due_scheduled_jobs(redis)
    make_worker(app, redis=redis).work(burst=True, with_scheduler=False)
    db.session.expire_all()
    run = db.session.get(SyncRun, run_id)
    assert run.status == RunStatus.SUCCEEDED and run.forced
    # Synced once, the account's next run is a short one.
    enqueue_sync(account.id, "contacts")
    assert Queue(QUEUE_NAME, connection=redis).job_ids == [job_id_for(account.id, "contacts")]
