"""The change cursor under concurrent writers (two web requests, an import, the engine's own writes).

A change's `seq` is drawn when its row is inserted but seen only once its transaction commits. If a later
seq could commit first, the engine would read it, move its cursor past the earlier one and never read that
one: a lost edit. These tests hold one writer's transaction open while another writes, with real
connections on the suite's database: PostgreSQL in CI's second pass, a SQLite file otherwise.
"""
import os
import re
import threading

import pytest

from tests.apps import app_on_fresh_database
from wizard.crm import services
from wizard.crm.changes import changed_since, latest_seq
from wizard.extensions import db as _db
from wizard.models import User


@pytest.fixture
def shared_app(tmp_path, redis_server):
    """An app whose database several connections share (the default test database is one in-memory
    connection)."""
    url = os.environ.get("DATABASE_URL_TEST") or f"sqlite:///{tmp_path / 'cursor.db'}"
    with app_on_fresh_database(INSTANCE_PATH=str(tmp_path / "instance"), REDIS_URL=redis_server.url,
                               SQLALCHEMY_DATABASE_URI=url) as app:
        yield app


def in_thread(app, work):
    """Run `work()` in its own thread and app context (so its own session and connection)."""
    outcome = {}

    def target():
        with app.app_context():
            try:
                outcome["value"] = work()
            except Exception as error:  # noqa: BLE001  (handed to the test, which fails on it)
                outcome["error"] = error
            finally:
                _db.session.remove()

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    return thread, outcome


def read_cursor(app, owner_id, seq):
    """What the engine does at the start of a run: the newest position, then the ids changed since `seq`."""
    def work():
        new_seq = latest_seq(owner_id, "contact")
        ids, _ = changed_since(owner_id, "contact", seq)
        return ids, new_seq

    thread, outcome = in_thread(app, work)
    thread.join(30)
    assert "error" not in outcome, outcome.get("error")
    return outcome["value"]


def make_owner(email="owner@example.com"):
    user = User(email=email, role="user")
    user.set_password("correct horse battery")
    _db.session.add(user)
    _db.session.commit()
    return user.id


def test_a_change_committed_late_is_not_passed_by_the_cursor(shared_app):
    owner = make_owner()
    cursor = latest_seq(owner, "contact")
    # Writer A: a long transaction (an import, say) has written its change row but not committed.
    slow = services.create_contact(owner, {"first_name": "Slow", "last_name": "Import"}, commit=False)
    _db.session.flush()
    slow_id = slow.id
    # Writer B: a quick edit of the same owner's book, in another request.
    quick, quick_outcome = in_thread(shared_app, lambda: services.create_contact(
        owner, {"first_name": "Quick", "last_name": "Edit"}).id)
    quick.join(1.0)
    # A sync run starts meanwhile and moves its cursor to what it sees.
    seen, cursor_after = read_cursor(shared_app, owner, cursor)
    _db.session.commit()
    quick.join(30)
    assert "error" not in quick_outcome, quick_outcome.get("error")
    # The next run reads from there: between the two runs, every change was read.
    later, _ = read_cursor(shared_app, owner, cursor_after)
    assert {slow_id, quick_outcome["value"]} <= set(seen) | set(later)


# SQLite has one writer at a time for the whole file, so there every writer waits (its busy timeout) and
# takes no row lock: these two run in CI's PostgreSQL pass.
on_postgres = pytest.mark.skipif(not (os.environ.get("DATABASE_URL_TEST") or "").startswith("postgresql"),
                                 reason="row locks: PostgreSQL only (CI's second pass)")


@on_postgres
def test_writers_of_different_owners_do_not_wait_for_each_other(shared_app):
    first, second = make_owner("first@example.com"), make_owner("second@example.com")
    services.create_contact(first, {"first_name": "Open", "last_name": "Transaction"}, commit=False)
    _db.session.flush()
    other, outcome = in_thread(shared_app, lambda: services.create_contact(
        second, {"first_name": "Other", "last_name": "Owner"}).id)
    other.join(10)
    finished = not other.is_alive()
    _db.session.rollback()
    other.join(30)
    assert finished, "a writer of another owner waited for an unrelated transaction"
    assert "error" not in outcome, outcome.get("error")


@on_postgres
def test_writers_that_both_inserted_before_locking_do_not_deadlock(shared_app):
    """A new contact references its owner (a key share lock) before its change row takes the owner lock."""
    from wizard.crm.changes import record_change
    from wizard.models.crm import Contact

    owner = make_owner()
    mine = Contact(owner_id=owner, first_name="Inserted", last_name="First")
    _db.session.add(mine)
    _db.session.flush()
    other, outcome = in_thread(shared_app, lambda: services.create_contact(
        owner, {"first_name": "Other", "last_name": "Request"}).id)
    other.join(1.0)
    record_change(owner, "contact", mine.id)
    _db.session.commit()
    other.join(30)
    assert "error" not in outcome, outcome.get("error")
    ids, _ = changed_since(owner, "contact", 0)
    assert sorted(ids) == sorted([mine.id, outcome["value"]])


@on_postgres
def test_one_transaction_takes_the_owner_lock_once(shared_app):
    """An import of many contacts takes the lock once, not once per row."""
    owner = make_owner()
    statements = []

    from sqlalchemy import event

    def count(conn, cursor, statement, *args):
        if re.search(r"FOR (NO KEY )?UPDATE", statement, re.IGNORECASE):
            statements.append(statement)

    event.listen(_db.engine, "before_cursor_execute", count)
    try:
        for i in range(5):
            services.create_contact(owner, {"first_name": f"Row{i}", "last_name": "Import"}, commit=False)
        _db.session.commit()
        services.create_contact(owner, {"first_name": "Next", "last_name": "Transaction"})
    finally:
        event.remove(_db.engine, "before_cursor_execute", count)
    assert len(statements) == 2, statements
