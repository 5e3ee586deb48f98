"""A person edits while a run is between its read and its write: at every checkpoint of a run, a save in the
CRM (from another session, as a web request would) and an edit in Google (through the People API). After the
runs settle, every edit made on either side is on both sides, or listed as a conflict; nothing is duplicated.

The database is a file (or the suite's PostgreSQL): the person's save must be another connection's
transaction, not a change to the objects the run's session already holds.
"""
import os
import threading

import pytest

from config import google_endpoints
from tests.apps import app_on_fresh_database
from tests.engine.helpers import GoogleUser, crm_contact, crm_contacts
from wizard.engine import checkpoints as engine
from wizard.engine import run_sync
from wizard.models.sync import Pair, RunStatus, SyncConflict

# Every point where the engine's crash simulation can stop a run (wizard.engine.apply).
CHECKPOINTS = ["before_crm_writes", "before_google_writes", "after_intents", "after_google_answer"]


@pytest.fixture
def app(tmp_path, redis_server, emulator):
    database = os.environ.get("DATABASE_URL_TEST") or f"sqlite:///{tmp_path / 'interleaving.db'}"
    with app_on_fresh_database(INSTANCE_PATH=str(tmp_path / "instance"), REDIS_URL=redis_server.url,
                               SQLALCHEMY_DATABASE_URI=database, GOOGLE_BACKOFF_BASE=0.01, GOOGLE_BACKOFF_MAX=0.05,
                               SYNC_FIRST_SYNC_PREVIEW=1000000, INSTALLATION_ID="engine-tests",
                               **google_endpoints(emulator.url)) as app:
        yield app


def person_saves(app, owner_id, contact_id, data):
    """A person's save in the CRM, in a session and transaction of its own (another request's)."""
    from wizard.crm import services
    from wizard.extensions import db

    errors = []

    def save():
        with app.app_context():
            try:
                services.update_contact(owner_id, contact_id, data)
            except Exception as error:  # noqa: BLE001  (reported by the test below)
                errors.append(error)
            finally:
                db.session.remove()

    thread = threading.Thread(target=save)
    thread.start()
    thread.join(30)
    assert not thread.is_alive() and not errors, errors


def google_edit(google, resource_name, fields, body):
    current = google.http.get(google.people + resource_name, params={"personFields": fields}).json()
    response = google.http.patch(google.people + resource_name + ":updateContact",
                                 params={"updatePersonFields": fields}, json={"etag": current["etag"], **body})
    response.raise_for_status()


def google_person(google, given):
    person = next(p for p in google.labelled() if p["names"][0]["givenName"] == given)
    return google.http.get(google.people + person["resourceName"],
                           params={"personFields": "names,biographies,organizations"}).json()


def note(person):
    return (person.get("biographies") or [{}])[0].get("value")


def title(person):
    return (person.get("organizations") or [{}])[0].get("title")


@pytest.mark.parametrize("checkpoint", CHECKPOINTS)
def test_edits_made_at_every_checkpoint_of_a_run_survive_on_both_sides(app, account, emulator, checkpoint):
    from wizard.crm import services

    google = GoogleUser(emulator, account)
    anna = crm_contact(account, "Anna", "Petrova")
    boris = crm_contact(account, "Boris", "Ivanov")
    crm_contact(account, "Vera", "Sidorova")
    assert run_sync(account.id, "contacts").status == RunStatus.SUCCEEDED
    # What the next run plans: Anna's note from Google (a CRM write), Boris's title from the CRM (a Google
    # write), a new contact (a Google create).
    google_edit(google, google_person(google, "Anna")["resourceName"], "biographies",
                {"biographies": [{"value": "from google"}]})
    services.update_contact(account.user_id, boris.id, {"job_title": "CTO"})
    crm_contact(account, "Dina", "New")
    boris_name = google_person(google, "Boris")["resourceName"]
    owner_id, anna_id = account.user_id, anna.id  # read now: the hook must not load them into the run's session

    def meanwhile(ctx):
        engine.CHECKPOINT_HOOKS.pop(checkpoint, None)
        # The CRM: the very field the run is about to write, and another one.
        person_saves(app, owner_id, anna_id, {"notes": "from a person", "job_title": "Lead"})
        # Google: a field the run is not writing, and the one it is (a conflict with the CRM's title).
        google_edit(google, boris_name, "biographies,organizations",
                    {"biographies": [{"value": "google person"}], "organizations": [{"title": "VP"}]})

    engine.CHECKPOINT_HOOKS[checkpoint] = meanwhile
    try:
        first = run_sync(account.id, "contacts")
    finally:
        engine.CHECKPOINT_HOOKS.clear()
    assert first.status in (RunStatus.SUCCEEDED, RunStatus.PARTIAL), (first.outcome_code, first.outcome_params)
    assert checkpoint not in engine.CHECKPOINT_HOOKS  # the run passed the checkpoint
    for _ in range(2):
        run_sync(account.id, "contacts")

    by_name = {c.first_name: c for c in crm_contacts(account)}
    assert (by_name["Anna"].notes, by_name["Anna"].job_title) == ("from a person", "Lead")
    g_anna = google_person(google, "Anna")
    assert (note(g_anna), title(g_anna)) == ("from a person", "Lead")
    g_boris = google_person(google, "Boris")
    assert by_name["Boris"].notes == note(g_boris) == "google person"
    title_conflict = SyncConflict.query.filter_by(crm_id=boris.id, resolved_at=None).count()
    assert by_name["Boris"].job_title == title(g_boris) or title_conflict, (by_name["Boris"].job_title, title(g_boris))
    # Nothing duplicated, nothing left to do.
    assert sorted(by_name) == ["Anna", "Boris", "Dina", "Vera"]
    assert len(google.labelled()) == 4 and Pair.query.count() == 4
    again = run_sync(account.id, "contacts")
    assert again.counts["google"] == {} and again.counts["crm"] == {}


@pytest.mark.parametrize("checkpoint", ["before_crm_writes", "before_google_writes"])
def test_a_note_saved_during_the_run_that_follows_a_google_rename_reaches_google(app, account, emulator, checkpoint):
    """The intermittent loss: Google renamed a contact (and it changed there, so the run writes the CRM); the
    CRM's note was saved after the run's listing, before its write to that contact. The old engine took the
    pair's CRM fingerprint from a re-read that included the note: the next run took the note for synced."""
    google = GoogleUser(emulator, account)
    owner_id = account.user_id
    contacts = [crm_contact(account, f"P{i}", "X") for i in range(7)]  # several chunks: the run is long
    assert run_sync(account.id, "contacts").status == RunStatus.SUCCEEDED
    target_id = contacts[5].id  # read now: touching the object in the hook would load it into the run's session
    old_name = google_person(google, "P5")["resourceName"]
    renamed = emulator.control("POST", "/people/rename", json={"email": account.email, "resource_name": old_name})
    google_edit(google, renamed["resource_name"], "organizations", {"organizations": [{"name": "Acme"}]})
    google_edit(google, google_person(google, "P1")["resourceName"], "biographies",
                {"biographies": [{"value": "first chunk"}]})

    def meanwhile(ctx):
        engine.CHECKPOINT_HOOKS.pop(checkpoint, None)
        person_saves(app, owner_id, target_id, {"notes": "new note"})

    engine.CHECKPOINT_HOOKS[checkpoint] = meanwhile
    try:
        assert run_sync(account.id, "contacts").status == RunStatus.SUCCEEDED
    finally:
        engine.CHECKPOINT_HOOKS.clear()
    assert run_sync(account.id, "contacts").status == RunStatus.SUCCEEDED
    person = google_person(google, "P5")
    assert person["resourceName"] == renamed["resource_name"]
    assert note(person) == "new note"
    [contact] = [c for c in crm_contacts(account) if c.first_name == "P5"]
    assert (contact.notes, contact.company) == ("new note", "Acme")
    assert Pair.query.count() == 7 and len(google.labelled()) == 7


def test_a_google_edit_that_makes_the_run_stale_beats_the_runs_own_crm_write(app, account, emulator):
    """Google changed the company, the CRM the note; after the run copied the company into the CRM and before
    it sent the note, a person changed the company in Google again. Google refuses the stale update; the run
    plans the pair again and must not take its own CRM write for a newer CRM edit (a false conflict)."""
    from wizard.crm import services

    google = GoogleUser(emulator, account)
    anna = crm_contact(account, "Anna", "Petrova")
    assert run_sync(account.id, "contacts").status == RunStatus.SUCCEEDED
    name = google_person(google, "Anna")["resourceName"]
    google_edit(google, name, "organizations", {"organizations": [{"name": "Beta"}]})
    services.update_contact(account.user_id, anna.id, {"notes": "from the CRM"})

    def meanwhile(ctx):
        engine.CHECKPOINT_HOOKS.clear()
        google_edit(google, name, "organizations", {"organizations": [{"name": "Gamma"}]})

    engine.CHECKPOINT_HOOKS["before_google_writes"] = meanwhile
    try:
        run = run_sync(account.id, "contacts")
    finally:
        engine.CHECKPOINT_HOOKS.clear()
    assert run.status == RunStatus.SUCCEEDED, (run.outcome_code, run.outcome_params)
    run_sync(account.id, "contacts")
    [contact] = crm_contacts(account)
    person = google.http.get(google.people + name, params={"personFields": "biographies,organizations"}).json()
    assert (contact.company, contact.notes) == ("Gamma", "from the CRM")
    assert (person["organizations"][0]["name"], note(person)) == ("Gamma", "from the CRM")
    assert SyncConflict.query.count() == 0
