"""Two machines of one installation (issue #18): two worker processes with instance folders of their own and
no INSTALLATION_ID, one database, one Redis. Events one creates are recognised by the other after a retried
insert (the first died between Google's answer and its commit) and after a full listing (an expired sync
token): 0 duplicates in Google or in the CRM. With an identity per instance folder, the other machine's
deterministic event ids and back-references do not match and it creates the events a second time."""
import json
import os
import subprocess
import sys
import time
from collections import Counter
from datetime import date, datetime, timedelta, timezone

import pytest

from config import PROJECT_ROOT
from tests.engine.shared_db import shared_overrides
from tests.engine.test_activities_sync import Calendar, activities, activity
from tests.apps import app_on_fresh_database
from wizard.extensions import db
from wizard.google.mapping import INSTALLATION_KEY
from wizard.models.sync import Pair, RunStatus, SyncRun
from wizard.jobs.queue import enqueue_sync

ACTIVITIES = 6  # two chunks of three (SYNC_CHUNK_SIZE_TEST): the first machine dies after the first


@pytest.fixture
def overrides(tmp_path, redis_server, emulator):
    values = shared_overrides(tmp_path, redis_server, emulator)
    if os.environ.get("DATABASE_URL_TEST"):  # CI's PostgreSQL pass: both machines share the server
        values["SQLALCHEMY_DATABASE_URI"] = os.environ["DATABASE_URL_TEST"]
    values["INSTALLATION_ID"] = None  # each machine is left to its own instance folder
    return values


@pytest.fixture
def app(overrides):
    with app_on_fresh_database(**overrides) as app:
        yield app


def machine(tmp_path, overrides, name) -> dict:
    folder = tmp_path / name
    folder.mkdir(exist_ok=True)
    return {**overrides, "INSTANCE_PATH": str(folder)}


def run_worker(settings, crash_at=None):
    env = dict(os.environ, SYNCWIZARD_TEST_OVERRIDES=json.dumps(settings))
    env.pop("SYNCWIZARD_CRASH_AT", None)
    env.pop("SYNCWIZARD_TEST_WORKER", None)
    if crash_at:
        env.update(SYNCWIZARD_CRASH_AT=crash_at, SYNCWIZARD_CRASH_HARD="1")
    result = subprocess.run([sys.executable, "-m", "tests.engine.worker_main"], cwd=PROJECT_ROOT, env=env,
                            capture_output=True, text=True, timeout=120)
    assert crash_at or result.returncode == 0, result.stderr[-2000:]
    return result


def sync_on(settings, account, crash_at=None) -> SyncRun:
    run_id = enqueue_sync(account.id, "activities")
    run_worker(settings, crash_at)
    db.session.expire_all()
    return db.session.get(SyncRun, run_id)


def no_duplicates(calendar, account):
    events = calendar.events()
    by_title = Counter(e.get("summary") for e in events)
    crm = Counter(a.title for a in activities(account))
    assert {t: n for t, n in by_title.items() if n > 1} == {}, "duplicate events in Google"
    assert {t: n for t, n in crm.items() if n > 1} == {}, "duplicate activities in the CRM"
    return events


def test_two_machines_recognise_each_others_events(tmp_path, app, overrides, make_account, emulator):
    first, second = machine(tmp_path, overrides, "machine-a"), machine(tmp_path, overrides, "machine-b")
    account = make_account(activities_sync_from=date(2026, 1, 1))
    calendar = Calendar(emulator, account)
    start = datetime(2026, 3, 10, 7, 0, tzinfo=timezone.utc)
    for i in range(ACTIVITIES):
        activity(account, f"Meeting {i}", start + timedelta(days=i))

    # Machine A inserts the first chunk's events, then dies before committing what Google answered.
    dead = sync_on(first, account, crash_at="after_google_answer:1")
    assert dead.status == RunStatus.RUNNING
    assert len(calendar.events()) == 3
    time.sleep(3.5)  # the dead run's lock lapses (SYNC_RUNNING_LOCK_TTL=3 here)

    # Machine B retries those inserts: the same event ids, recognised as ours; then inserts the rest.
    run = sync_on(second, account)
    if run.status == RunStatus.PARTIAL:  # an interrupted create waited for a full listing
        run = sync_on(second, account)
    assert run.status == RunStatus.SUCCEEDED, (run.outcome_code, run.outcome_params)
    events = no_duplicates(calendar, account)
    assert len(events) == ACTIVITIES and len(activities(account)) == ACTIVITIES
    assert db.session.scalar(db.select(db.func.count()).select_from(Pair)) == ACTIVITIES

    # Each machine's full listing (Google's sync token expired) recognises the events the other wrote.
    for settings in (first, second, first):
        emulator.control("POST", "/sync-tokens/expire", json={"email": account.email, "api": "calendar"})
        run = sync_on(settings, account)
        assert run.status == RunStatus.SUCCEEDED, (run.outcome_code, run.outcome_params)
        assert run.full_listing
        assert (run.counts.get("google") or {}).get("create", 0) == 0
        assert (run.counts.get("crm") or {}).get("create", 0) == 0
        events = no_duplicates(calendar, account)
        assert len(events) == ACTIVITIES and len(activities(account)) == ACTIVITIES
    installations = {(e.get("extendedProperties") or {}).get("private", {}).get(INSTALLATION_KEY)
                     for e in events}
    assert len(installations) == 1, installations  # one identity, whichever machine wrote the event
