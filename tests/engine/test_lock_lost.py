"""A run that loses its running lock stops writing (issue #18): two runs of one account and object never write
at once. The lock is taken from under a run at an exact moment (a checkpoint hook), as another worker would
take it after the lease lapsed; the run must stop before its next write, end "lock lost" with everything it
wrote kept, and the next run must converge with 0 duplicates on either side. And the lease's own verdict
when Redis is unreachable: held while the lock was confirmed recently, lost once it may have lapsed."""
import time
from collections import Counter

import redis as redis_lib
from redis.backoff import NoBackoff
from redis.retry import Retry

from tests.engine.helpers import GoogleUser, crm_contact, crm_contacts, names
from wizard.engine import checkpoints as engine
from wizard.engine import run_sync
from wizard.engine.lock import running_lock, running_lock_name
from wizard.extensions import db
from wizard.jobs.queue import enqueue_sync, live_run
from wizard.models.sync import Pair, RunStatus, SyncRun
from wizard.redis import Lease, free_port, get_redis

CONTACTS = 12
BATCH = 4


def _steal_lock(account_id, taken):
    """Another worker takes the lock: the lease lapsed (deleted here, as its expiry would) and it acquired it."""
    def steal(ctx):
        if taken:
            return
        get_redis().delete(running_lock_name(account_id, "contacts"))
        thief = running_lock(account_id, "contacts")
        assert thief.acquire()
        taken.append(thief)
    return steal


def test_a_run_whose_lock_is_taken_stops_writing_and_the_next_converges(app, account, emulator):
    app.config["SYNC_CONTACTS_BATCH"] = BATCH
    google = GoogleUser(emulator, account)
    for i in range(CONTACTS):
        crm_contact(account, f"L{i:02d}", "Lease")
    taken = []
    engine.CHECKPOINT_HOOKS["after_google_answer"] = _steal_lock(account.id, taken)  # the first batch's answer
    try:
        stopped = run_sync(account.id, "contacts")
    finally:
        engine.CHECKPOINT_HOOKS.clear()
    assert (stopped.status, stopped.outcome_code) == (RunStatus.FAILED, "sync.run.lock_lost")
    # Stopped after the batch Google had answered: that batch is kept (its pairs committed), nothing more sent.
    created = len(google.connections())
    assert 0 < created <= BATCH
    assert db.session.scalar(db.select(db.func.count()).select_from(Pair).where(
        Pair.account_id == account.id, Pair.google_id.is_not(None))) == created
    # The lock is the other worker's: a run now is skipped, never a second writer.
    assert run_sync(account.id, "contacts").outcome_code == "sync.run.already_running"
    assert len(google.connections()) == created
    taken[0].release()

    following = run_sync(account.id, "contacts")
    assert following.status == RunStatus.SUCCEEDED, (following.outcome_code, following.outcome_params)
    in_google = names(google.labelled())
    assert [n for n, k in Counter(in_google).items() if k > 1] == [], "duplicates in Google"
    assert in_google == sorted(c.display_name for c in crm_contacts(account))
    assert len(google.connections()) == CONTACTS
    assert run_sync(account.id, "contacts").counts["google"] == {}  # settled: nothing left to write


def test_a_queued_run_that_lost_its_lock_is_taken_up_again(app, account, emulator):
    """Through the job's entry point: the stopped run is followed at once by the run that holds the lock,
    or a new one when nobody does."""
    from wizard.jobs.entry import sync_account

    app.config["SYNC_CONTACTS_BATCH"] = BATCH
    for i in range(CONTACTS):
        crm_contact(account, f"Q{i:02d}", "Lease")
    run_id = enqueue_sync(account.id, "contacts")
    taken = []
    engine.CHECKPOINT_HOOKS["after_google_answer"] = _steal_lock(account.id, taken)
    try:
        sync_account(account.id, "contacts", run_id)
    finally:
        engine.CHECKPOINT_HOOKS.clear()
    taken[0].release()  # the thief is gone too (its lease lapsed): nobody holds the lock now
    assert db.session.get(SyncRun, run_id).outcome_code == "sync.run.lock_lost"
    follower = live_run(account.id, "contacts")
    assert follower is not None and follower.id != run_id and follower.trigger == "recovery"
    assert sync_account(account.id, "contacts", follower.id) == RunStatus.SUCCEEDED
    assert len(GoogleUser(emulator, account).connections()) == CONTACTS


def test_the_lease_with_redis_unreachable(app):
    """Redis away: the holder cannot ask. Held while the lock was confirmed within two thirds of its TTL,
    lost after (it may lapse before the next write ends); a lock found not ours is lost for good."""
    away = redis_lib.Redis(host="127.0.0.1", port=free_port(), socket_connect_timeout=0.2,
                           retry=Retry(NoBackoff(), 0))  # nothing listens there: refused at once
    lease = Lease(away.lock("syncwizard:test:away", timeout=30, thread_local=False))
    assert lease.held()
    lease.renew()  # fails quietly: tried again at the next renewal
    assert not lease.lost
    lease.confirmed_at = time.monotonic() - 21
    assert not lease.held()

    lock = get_redis().lock("syncwizard:test:lease", timeout=30, thread_local=False)
    assert lock.acquire()
    lease = Lease(lock)
    assert lease.held()
    get_redis().delete("syncwizard:test:lease")
    assert not lease.held() and lease.lost
    lease.renew()
    assert lease.lost
