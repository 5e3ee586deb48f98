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
    assert run.status == RunStatus.SUCCEEDED, (run.outcome_code, run.outcome_params)
    assert names(google.labelled()) == ["Anna Petrova", "Boris Ivanov"]
    google.create("Vera", "Google", email="vera@example.org")
    run = run_sync(account.id, "contacts")
    assert run.status == RunStatus.SUCCEEDED, (run.outcome_code, run.outcome_params)
    assert sorted(c.display_name for c in crm_contacts(account)) == ["Anna Petrova", "Boris Ivanov", "Vera Google"]
    assert Pair.query.count() == 3
    emulator.control("POST", "/stats/reset")
    again = run_sync(account.id, "contacts")
    assert again.status == RunStatus.SUCCEEDED
    assert again.counts["google"] == {} and again.counts["crm"] == {}
    assert emulator.stats()["total"] <= 3


def test_edits_on_both_sides_merge_per_field(app, account, emulator):
    from wizard.crm import services

    google = GoogleUser(emulator, account)
    anna = crm_contact(account, "Anna", "Petrova", email="anna@example.org")
    assert run_sync(account.id, "contacts").status == RunStatus.SUCCEEDED
    person = google.labelled()[0]
    # Google: the first name; the CRM: the job title and a second e-mail. Different fields: both survive.
    google.update_name(person, "Anya")
    services.update_contact(account.user_id, anna.id, {
        "job_title": "Engineer", "emails": [{"value": "anna@example.org", "type": "work"},
                                            {"value": "anna@home.example", "type": "home"}]})
    run = run_sync(account.id, "contacts")
    assert run.status == RunStatus.SUCCEEDED, (run.outcome_code, run.outcome_params)
    [contact] = crm_contacts(account)
    assert contact.first_name == "Anya" and contact.job_title == "Engineer"
    [person] = google.labelled()
    assert person["names"][0]["givenName"] == "Anya"
    assert sorted(e["value"] for e in person["emailAddresses"]) == ["anna@example.org", "anna@home.example"]
    again = run_sync(account.id, "contacts")
    assert again.counts["google"] == {} and again.counts["crm"] == {}


def test_first_sync_matches_by_email_then_phone_instead_of_duplicating(app, account, emulator):
    google = GoogleUser(emulator, account)
    google.create_group("CRM contacts")
    crm_contact(account, "Boris", "Crm", email="boris@example.org")
    crm_contact(account, "Gleb", "Crm", phone="+7 916 000-11-22")
    google.create("Boris", "FromPhone", email="Boris@Example.org")
    person = google.create("Gleb", "FromPhone")
    google.http.patch(google.people + person["resourceName"] + ":updateContact",
                      params={"updatePersonFields": "phoneNumbers"},
                      json={"etag": person["etag"], "phoneNumbers": [{"value": "8 (916) 000-11-22"}]}).raise_for_status()
    run = run_sync(account.id, "contacts")
    assert run.status == RunStatus.SUCCEEDED, (run.outcome_code, run.outcome_params)
    assert len(google.labelled()) == 2 and len(crm_contacts(account)) == 2
    assert all(any(d.get("key") == "syncwizard.crm_id" for d in p.get("clientData") or [])
               for p in google.labelled())  # the back-reference is written on the matched contacts


def test_expired_sync_token_lists_in_full_without_duplicates_or_deletions(app, account, emulator):
    google = GoogleUser(emulator, account)
    for i in range(5):
        crm_contact(account, f"Person{i}", "Crm")
    run_sync(account.id, "contacts")
    emulator.control("POST", "/sync-tokens/expire", json={"email": account.email, "api": "people"})
    run = run_sync(account.id, "contacts")
    assert run.status == RunStatus.SUCCEEDED and run.full_listing
    assert run.counts["google"] == {} and run.counts["crm"] == {}
    assert len(google.labelled()) == 5 and len(crm_contacts(account)) == 5
    assert Pair.query.count() == 5


def test_deleted_in_google_untags_in_crm_by_default(app, account, emulator):
    google = GoogleUser(emulator, account)
    crm_contact(account, "Keep", "Me")
    crm_contact(account, "Other", "One")
    run_sync(account.id, "contacts")
    google.delete(next(p for p in google.labelled() if p["names"][0]["givenName"] == "Keep"))
    run = run_sync(account.id, "contacts")
    assert run.status == RunStatus.SUCCEEDED, (run.outcome_code, run.outcome_params)
    assert [c.first_name for c in crm_contacts(account)] == ["Other"]  # Keep untagged, not deleted
    from wizard.models.crm import Contact

    assert Contact.query.filter_by(first_name="Keep", deleted_at=None).count() == 1
    assert Pair.query.count() == 1


def test_a_side_looking_empty_writes_nothing_until_forced(app, account, emulator):
    from wizard.models.sync import PendingGuard

    google = GoogleUser(emulator, account)
    for i in range(3):
        crm_contact(account, f"Person{i}")
    run_sync(account.id, "contacts")
    for person in google.labelled():
        google.delete(person)
    held = run_sync(account.id, "contacts")
    assert held.status == RunStatus.AWAITING_CONFIRMATION
    assert held.counts["crm"] == {} and len(crm_contacts(account)) == 3  # nothing written
    guard = PendingGuard.query.one()
    assert guard.code == "sync.guard.side_empty" and guard.closed_at is None
    forced = run_sync(account.id, "contacts", force=True)
    assert forced.status == RunStatus.SUCCEEDED
    assert crm_contacts(account) == [] and PendingGuard.query.one().closed_at is not None


def test_stale_etag_is_fetched_merged_and_retried_once(app, account, emulator):
    from wizard.engine import checkpoints as engine
    from wizard.crm import services

    google = GoogleUser(emulator, account)
    anna = crm_contact(account, "Anna", "Petrova")
    run_sync(account.id, "contacts")
    person = google.labelled()[0]
    google.update_name(person, "Anya")  # listed by the next run with this etag...
    services.update_contact(account.user_id, anna.id, {"job_title": "Engineer"})

    def edit_meanwhile(ctx):  # ...and changed again before our write: our etag is stale
        current = google.http.get(google.people + person["resourceName"], params={"personFields": "names"}).json()
        google.http.patch(google.people + person["resourceName"] + ":updateContact",
                          params={"updatePersonFields": "biographies"},
                          json={"etag": current["etag"], "biographies": [{"value": "Met at the fair"}]}
                          ).raise_for_status()

    engine.CHECKPOINT_HOOKS["before_google_writes"] = edit_meanwhile
    try:
        run = run_sync(account.id, "contacts")
    finally:
        engine.CHECKPOINT_HOOKS.clear()
    assert run.status == RunStatus.SUCCEEDED, (run.outcome_code, run.outcome_params)
    [contact] = crm_contacts(account)
    assert (contact.first_name, contact.job_title, contact.notes) == ("Anya", "Engineer", "Met at the fair")
    person = google.http.get(google.people + person["resourceName"],
                             params={"personFields": "names,organizations,biographies"}).json()
    assert person["names"][0]["givenName"] == "Anya"
    assert person["organizations"][0]["title"] == "Engineer"
    assert person["biographies"][0]["value"] == "Met at the fair"
    again = run_sync(account.id, "contacts")
    assert again.counts["google"] == {} and again.counts["crm"] == {}


def test_renaming_the_label_renames_the_google_group(app, account, emulator):
    google = GoogleUser(emulator, account)
    crm_contact(account, "Anna", "Petrova")
    run_sync(account.id, "contacts")
    account.tag_mappings[0].google_label = "Close people"
    from wizard.extensions import db

    db.session.commit()
    run = run_sync(account.id, "contacts")
    assert run.status == RunStatus.SUCCEEDED and not run.full_listing
    assert google.group("CRM contacts") is None
    assert names(google.labelled("Close people")) == ["Anna Petrova"]
    assert len(crm_contacts(account)) == 1 and run.counts["crm"] == {}


def test_first_sync_above_the_threshold_shows_the_counts_before_writing(app, account, emulator):
    from wizard.models.sync import PendingGuard

    app.config["SYNC_FIRST_SYNC_PREVIEW"] = 2
    google = GoogleUser(emulator, account)
    for i in range(3):
        crm_contact(account, f"Person{i}")
    held = run_sync(account.id, "contacts")
    assert held.status == RunStatus.AWAITING_CONFIRMATION
    guard = PendingGuard.query.one()
    assert guard.kind == "first_sync_preview" and guard.params == {"to_google": 3, "to_crm": 0, "matched": 0}
    assert google.group("CRM contacts") is not None and google.labelled() == []  # nothing written but the label
    forced = run_sync(account.id, "contacts", force=True)
    assert forced.status == RunStatus.SUCCEEDED and len(google.labelled()) == 3


def test_one_way_from_google_writes_nothing_to_google(app, make_account, emulator):
    account = make_account(contacts_direction="from_google")
    google = GoogleUser(emulator, account)
    google.create_group("CRM contacts")
    person = google.create("Only", "Google")
    crm_contact(account, "Only", "Crm")
    run = run_sync(account.id, "contacts")
    assert run.status == RunStatus.SUCCEEDED, (run.outcome_code, run.outcome_params)
    assert run.counts["google"] == {}
    assert sorted(c.display_name for c in crm_contacts(account)) == ["Only Crm", "Only Google"]
    [listed] = google.labelled()
    assert listed["etag"] == person["etag"]  # untouched: not even a back-reference
