"""Two workers on one SQLite file: a run's CRM writes must not die of SQLite's deadlock rule.

A savepoint opened outside a transaction starts a *deferred* one: the run reads (SHARED lock), then writes. If
another connection meanwhile holds RESERVED and starts committing (PENDING), SQLite refuses the upgrade at once
("database is locked", no busy wait): the run crashed. Found by the soak (benchmarks/soak.py) with two workers.
"""
import sqlite3
import threading

import pytest
from sqlalchemy import event

from config import google_endpoints
from tests.apps import app_on_fresh_database
from wizard.engine import run_sync
from wizard.extensions import db as _db
from wizard.models.crm import Contact
from wizard.models.sync import RunStatus

from tests.engine.helpers import GoogleUser, crm_contact


@pytest.fixture
def db_file(tmp_path):
    return tmp_path / "shared.db"


@pytest.fixture
def app(tmp_path, db_file, redis_server, emulator):
    """A database file, as with several worker processes (the default test database lives in memory)."""
    with app_on_fresh_database(INSTANCE_PATH=str(tmp_path / "instance"), REDIS_URL=redis_server.url,
                               SQLALCHEMY_DATABASE_URI=f"sqlite:///{db_file}", GOOGLE_BACKOFF_BASE=0.01,
                               GOOGLE_BACKOFF_MAX=0.05, SYNC_FIRST_SYNC_PREVIEW=1000000,
                               INSTALLATION_ID="engine-tests", **google_endpoints(emulator.url)) as app:
        yield app


def other_worker_commits_at_the_first_crm_flush(db_file):
    """When the run first flushes a CRM write, another connection takes RESERVED (if it can) and starts to
    commit."""
    state = {"armed": True, "thread": None}
    other = sqlite3.connect(db_file, timeout=10, isolation_level=None, check_same_thread=False)

    def before_flush(session, *_):
        if not (state["armed"] and any(isinstance(o, Contact) for o in session.dirty)):
            return
        state["armed"] = False
        other.execute("PRAGMA busy_timeout = 100")
        try:
            other.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError:
            return  # the run already holds the write lock: nothing can overtake it
        other.execute("UPDATE users SET email = email")
        other.execute("PRAGMA busy_timeout = 10000")
        state["thread"] = threading.Thread(target=other.execute, args=("COMMIT",))
        state["thread"].start()

    return state, other, before_flush


def test_crm_writes_wait_for_another_writer_instead_of_crashing(app, account, emulator, db_file):
    google = GoogleUser(emulator, account)
    google.create_group("CRM contacts")
    contact = crm_contact(account, "Anna", "Petrova")
    assert run_sync(account.id, "contacts").status == RunStatus.SUCCEEDED
    google.update_name(google.labelled()[0], "Anya")  # the next run writes the CRM
    state, other, before_flush = other_worker_commits_at_the_first_crm_flush(db_file)
    event.listen(_db.session, "before_flush", before_flush)
    try:
        run = run_sync(account.id, "contacts")
    finally:
        event.remove(_db.session, "before_flush", before_flush)
        if state["thread"] is not None:
            state["thread"].join(10)
        other.close()
    assert run.status == RunStatus.SUCCEEDED, (run.outcome_code, run.outcome_params)
    _db.session.expire_all()
    assert _db.session.get(Contact, contact.id).first_name == "Anya"
