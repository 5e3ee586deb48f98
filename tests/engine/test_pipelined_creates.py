"""Batch creates are pipelined (issue 16): a worker thread sends one batch while the engine's thread records
the previous answer and writes the next batch's intents. What must hold at every moment is the crash proof:
Google never holds a contact of ours whose intent row is not committed, and one create is in flight at a
time. Checked from a second database connection (what a crash would leave) at each checkpoint of a run with
many small batches over several chunks."""
import sys
import threading

from sqlalchemy import text

from wizard.engine import checkpoints as engine
from wizard.engine import run_sync
from wizard.extensions import db
from wizard.models.sync import Pair, RunStatus

from tests.engine.helpers import GoogleUser, crm_contact


def committed_pairs():
    """crm id -> state of the pair rows another connection sees (the committed ones)."""
    with db.engine.connect() as other:
        return dict(other.execute(text("SELECT crm_id, state FROM sync_pairs")).all())


def test_google_never_holds_a_create_without_its_committed_intent(app, account, emulator, monkeypatch):
    import wizard.google.sides as eg

    google = GoogleUser(emulator, account)
    google.create_group("CRM contacts")
    contacts = [crm_contact(account, f"Pipe{i:02d}", "Line", email=f"pipe{i}@example.org") for i in range(23)]
    monkeypatch.setattr(eg.ContactsGoogle, "CREATE_BATCH", 3)
    app.config["SYNC_CHUNK_SIZE"] = 10  # three chunks: a chunk's last batch stays in flight while the next is planned
    emulator.control("POST", "/faults", json={"latency_ms": 40})
    seen = {"checks": 0, "ahead": 0, "threads": set()}

    def check(ctx):
        rows = committed_pairs()
        for person in google.connections():
            crm_id = next((d["value"] for d in person.get("clientData", []) if d["key"] == "syncwizard.crm_id"), None)
            assert crm_id is not None and int(crm_id) in rows, (person["resourceName"], rows)
        pending = sum(1 for state in rows.values() if state == "pending_create")
        seen["ahead"] = max(seen["ahead"], pending)
        seen["checks"] += 1
        seen["threads"].add(threading.current_thread().name)

    engine.CHECKPOINT_HOOKS["after_intents"] = check
    engine.CHECKPOINT_HOOKS["after_google_answer"] = check
    try:
        run = run_sync(account.id, "contacts")
    finally:
        engine.CHECKPOINT_HOOKS.clear()
        emulator.control("DELETE", "/faults")
    assert run.status == RunStatus.SUCCEEDED, (run.outcome_code, run.outcome_params)
    assert run.counts["google"] == {"create": 23} and run.api_calls <= 8 + 4  # 8 batches, listing, labels
    assert seen["checks"] >= 16
    # The next batch's intents were committed while the previous answer was still being recorded.
    assert seen["ahead"] >= 2 * 3, seen
    assert seen["threads"] == {threading.current_thread().name}  # the database is only ever the run's thread's
    names = sorted(p["names"][0]["givenName"] for p in google.connections())
    assert names == sorted(c.first_name for c in contacts)
    assert Pair.query.filter_by(state="synced").count() == 23


def test_a_token_expiring_while_the_thread_sends_is_refreshed_and_the_batch_sent_again(app, account, emulator):
    """The worker thread cannot refresh a token (a refresh is saved through the run's database session): its
    401 goes back to the run's thread, which refreshes and sends the batch again. Google made nothing of the
    refused request, so nothing is duplicated."""
    from wizard.models.accounts import GoogleAccount

    google = GoogleUser(emulator, account)
    google.create_group("CRM contacts")
    for i in range(3):
        crm_contact(account, f"Late{i}", "Token", email=f"late{i}@example.org")
    emulator.control("PATCH", "/settings", json={"access_token_lifetime": 1})
    account.token_expires_at = None  # unknown expiry: refreshed before the first call, then tokens live 1 s
    db.session.commit()
    # The create waits 1.5 s before Google reads its token: the one the thread carries has expired by then.
    emulator.control("POST", "/faults", json={"endpoint": "POST /v1/people:batchCreateContacts",
                                              "latency_ms": 1500, "remaining": 1})
    try:
        run = run_sync(account.id, "contacts")
    finally:
        emulator.control("DELETE", "/faults")
        emulator.control("PATCH", "/settings", json={"access_token_lifetime": 3600})
    assert run.status == RunStatus.SUCCEEDED, (run.outcome_code, run.outcome_params)
    assert run.counts["google"] == {"create": 3}
    google.http.headers["Authorization"] = f"Bearer {db.session.get(GoogleAccount, account.id).access_token}"
    assert sorted(p["names"][0]["givenName"] for p in google.connections()) == ["Late0", "Late1", "Late2"]
    assert emulator.stats()["by_endpoint"].get("POST /v1/people:batchCreateContacts", 0) == 2


def test_the_run_holds_the_write_lock_and_quick_gil_handoffs_while_creates_are_in_flight(app, account, emulator,
                                                                                          monkeypatch):
    """The engine's thread takes the account's write lock once, at the first create, for the thread's
    calls (taken per call, on the thread, it lay on every batch's critical path): a writer in another
    process sees it held whenever a create may be in flight, and free once the run is done."""
    import wizard.google.sides as eg

    google = GoogleUser(emulator, account)
    google.create_group("CRM contacts")
    for i in range(7):
        crm_contact(account, f"Lock{i}", "Held", email=f"lock{i}@example.org")
    monkeypatch.setattr(eg.ContactsGoogle, "CREATE_BATCH", 2)
    seen = {"held": 0, "free": 0, "key": None, "intervals": set()}
    before = sys.getswitchinterval()

    def check(ctx):
        seen["intervals"].add(sys.getswitchinterval())
        pacer = ctx.google.client.pacer
        seen["key"], seen["redis"] = pacer.lock_key, pacer.redis
        seen["held" if pacer.redis.exists(pacer.lock_key) else "free"] += 1

    engine.CHECKPOINT_HOOKS["after_google_answer"] = check
    try:
        run = run_sync(account.id, "contacts")
    finally:
        engine.CHECKPOINT_HOOKS.clear()
    assert run.status == RunStatus.SUCCEEDED and run.counts["google"] == {"create": 7}
    assert seen["held"] >= 4 and seen["free"] == 0, seen
    assert not seen["redis"].exists(seen["key"])
    # The GIL is handed to the sending thread quickly while it runs (its waits lie on the critical path), and
    # the process's own interval is back afterwards.
    assert seen["intervals"] == {min(before, eg.HANDOFF_INTERVAL)} and sys.getswitchinterval() == before


def test_the_next_chunks_crm_records_are_read_while_creates_are_in_flight(app, account, emulator, monkeypatch):
    """The engine's thread reads the next chunk's CRM records a slice at a time while a batch is in flight
    (wizard.engine.prefetch): what the next chunk's plan finds read is what a read at planning time gives,
    and every contact is created once."""
    import wizard.google.sides as eg
    from wizard.engine.prefetch import CrmPrefetch

    google = GoogleUser(emulator, account)
    google.create_group("CRM contacts")
    contacts = [crm_contact(account, f"Ahead{i:02d}", "Read", email=f"ahead{i}@example.org") for i in range(20)]
    monkeypatch.setattr(eg.ContactsGoogle, "CREATE_BATCH", 2)
    monkeypatch.setattr(CrmPrefetch, "STEP", 3)
    app.config["SYNC_CHUNK_SIZE"] = 10
    ahead = []

    def check(ctx):
        prefetch = ctx.prefetch
        if prefetch is not None and prefetch.position:
            expected = ctx.store.fetch(prefetch.ids[:prefetch.position])
            assert prefetch.read == expected
            ahead.append(prefetch.position)

    engine.CHECKPOINT_HOOKS["after_google_answer"] = check
    try:
        run = run_sync(account.id, "contacts")
    finally:
        engine.CHECKPOINT_HOOKS.clear()
    assert run.status == RunStatus.SUCCEEDED and run.counts["google"] == {"create": 20}
    assert ahead and max(ahead) >= 9, ahead  # most of the next chunk was read during the first one's creates
    names = sorted(p["names"][0]["givenName"] for p in google.connections())
    assert names == sorted(c.first_name for c in contacts)
