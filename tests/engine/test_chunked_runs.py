"""Runs larger than a chunk (the tests' SYNC_CHUNK_SIZE is 3): planned and applied chunk by chunk, guarded
as a whole, ending as a single run would."""
from wizard.engine import run_sync
from wizard.models.sync import Pair, PendingGuard, RunStatus

from tests.engine.helpers import GoogleUser, crm_contact, crm_contacts, names


def test_the_tests_run_in_small_chunks(app):
    assert app.config["SYNC_CHUNK_SIZE"] == 3


def test_a_run_of_many_chunks_syncs_everything_once(app, account, emulator):
    google = GoogleUser(emulator, account)
    for i in range(14):
        crm_contact(account, f"Crm{i:02d}", "Person", email=f"crm{i}@example.org")
    run = run_sync(account.id, "contacts")
    assert run.status == RunStatus.SUCCEEDED, (run.outcome_code, run.outcome_params)
    assert run.counts["google"] == {"create": 14}
    assert run.progress_done == run.progress_total == 14
    for i in range(7):
        google.create(f"Goo{i}", "Person", email=f"goo{i}@example.org")
    run = run_sync(account.id, "contacts")
    assert run.status == RunStatus.SUCCEEDED, (run.outcome_code, run.outcome_params)
    assert run.counts["crm"] == {"create": 7}
    assert len(google.labelled()) == 21 and len(crm_contacts(account)) == 21 and Pair.query.count() == 21
    assert len(set(names(google.labelled()))) == 21  # no duplicate
    again = run_sync(account.id, "contacts")
    assert again.counts["google"] == {} and again.counts["crm"] == {}


def test_first_sync_matches_across_what_would_be_different_chunks(app, account, emulator):
    """Matched records are kept in one chunk whatever their ids: nothing is created twice."""
    google = GoogleUser(emulator, account)
    google.create_group("CRM contacts")
    for i in range(9):
        crm_contact(account, f"Same{i}", "Crm", email=f"same{i}@example.org")
    for i in reversed(range(9)):
        google.create(f"Same{i}", "Google", email=f"SAME{i}@example.org")
    run = run_sync(account.id, "contacts")
    assert run.status == RunStatus.SUCCEEDED, (run.outcome_code, run.outcome_params)
    assert run.counts["google"].get("create", 0) == 0 and run.counts["crm"].get("create", 0) == 0
    assert len(google.labelled()) == 9 and len(crm_contacts(account)) == 9 and Pair.query.count() == 9


def test_the_mass_delete_guard_weighs_the_whole_run_not_each_chunk(app, account, emulator):
    """12 of 30 deleted in Google: 3 per chunk is under the guard's minimum of 10, the run is not."""
    google = GoogleUser(emulator, account)
    for i in range(30):
        crm_contact(account, f"Person{i:02d}")
    assert run_sync(account.id, "contacts").status == RunStatus.SUCCEEDED
    for person in google.labelled()[:12]:
        google.delete(person)
    held = run_sync(account.id, "contacts")
    assert held.status == RunStatus.AWAITING_CONFIRMATION
    assert held.outcome_code == "sync.guard.mass_delete" and held.outcome_params == {"removals": 12, "pairs": 30}
    assert len(crm_contacts(account)) == 30 and Pair.query.count() == 30  # nothing written
    assert PendingGuard.query.one().counts.get("UntagInCrm") == 12
    forced = run_sync(account.id, "contacts", force=True)
    assert forced.status == RunStatus.SUCCEEDED and forced.counts["crm"] == {"untag": 12}
    assert len(crm_contacts(account)) == 18 and Pair.query.count() == 18
