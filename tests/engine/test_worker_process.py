"""A real worker process runs the queued sync; killed (like SIGKILL) between Google's answer and our commit,
the next run converges with no duplicate."""
import json
import os
import subprocess
import sys
import time

import pytest

from config import PROJECT_ROOT
from wizard.extensions import db as _db
from wizard.models.sync import Pair, RunStatus, SyncRun
from wizard.jobs.queue import enqueue_sync

from tests.engine.helpers import GoogleUser, crm_contact, crm_contacts, names
from tests.engine.shared_db import app, overrides  # noqa: F401  (a database file the worker shares)


def run_worker(overrides, crash_at=None):
    env = dict(os.environ, SYNCWIZARD_TEST_OVERRIDES=json.dumps(overrides))
    env.pop("SYNCWIZARD_CRASH_AT", None)
    if crash_at:
        env.update(SYNCWIZARD_CRASH_AT=crash_at, SYNCWIZARD_CRASH_HARD="1")
    return subprocess.run([sys.executable, "-m", "tests.engine.worker_main"], cwd=PROJECT_ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


def test_worker_process_killed_mid_run_then_converges(app, account, emulator, overrides):
    google = GoogleUser(emulator, account)
    google.create_group("CRM contacts")
    for i in range(10):
        crm_contact(account, f"Crm{i}", "Person")
    for i in range(5):
        google.create(f"Ggl{i}", "Person")
    first = enqueue_sync(account.id, "contacts")
    result = run_worker(overrides, crash_at="after_google_answer:2")
    _db.session.expire_all()
    assert _db.session.get(SyncRun, first).status == RunStatus.RUNNING  # the horse died mid-run
    time.sleep(3.5)  # the dead run's lock expires
    second = enqueue_sync(account.id, "contacts")
    assert second != first
    result = run_worker(overrides)
    assert result.returncode == 0, result.stderr[-2000:]
    _db.session.expire_all()
    assert _db.session.get(SyncRun, first).status == RunStatus.FAILED
    run = _db.session.get(SyncRun, second)
    if run.status == RunStatus.PARTIAL:  # an interrupted create waited for a full listing
        enqueue_sync(account.id, "contacts")
        run_worker(overrides)
        _db.session.expire_all()
    expected = sorted([f"Crm{i} Person" for i in range(10)] + [f"Ggl{i} Person" for i in range(5)])
    assert names(google.labelled()) == expected
    assert sorted(c.display_name for c in crm_contacts(account)) == expected
    assert Pair.query.count() == 15
