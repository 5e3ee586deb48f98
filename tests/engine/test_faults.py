"""Faults injected in the emulator: the end state equals the fault-free one, with no duplicate, and a second
run writes nothing."""

import pytest

from wizard.engine import run_sync
from wizard.engine.checkpoints import CRASH_ENV, SimulatedCrash
from wizard.extensions import db
from wizard.models.accounts import NEEDS_RECONNECT, GoogleAccount
from wizard.models.sync import Pair, RunStatus, SyncRun
from wizard.jobs.queue import enqueue_sync

from tests.engine.helpers import GoogleUser, crm_contact, crm_contacts, names


def seed(account, google, crm=12, on_google=8):
    google.create_group("CRM contacts")
    for i in range(crm):
        crm_contact(account, f"Crm{i:02d}", "Person", email=f"crm{i}@example.org")
    for i in range(on_google):
        google.create(f"Ggl{i:02d}", "Person", email=f"ggl{i}@example.org")


def expected_names(crm=12, on_google=8):
    return sorted([f"Crm{i:02d} Person" for i in range(crm)] + [f"Ggl{i:02d} Person" for i in range(on_google)])


def assert_converged(account, google):
    assert names(google.labelled()) == expected_names()
    assert sorted(c.display_name for c in crm_contacts(account)) == expected_names()
    assert Pair.query.count() == len(expected_names())
    again = run_sync(account.id, "contacts")
    assert again.status == RunStatus.SUCCEEDED
    assert again.counts["google"] == {} and again.counts["crm"] == {}


def test_fault_free_reference(app, account, emulator):
    google = GoogleUser(emulator, account)
    seed(account, google)
    assert run_sync(account.id, "contacts").status == RunStatus.SUCCEEDED
    assert_converged(account, google)


def test_errors_and_latency_on_a_fifth_of_the_answers(app, account, emulator):
    google = GoogleUser(emulator, account)
    seed(account, google)
    emulator.control("POST", "/faults", json={"endpoint": "*", "error_rate": 0.2,
                                              "error_statuses": [500, 503, 429], "latency_ms": 20})
    # Small batches so the run makes many calls and meets many faults.
    import wizard.google.sides as eg

    eg.ContactsGoogle.CREATE_BATCH = eg.ContactsGoogle.UPDATE_BATCH = 3
    try:
        run = run_sync(account.id, "contacts")
    finally:
        eg.ContactsGoogle.CREATE_BATCH = eg.ContactsGoogle.UPDATE_BATCH = 200
    emulator.control("DELETE", "/faults")
    assert run.status == RunStatus.SUCCEEDED, (run.outcome_code, run.outcome_params)
    assert_converged(account, google)


@pytest.mark.parametrize("point", ["after_intents:2", "after_google_answer:1", "after_google_answer:3"])
def test_crash_between_google_answer_and_our_commit(app, account, emulator, monkeypatch, point):
    import wizard.google.sides as eg

    google = GoogleUser(emulator, account)
    seed(account, google)
    monkeypatch.setattr(eg.ContactsGoogle, "CREATE_BATCH", 4)
    monkeypatch.setenv(CRASH_ENV, point)
    with pytest.raises(SimulatedCrash):
        run_sync(account.id, "contacts")
    db.session.rollback()
    monkeypatch.delenv(CRASH_ENV)
    run = run_sync(account.id, "contacts")
    assert run.status in (RunStatus.SUCCEEDED, RunStatus.PARTIAL), (run.outcome_code, run.outcome_params)
    if run.status == RunStatus.PARTIAL:  # an interrupted create waits for a full listing: one more run
        run = run_sync(account.id, "contacts")
    assert_converged(account, google)


def test_crash_in_a_later_run_with_incremental_listing(app, account, emulator, monkeypatch):
    import wizard.google.sides as eg

    google = GoogleUser(emulator, account)
    seed(account, google)
    run_sync(account.id, "contacts")
    for i in range(12, 20):
        crm_contact(account, f"Late{i}", "Person")
    monkeypatch.setattr(eg.ContactsGoogle, "CREATE_BATCH", 3)
    monkeypatch.setenv(CRASH_ENV, "after_google_answer:2")
    with pytest.raises(SimulatedCrash):
        run_sync(account.id, "contacts")
    db.session.rollback()
    monkeypatch.delenv(CRASH_ENV)
    for _ in range(2):
        run_sync(account.id, "contacts")
    labelled = names(google.labelled())
    assert len(labelled) == len(set(labelled)) == 28
    assert len(crm_contacts(account)) == 28 and Pair.query.count() == 28


def test_sync_token_expiry_with_faults(app, account, emulator):
    google = GoogleUser(emulator, account)
    seed(account, google)
    run_sync(account.id, "contacts")
    emulator.control("POST", "/sync-tokens/expire", json={"email": account.email})
    emulator.control("POST", "/faults", json={"error_rate": 0.2, "error_statuses": [503]})
    run = run_sync(account.id, "contacts")
    emulator.control("DELETE", "/faults")
    assert run.status == RunStatus.SUCCEEDED and run.full_listing
    assert_converged(account, google)


def test_access_token_expiring_mid_run_is_refreshed(app, account, emulator):
    google = GoogleUser(emulator, account)
    seed(account, google)
    emulator.control("PATCH", "/settings", json={"access_token_lifetime": 1})
    account.token_expires_at = None  # unknown expiry: the first call refreshes, then tokens live 1 s
    db.session.commit()
    emulator.control("POST", "/faults", json={"latency_ms": 150})
    import wizard.google.sides as eg

    eg.ContactsGoogle.CREATE_BATCH = 2
    try:
        run = run_sync(account.id, "contacts")
    finally:
        eg.ContactsGoogle.CREATE_BATCH = 200
    emulator.control("DELETE", "/faults")
    emulator.control("PATCH", "/settings", json={"access_token_lifetime": 3600})
    assert run.status == RunStatus.SUCCEEDED, (run.outcome_code, run.outcome_params)
    google.http.headers["Authorization"] = f"Bearer {db.session.get(GoogleAccount, account.id).access_token}"
    assert_converged(account, google)


def test_invalid_grant_marks_the_account_and_stops_without_retrying(app, account, emulator):
    from wizard.jobs.entry import run_now  # the job's path: the engine, then the schedule notes the outcome
    from wizard.jobs.schedule import dispatch_due, schedule_for

    crm_contact(account, "Anna")
    emulator.control("POST", "/grants/revoke", json={"email": account.email})
    account.token_expires_at = None  # force a refresh: Google answers invalid_grant
    db.session.commit()
    emulator.control("POST", "/stats/reset")
    run = run_now(account.id, "contacts")
    assert run.status == RunStatus.NEEDS_RECONNECT
    account = db.session.get(GoogleAccount, account.id)
    assert account.status == NEEDS_RECONNECT and account.reason_code == "invalid_grant"
    assert emulator.stats()["total"] <= 2  # one refresh attempt, no loop
    assert schedule_for(account.id, "contacts").paused_reason == "needs_reconnect"
    assert dispatch_due() == 0
    run_id = enqueue_sync(account.id, "contacts")
    assert db.session.get(SyncRun, run_id).status == RunStatus.QUEUED
