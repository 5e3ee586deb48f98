"""Requeue, delete and "retry all": a failed sync comes back as a new run through enqueue_sync, never as a
second job for the same account and object."""
import pytest
from rq import Queue, SimpleWorker
from rq.job import Job, JobStatus
from rq.registry import FailedJobRegistry

from config import TestingConfig
from tests.monitor.conftest import queue_crashing_sync, work
from wizard.extensions import db
from wizard.models.sync import RunStatus, SyncRun
from wizard.jobs.queue import BULK_QUEUE_NAME, QUEUE_NAME, SYNC_QUEUE_NAMES, enqueue_sync, job_id_for
from wizard.redis import get_redis


def failed_ids(queue=QUEUE_NAME):
    return FailedJobRegistry(queue, connection=get_redis()).get_job_ids()


def queued_syncs():
    return sum(Queue(name, connection=get_redis()).count for name in SYNC_QUEUE_NAMES)


def active_runs(account_id, object="contacts"):
    db.session.expire_all()
    return db.session.scalars(db.select(SyncRun).where(
        SyncRun.account_id == account_id, SyncRun.object == object, SyncRun.status.in_(RunStatus.ACTIVE))).all()


def flashes(client):
    with client.session_transaction() as session:
        return session.pop("_flashes", [])


def test_requeue_queues_one_new_run_for_the_account_and_object(as_admin, failed_sync):
    response = as_admin.post("/admin/jobs/requeue", data={"job_id": failed_sync.job_id})
    assert response.status_code == 302 and response.headers["Location"] == "/admin/jobs"
    assert flashes(as_admin) == [("success", "The job is queued again.")]
    runs = active_runs(failed_sync.account_id)
    assert len(runs) == 1 and runs[0].id != failed_sync.id and runs[0].trigger == "retry"
    # The crashed run is closed, the failed job replaced by the real sync job of the new run.
    assert db.session.get(SyncRun, failed_sync.id).status == RunStatus.FAILED
    assert failed_ids() == []
    queue = Queue(BULK_QUEUE_NAME, connection=get_redis())  # never synced yet: a long run
    assert queue.get_job_ids() == [job_id_for(failed_sync.account_id, "contacts")]
    job = Job.fetch(queue.get_job_ids()[0], connection=get_redis())
    assert job.func_name == "wizard.jobs.sync_account" and job.meta["run_id"] == runs[0].id

    # Requeueing again, "Sync now" or the dispatcher: still one run, one job.
    response = as_admin.post("/admin/jobs/requeue", data={"job_id": failed_sync.job_id})
    assert flashes(as_admin)[0][0] == "warning"
    assert enqueue_sync(failed_sync.account_id, "contacts") == runs[0].id
    assert len(active_runs(failed_sync.account_id)) == 1 and queue.count == 1

    # The requeued job is a real sync: a worker runs it to its end (the account holds no Google token here:
    # the run ends as "needs reconnect", and the job itself finishes).
    work()
    assert active_runs(failed_sync.account_id) == [] and failed_ids() == []
    assert db.session.get(SyncRun, runs[0].id).status == RunStatus.NEEDS_RECONNECT


def test_requeue_while_a_run_is_already_live_adds_none(as_admin, account, failed_sync):
    # The account's contacts failed; its activities are queued. Retry all requeues the contacts only.
    live = enqueue_sync(account.id, "activities")
    as_admin.post("/admin/jobs/retry-all")
    assert flashes(as_admin) == [("success", "1 failed job is queued again.")]
    assert [r.id for r in active_runs(account.id, "activities")] == [live]
    assert len(active_runs(account.id, "contacts")) == 1
    assert queued_syncs() == 2


def test_retry_all_requeues_every_failed_job(as_admin, account, make_account, failed_sync):
    other = make_account("other@gmail.com")
    queue_crashing_sync(other, "activities")
    Queue("default", connection=get_redis()).enqueue("tests.monitor.jobs.explode", 0, "x", 0,
                                                     job_id="plain-job", description="a plain job")
    work()
    SimpleWorker([Queue("default", connection=get_redis())], connection=get_redis()).work(burst=True)
    assert len(failed_ids()) == 2 and failed_ids("default") == ["plain-job"]

    as_admin.post("/admin/jobs/retry-all")
    assert flashes(as_admin) == [("success", "3 failed jobs are queued again.")]
    assert failed_ids() == [] and failed_ids("default") == []
    assert len(active_runs(account.id)) == 1 and len(active_runs(other.id, "activities")) == 1
    # A job that is not a sync goes back to its own queue as it is.
    assert Queue("default", connection=get_redis()).get_job_ids() == ["plain-job"]
    as_admin.post("/admin/jobs/retry-all")
    assert flashes(as_admin) == [("info", "There are no failed jobs.")]


def test_delete_removes_the_failed_job_only(as_admin, failed_sync):
    as_admin.post("/admin/jobs/delete", data={"job_id": failed_sync.job_id})
    assert flashes(as_admin) == [("success", "The failed job is deleted.")]
    assert failed_ids() == [] and not get_redis().exists(f"rq:job:{failed_sync.job_id}")
    assert queued_syncs() == 0  # nothing queued instead
    as_admin.post("/admin/jobs/delete", data={"job_id": failed_sync.job_id})
    assert flashes(as_admin)[0][0] == "warning"


def test_actions_refuse_a_job_that_is_not_failed(as_admin, account):
    enqueue_sync(account.id, "contacts")
    for url in ("/admin/jobs/requeue", "/admin/jobs/delete"):
        as_admin.post(url, data={"job_id": job_id_for(account.id, "contacts")})
        assert flashes(as_admin)[0][0] == "warning"
    assert Job.fetch(job_id_for(account.id, "contacts"), connection=get_redis()).get_status() == JobStatus.QUEUED
    as_admin.post("/admin/jobs/requeue", data={})
    assert flashes(as_admin)[0][0] == "error"


@pytest.fixture
def csrf_app(tmp_path, redis_server):
    from tests.apps import app_on_fresh_database

    class CsrfConfig(TestingConfig):
        WTF_CSRF_ENABLED = True

    with app_on_fresh_database(CsrfConfig, INSTANCE_PATH=str(tmp_path / "csrf"), REDIS_URL=redis_server.url) as app:
        yield app


def test_actions_need_the_csrf_token(csrf_app):
    import re

    from wizard.models import User
    from wizard.models.accounts import GoogleAccount

    admin = User(email="boss@example.com", role="admin")
    admin.set_password("correct horse battery")
    db.session.add(admin)
    db.session.commit()
    account = GoogleAccount(user_id=admin.id, google_sub="s", email="boss@gmail.com")
    db.session.add(account)
    db.session.commit()
    queue_crashing_sync(account)
    work()
    client = csrf_app.test_client()
    with client.session_transaction() as session:
        session["_user_id"], session["_fresh"] = str(admin.id), True
    job_id = job_id_for(account.id, "contacts")
    for url in ("/admin/jobs/delete", "/admin/jobs/requeue", "/admin/jobs/retry-all"):
        assert client.post(url, data={"job_id": job_id}).status_code == 400
    assert failed_ids() == [job_id]
    page = client.get("/admin/jobs").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    client.post("/admin/jobs/delete", data={"job_id": job_id, "csrf_token": token})
    assert failed_ids() == []


def test_a_failed_sync_whose_run_row_is_gone_is_still_requeued_as_a_sync(as_admin, failed_sync):
    db.session.delete(db.session.get(SyncRun, failed_sync.id))
    db.session.commit()
    as_admin.post("/admin/jobs/requeue", data={"job_id": failed_sync.job_id})
    assert flashes(as_admin) == [("success", "The job is queued again.")]
    runs = active_runs(failed_sync.account_id)
    assert len(runs) == 1 and runs[0].trigger == "retry"
    job = Job.fetch(failed_sync.job_id, connection=get_redis())
    assert job.func_name == "wizard.jobs.sync_account" and job.meta["run_id"] == runs[0].id
