"""Fixtures for the jobs page: administrator and user sessions, linked accounts, a real RQ worker in burst
mode that runs queued jobs (a sync job that crashes fails for real, into RQ's failed job registry)."""
import pytest
from rq import Queue, SimpleWorker

from wizard.extensions import db
from wizard.models.sync import RunStatus, SyncRun
from wizard.jobs.queue import QUEUE_NAME, SYNC_QUEUE_NAMES, job_id_for
from wizard.redis import get_redis


@pytest.fixture
def admin(make_user):
    return make_user(email="boss@example.com", role="admin")


@pytest.fixture
def as_admin(client, admin, login):
    login(admin)
    return client


@pytest.fixture
def make_account(make_user):
    from wizard.models.accounts import GoogleAccount

    owner = make_user(email="owner@example.com")

    def make(email="owner@gmail.com", **fields):
        account = GoogleAccount(user_id=owner.id, google_sub=f"sub-{email}", email=email, **fields)
        db.session.add(account)
        db.session.commit()
        return account

    return make


@pytest.fixture
def account(make_account):
    return make_account()


def work():
    """Run every queued job with a real RQ worker (in this process, burst mode)."""
    connection = get_redis()
    SimpleWorker([Queue(name, connection=connection) for name in SYNC_QUEUE_NAMES],
                 connection=connection).work(burst=True)


def queue_crashing_sync(account, object="contacts") -> SyncRun:
    """A queued sync run whose job crashes, queued exactly as wizard.jobs.queue queues a sync (same job id, meta,
    TTLs), so the failed job is a real failed sync job."""
    run = SyncRun(account_id=account.id, object=object, trigger="schedule", status=RunStatus.QUEUED,
                  job_id=job_id_for(account.id, object))
    db.session.add(run)
    db.session.commit()
    Queue(QUEUE_NAME, connection=get_redis()).enqueue(
        "tests.monitor.jobs.explode", account.id, object, run.id, job_id=run.job_id, unique=True,
        result_ttl=0, failure_ttl=3600, meta={"run_id": run.id},
        description=f"sync {object} of account {account.id} (run {run.id})")
    return run


@pytest.fixture
def failed_sync(account):
    run = queue_crashing_sync(account)
    work()
    return run
