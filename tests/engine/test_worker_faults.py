"""The production layout under worker faults (issue #18): three `syncwizard worker` processes (each with its
scheduler, each in a process group of its own, the product's heartbeat, lease and timing settings) share one
Redis and one database (SQLite file, or the PostgreSQL of DATABASE_URL_TEST). With runs in flight, one worker
is killed with `kill -9` together with its job process, and another worker's main process alone.

Asserted: the main-only kill leaves no orphan (its job process and scheduler child exit with it); both dead
workers leave the live count within one heartbeat; both interrupted runs are closed as abandoned, naming
their worker, and re-queued automatically within two minutes of the kill, on the worker left alive; "Sync
now" then answers with the new run, never the dead one; at the end, 0 duplicates and 0 lost edits on either
side, and no process of the workers is left.
"""
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from config import PROJECT_ROOT
from tests.apps import app_on_fresh_database
from tests.engine.helpers import GoogleUser, crm_contact, crm_contacts, names
from tests.engine.shared_db import shared_overrides
from wizard.crm import services
from wizard.extensions import db
from wizard.jobs.queue import enqueue_sync
from wizard.models.sync import RunStatus, SyncRun
from wizard.redis import get_redis

pytestmark = pytest.mark.slow

WORKERS = 3
ACCOUNTS = 3
CONTACTS = 24
CRM_EDITS = 16  # per account: an incremental run of several update batches, slow under the latency below
GOOGLE_EDITS = 4
LATENCY_MS = 250
RECOVERY_BOUND = 120.0  # seconds from the kill to the dead run's replacement being queued


@pytest.fixture
def overrides(tmp_path, redis_server, emulator):
    values = shared_overrides(tmp_path, redis_server, emulator)
    if os.environ.get("DATABASE_URL_TEST"):  # CI's PostgreSQL pass: the workers share the server
        values["SQLALCHEMY_DATABASE_URI"] = os.environ["DATABASE_URL_TEST"]
    # The product's own lease and heartbeat timing, not the engine tests' 3 s lock: the bound is the product's.
    values.pop("SYNC_RUNNING_LOCK_TTL")
    values.update(GOOGLE_PEOPLE_PER_MINUTE=100000, GOOGLE_MAX_ATTEMPTS=8)
    return values


@pytest.fixture
def app(overrides):
    with app_on_fresh_database(**overrides) as app:
        yield app


class Worker:
    """One `syncwizard worker` as production runs it (tests.engine.worker_main in serve mode)."""

    def __init__(self, overrides):
        env = dict(os.environ, SYNCWIZARD_TEST_OVERRIDES=json.dumps(overrides), SYNCWIZARD_TEST_WORKER="serve")
        for name in ("SYNCWIZARD_CRASH_AT", "SYNCWIZARD_CRASH_HARD"):
            env.pop(name, None)
        self.process = subprocess.Popen([sys.executable, "-m", "tests.engine.worker_main"], cwd=PROJECT_ROOT,
                                        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                                        start_new_session=True)
        self.seen: set[int] = {self.process.pid}  # every process of this worker ever seen

    @property
    def name(self) -> str:
        return f"{socket.gethostname()}.{self.process.pid}"

    def children(self) -> list[int]:
        found = children(self.process.pid)
        self.seen.update(found)
        return found

    def kill_with_job(self):
        """`kill -9` of the worker's group and of every child's (RQ puts its job process in a session of its
        own): the machine's process table loses the worker and what it ran."""
        found = self.children()
        os.killpg(self.process.pid, signal.SIGKILL)
        for pid in found:
            try:
                os.killpg(pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        self.process.wait()

    def kill_main_alone(self) -> list[int]:
        found = self.children()
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait()
        return found

    def stop(self):
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


def children(pid) -> list[int]:
    out = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            out += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            pass
    return out


def alive(pid) -> bool:
    """Running (a zombie nobody reaped is dead: it holds no lock and runs no code)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


def wait_for(condition, timeout, poll=0.25, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(poll)
    raise AssertionError(f"{what}: not within {timeout} s")


def running_runs() -> list[SyncRun]:
    db.session.expire_all()
    return db.session.scalars(db.select(SyncRun).where(SyncRun.status == RunStatus.RUNNING)).all()


def worker_of(run, workers):
    return next((w for w in workers if w.name == run.worker), None)


def runs_of(account_id) -> list[SyncRun]:
    db.session.expire_all()
    return db.session.scalars(db.select(SyncRun).where(SyncRun.account_id == account_id,
                                                       SyncRun.object == "contacts").order_by(SyncRun.id)).all()


def settled(account_ids) -> bool:
    db.session.expire_all()
    return not db.session.scalar(db.select(db.func.count()).select_from(SyncRun).where(
        SyncRun.account_id.in_(account_ids), SyncRun.status.in_(RunStatus.ACTIVE)))


def live_workers() -> int:
    from flask import current_app

    from wizard.jobs.worker import live_worker_count

    return live_worker_count(get_redis(), float(current_app.config["WORKER_HEARTBEAT_MAX_AGE"]))


def test_killed_workers_runs_are_recovered_within_two_minutes(app, overrides, emulator, make_account):
    accounts = [make_account(email=f"fault{i}@gmail.com", tag=f"Fault {i}") for i in range(ACCOUNTS)]
    googles = {a.id: GoogleUser(emulator, a) for a in accounts}
    for account in accounts:
        for i in range(CONTACTS):
            crm_contact(account, f"C{i:02d}", account.email.split("@")[0])
    workers = [Worker(overrides) for _ in range(WORKERS)]
    try:
        first = [enqueue_sync(a.id, "contacts") for a in accounts]
        wait_for(lambda: settled([a.id for a in accounts]), 90, what="first syncs")
        assert {db.session.get(SyncRun, r).status for r in first} == {RunStatus.SUCCEEDED}
        wait_for(lambda: live_workers() == WORKERS, 40, what="three live workers")

        # Edits on both sides, then runs in flight under Google latency.
        expected = edit_both_sides(accounts, googles)
        emulator.control("POST", "/faults", json={"endpoint": "people", "latency_ms": LATENCY_MS})
        for account in accounts:
            enqueue_sync(account.id, "contacts", trigger="manual")
        busy = wait_for(lambda: _two_busy_workers(workers), 60, poll=0.05, what="two runs in flight")
        (run_a, with_job), (run_b, main_alone) = busy
        with_job.kill_with_job()
        orphans_left = main_alone.kill_main_alone()
        killed_at = time.monotonic()
        survivor = next(w for w in workers if w not in (with_job, main_alone))

        # No orphan: the main-only kill's job process and scheduler child exit with it.
        assert orphans_left, "the busy worker had a job process"
        wait_for(lambda: not any(alive(pid) for pid in orphans_left), 10, what="children of the killed main exit")
        # Both dead workers leave the live count within one heartbeat.
        wait_for(lambda: live_workers() == 1, 45, what="the live count drops to one")
        left_count = time.monotonic() - killed_at

        # Both interrupted runs closed as abandoned, naming their worker, and re-queued automatically.
        recovered = {}
        for dead in (run_a, run_b):
            def replaced(dead=dead):
                later = [r for r in runs_of(dead.account_id) if r.id > dead.id]
                return later[0] if later else None
            replacement = wait_for(replaced, RECOVERY_BOUND, what=f"run {dead.id} re-queued")
            recovered[dead.id] = time.monotonic() - killed_at
            closed = db.session.get(SyncRun, dead.id)
            assert closed.status == RunStatus.FAILED and closed.outcome_code == "sync.run.worker_died"
            assert closed.outcome_params.get("worker") == dead.worker
            assert replacement.trigger == "recovery"
            # "Sync now" answers with the live replacement, never the dead run.
            assert enqueue_sync(dead.account_id, "contacts") == replacement.id
        wait_for(lambda: settled([a.id for a in accounts]), 120, what="recovered runs finish")
        emulator.control("DELETE", "/faults")
        for account in accounts:
            last = runs_of(account.id)[-1]
            assert last.status == RunStatus.SUCCEEDED, (last.outcome_code, last.outcome_params)
        assert any(r.worker == survivor.name for a in accounts for r in runs_of(a.id)[-1:])

        # One more round everywhere, then the oracle: both sides whole.
        for account in accounts:
            enqueue_sync(account.id, "contacts")
        wait_for(lambda: settled([a.id for a in accounts]), 60, what="a last round")
        for account in accounts:
            check_both_sides(account, googles[account.id], expected[account.id])
        print(f"\nlive count dropped {left_count:.1f} s after the kills; runs re-queued "
              f"{', '.join(f'{s:.1f} s' for s in recovered.values())} after them")
        assert max(recovered.values()) <= RECOVERY_BOUND
    finally:
        for worker in workers:
            worker.children()
            worker.stop()
    leftover = [pid for w in workers for pid in w.seen if alive(pid)]
    assert leftover == [], "processes of the workers left behind"


def _two_busy_workers(workers):
    """Two runs working on two different live workers: [(run, worker), (run, worker)], else None."""
    busy = {}
    for run in running_runs():
        worker = worker_of(run, workers)
        if worker is not None and worker.process.poll() is None and worker not in busy.values() \
                and (run.progress_done or 0) > 0:
            busy[run.id] = worker
    if len(busy) < 2:
        return None
    db.session.expire_all()
    return [(db.session.get(SyncRun, run_id), worker) for run_id, worker in list(busy.items())[:2]]


def edit_both_sides(accounts, googles) -> dict:
    """Per account, the names every contact must end with: CRM edits on some, Google edits on others."""
    expected = {}
    for account in accounts:
        surname = account.email.split("@")[0]
        want = {f"C{i:02d}": f"C{i:02d} {surname}" for i in range(CONTACTS)}
        contacts = sorted(crm_contacts(account), key=lambda c: c.first_name)
        for contact in contacts[:CRM_EDITS]:
            services.update_contact(account.user_id, contact.id, {"first_name": contact.first_name + "crm"})
            want[contact.first_name[:3]] = f"{contact.first_name} {surname}"
        people = {p["names"][0]["givenName"]: p for p in googles[account.id].labelled()}
        for given in sorted(people)[-GOOGLE_EDITS:]:
            googles[account.id].update_name(people[given], given + "ggl")
            want[given] = f"{given}ggl {surname}"
        expected[account.id] = sorted(want.values())
    return expected


def check_both_sides(account, google, expected):
    in_google = names(google.labelled())
    in_crm = sorted(c.display_name for c in crm_contacts(account))
    assert [n for n, k in Counter(in_google).items() if k > 1] == [], "duplicates in Google"
    assert [n for n, k in Counter(in_crm).items() if k > 1] == [], "duplicates in the CRM"
    assert in_google == expected, "an edit lost in Google"
    assert in_crm == expected, "an edit lost in the CRM"
    assert len(google.connections()) == CONTACTS
