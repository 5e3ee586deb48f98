"""Dead runs never answer "Sync now", and runs Redis lost come back by themselves (issue #18), with real
`syncwizard worker` processes (tests.engine.worker_main, the product's lease and heartbeat timing) sharing one
Redis and one database (SQLite file, or the PostgreSQL of DATABASE_URL_TEST in CI's second pass).

- A worker is killed with `kill -9` together with its job process mid-run; "Sync now" at once, while the dead
  run's lease is still held, answers with a new run, never the dead one; the new run waits for the lease to
  lapse, then converges: 0 duplicates, 0 lost edits.
- Redis is flushed (a restart without its data) while one run works and another waits in the queue: the
  working run stops at its next write (its lock is gone) and is taken up again, the waiting run's job is
  queued again by the workers' recovery sweep within two minutes; both converge, 0 duplicates.
"""
import time

import pytest

from tests.engine.test_worker_faults import (CONTACTS, LATENCY_MS, RECOVERY_BOUND, Worker, alive, check_both_sides,
                                             edit_both_sides, runs_of, running_runs, settled, wait_for)
# The production layout's app (the product's own lease and heartbeat timing), as the fault test builds it.
from tests.engine.test_worker_faults import app, overrides  # noqa: F401  (pytest fixtures)
from tests.engine.helpers import GoogleUser, crm_contact
from wizard.extensions import db
from wizard.jobs.queue import enqueue_sync, job_id_for
from wizard.models.sync import RunStatus, SyncRun
from wizard.redis import get_redis
from wizard.engine.lock import running_lock_name

pytestmark = pytest.mark.slow


def _accounts(make_account, emulator, count):
    accounts = [make_account(email=f"dead{i}@gmail.com", tag=f"Dead {i}") for i in range(count)]
    for account in accounts:
        for i in range(CONTACTS):
            crm_contact(account, f"C{i:02d}", account.email.split("@")[0])
    return accounts, {a.id: GoogleUser(emulator, a) for a in accounts}


def _first_syncs(accounts):
    first = [enqueue_sync(a.id, "contacts") for a in accounts]
    wait_for(lambda: settled([a.id for a in accounts]), 90, what="first syncs")
    assert {db.session.get(SyncRun, r).status for r in first} == {RunStatus.SUCCEEDED}


def _busy(workers):
    """A run working (some progress) on a live worker of `workers`: (run, worker), else None."""
    for run in running_runs():
        worker = next((w for w in workers if w.name == run.worker), None)
        if worker is not None and worker.process.poll() is None and (run.progress_done or 0) > 0:
            return run, worker
    return None


def test_sync_now_right_after_a_kill_answers_with_a_new_run(app, overrides, emulator, make_account):
    accounts, googles = _accounts(make_account, emulator, 1)
    [account] = accounts
    workers = [Worker(overrides) for _ in range(2)]
    try:
        _first_syncs(accounts)
        expected = edit_both_sides(accounts, googles)
        emulator.control("POST", "/faults", json={"endpoint": "people", "latency_ms": LATENCY_MS})
        enqueue_sync(account.id, "contacts")
        dead, victim = wait_for(lambda: _busy(workers), 60, poll=0.05, what="a run in flight")
        victim.kill_with_job()
        killed_at = time.monotonic()

        # At once, with the dead run's lease still held: "Sync now" does not answer with it.
        assert get_redis().exists(running_lock_name(account.id, "contacts")), "the lease had lapsed already"
        new_id = enqueue_sync(account.id, "contacts")
        answered = time.monotonic() - killed_at
        assert new_id != dead.id
        db.session.expire_all()
        closed = db.session.get(SyncRun, dead.id)
        assert (closed.status, closed.outcome_code) == (RunStatus.FAILED, "sync.run.worker_died")
        assert enqueue_sync(account.id, "contacts") == new_id  # and the new one is live: asked again, the same

        wait_for(lambda: settled([account.id]), 120, what="the new run finishes")
        emulator.control("DELETE", "/faults")
        finished = db.session.get(SyncRun, new_id)
        assert finished.status == RunStatus.SUCCEEDED, (finished.outcome_code, finished.outcome_params)
        took = time.monotonic() - killed_at
        enqueue_sync(account.id, "contacts")  # one more round, then the oracle
        wait_for(lambda: settled([account.id]), 60, what="a last round")
        check_both_sides(account, googles[account.id], expected[account.id])
        print(f"\n\"Sync now\" answered a new run {answered:.2f} s after the kill; it finished {took:.1f} s after")
    finally:
        for worker in workers:
            worker.children()
            worker.stop()
    assert [pid for w in workers for pid in w.seen if alive(pid)] == []


def test_runs_redis_lost_are_taken_up_again(app, overrides, emulator, make_account, redis_server):
    accounts, googles = _accounts(make_account, emulator, 2)
    working, waiting = accounts
    workers = [Worker(overrides)]
    try:
        _first_syncs(accounts)
        expected = edit_both_sides(accounts, googles)
        emulator.control("POST", "/faults", json={"endpoint": "people", "latency_ms": LATENCY_MS})
        stopped = enqueue_sync(working.id, "contacts")
        wait_for(lambda: _busy(workers), 60, poll=0.05, what="a run in flight")
        queued = enqueue_sync(waiting.id, "contacts")  # one worker, busy: this one waits in the queue
        get_redis().flushall()  # Redis restarted without its data: jobs, locks, heartbeats gone
        flushed_at = time.monotonic()

        def requeued():
            return get_redis().exists(job_id_key(waiting.id)) == 1
        wait_for(requeued, RECOVERY_BOUND, what="the lost job queued again")
        requeued_after = time.monotonic() - flushed_at
        wait_for(lambda: settled([a.id for a in accounts]), 120, what="both accounts settle")
        emulator.control("DELETE", "/faults")

        db.session.expire_all()
        assert db.session.get(SyncRun, queued).status == RunStatus.SUCCEEDED  # the same run, its job back
        first_stop = db.session.get(SyncRun, stopped)
        if first_stop.outcome_code == "sync.run.lock_lost":  # stopped at its next write, taken up again
            assert runs_of(working.id)[-1].status == RunStatus.SUCCEEDED
        else:  # it had written its last batch already when Redis lost its lock
            assert first_stop.status == RunStatus.SUCCEEDED, (first_stop.outcome_code, first_stop.outcome_params)
        for account in accounts:
            enqueue_sync(account.id, "contacts")
        wait_for(lambda: settled([a.id for a in accounts]), 60, what="a last round")
        for account in accounts:
            check_both_sides(account, googles[account.id], expected[account.id])
        print(f"\nthe lost job was queued again {requeued_after:.1f} s after the flush; the working run ended "
              f"{first_stop.outcome_code}")
        assert requeued_after <= RECOVERY_BOUND
    finally:
        for worker in workers:
            worker.children()
            worker.stop()
    assert [pid for w in workers for pid in w.seen if alive(pid)] == []


def job_id_key(account_id) -> str:
    return f"rq:job:{job_id_for(account_id, 'contacts')}"
