"""Contacts end to end: CRM (real SQLite) ⇄ the Google emulator over real HTTP."""
from wizard.engine import run_sync
from wizard.models.sync import Pair, RunStatus

from tests.engine.helpers import GoogleUser, crm_contact, crm_contacts, names


def test_first_sync_creates_both_ways_and_a_second_run_writes_nothing(app, account, emulator):
    google = GoogleUser(emulator, account)
    crm_contact(account, "Anna", "Petrova", email="anna@example.org")
    crm_contact(account, "Boris", "Ivanov", phone="+7 916 123-45-67")
    crm_contact(account, "Untagged", "Person", tagged=False)
    run = run_sync(account.id, "contacts")
    assert run.status == RunStatus.SUCCEEDED, run.outcome_text()
    assert names(google.labelled()) == ["Anna Petrova", "Boris Ivanov"]
    google.create("Vera", "Google", email="vera@example.org")
    run = run_sync(account.id, "contacts")
    assert run.status == RunStatus.SUCCEEDED, run.outcome_text()
    assert sorted(c.display_name for c in crm_contacts(account)) == ["Anna Petrova", "Boris Ivanov", "Vera Google"]
    assert Pair.query.count() == 3
    emulator.control("POST", "/stats/reset")
    again = run_sync(account.id, "contacts")
    assert again.status == RunStatus.SUCCEEDED
    assert again.counts["google"] == {} and again.counts["crm"] == {}
    assert emulator.stats()["total"] <= 3
