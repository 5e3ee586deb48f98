"""RQ jobs: the queued sync runs in a worker (in-process SimpleWorker here; a real worker process in
test_worker_process.py), and the dispatcher re-schedules itself as data says."""

from rq import Queue, SimpleWorker
from rq.registry import ScheduledJobRegistry

from wizard.extensions import db
from wizard.jobs.entry import PERIODIC_JOBS, dispatch_due_syncs, ensure_periodic_jobs
from wizard.models.sync import RunStatus, SyncRun
from wizard.jobs.queue import SYNC_QUEUE_NAMES, enqueue_sync, progress
from wizard.redis import get_redis

from tests.engine.helpers import GoogleUser, crm_contact, names


def work(connection):
    SimpleWorker([Queue(name, connection=connection) for name in SYNC_QUEUE_NAMES],
                 connection=connection).work(burst=True)


def test_sync_now_runs_in_the_worker_and_reports_progress(app, account, emulator):
    crm_contact(account, "Queued", "Person")
    run_id = enqueue_sync(account.id, "contacts", trigger="manual")
    assert progress(run_id)["status"] == RunStatus.QUEUED
    work(get_redis())
    db.session.expire_all()
    run = db.session.get(SyncRun, run_id)
    assert run.status == RunStatus.SUCCEEDED and run.trigger == "manual"
    assert progress(run_id)["percent"] == 100 and progress(run_id)["done"] == 1
    assert names(GoogleUser(emulator, account).labelled()) == ["Queued Person"]
    # The job id is free again: the next "Sync now" queues a new run.
    assert enqueue_sync(account.id, "contacts") != run_id


def test_dispatcher_is_scheduled_once_and_reschedules_itself(app, account):
    connection = get_redis()
    first = ensure_periodic_jobs(connection)
    assert ensure_periodic_jobs(connection) == first  # unique per slot: no double
    registry = ScheduledJobRegistry(PERIODIC_JOBS[0]["queue"], connection=connection)
    assert registry.get_job_ids() == first
    assert dispatch_due_syncs() == 2  # contacts and activities of the new account are due
    assert len(registry.get_job_ids()) >= 1
    assert SyncRun.query.filter_by(trigger="schedule").count() == 2
