"""Records leaving the sync and coming back (detached pairs), reused CRM records, retried intents and
deletes of what is already gone: end to end against the emulator."""
from datetime import date, datetime, timezone

import pytest

from wizard.crm import services
from wizard.engine import run_sync
from wizard.engine.checkpoints import CRASH_ENV, SimulatedCrash
from wizard.google.sides import ContactsGoogle
from wizard.extensions import db
from wizard.google.session import people_client
from wizard.models.sync import Pair, RunStatus
from wizard.settings.values import oauth_client
from wizard.sync import actions as A

from tests.engine.helpers import GoogleUser, crm_contact, crm_contacts, names, tag_id
from tests.engine.test_activities_sync import Calendar, activities, activity


def ok(run):
    assert run.status == RunStatus.SUCCEEDED, (run.outcome_code, run.outcome_params)
    return run


def quiet(account, object="contacts"):
    again = ok(run_sync(account.id, object))
    assert again.counts["google"] == {} and again.counts["crm"] == {}


def the_pair(crm_id=None):
    """The pair of `crm_id` (or the only one)."""
    db.session.expire_all()
    pairs = [p for p in Pair.query.all() if crm_id is None or p.crm_id == crm_id]
    [pair] = pairs
    return pair


def bystander(account):
    """A second contact that stays in the sync (a sync with every record gone from a side is held back)."""
    return crm_contact(account, "Boris", "Ivanov", email="boris@example.org")


def set_membership(google, person, add=False, remove=False):
    group = google.group("CRM contacts")["resourceName"]
    response = google.http.post(google.people + group + "/members:modify", timeout=30, json={
        "resourceNamesToAdd": [person["resourceName"]] if add else [],
        "resourceNamesToRemove": [person["resourceName"]] if remove else []})
    response.raise_for_status()


def test_retagged_contact_returns_to_the_label_without_duplicate(app, account, emulator):
    google = GoogleUser(emulator, account)
    anna = crm_contact(account, "Anna", "Petrova", email="anna@example.org")
    boris = bystander(account)
    ok(run_sync(account.id, "contacts"))
    assert names(google.labelled()) == ["Anna Petrova", "Boris Ivanov"]

    services.untag_contacts(account.user_id, tag_id(account), [anna.id])
    ok(run_sync(account.id, "contacts"))
    assert names(google.labelled()) == ["Boris Ivanov"]
    pair = the_pair(anna.id)
    assert pair.state == "detached" and pair.left == "crm"

    services.tag_contacts(account.user_id, tag_id(account), [anna.id])
    run = ok(run_sync(account.id, "contacts"))
    assert run.counts["google"] == {"add": 1}, run.counts
    assert names(google.labelled()) == ["Anna Petrova", "Boris Ivanov"]
    assert len(google.connections()) == 2
    pair = the_pair(anna.id)
    assert pair.state == "synced" and pair.left is None
    quiet(account)
    assert sorted(c.id for c in crm_contacts(account)) == [anna.id, boris.id]  # nothing untagged it again
    assert names(google.labelled()) == ["Anna Petrova", "Boris Ivanov"]


def test_contact_back_in_the_label_is_tagged_again_in_the_crm(app, account, emulator):
    google = GoogleUser(emulator, account)
    anna = crm_contact(account, "Anna", "Petrova", email="anna@example.org")
    boris = bystander(account)
    ok(run_sync(account.id, "contacts"))
    [person] = [p for p in google.labelled() if p["names"][0]["givenName"] == "Anna"]

    set_membership(google, person, remove=True)
    ok(run_sync(account.id, "contacts"))
    assert [c.id for c in crm_contacts(account)] == [boris.id]
    pair = the_pair(anna.id)
    assert pair.state == "detached" and pair.left == "google"

    set_membership(google, person, add=True)
    run = ok(run_sync(account.id, "contacts"))
    assert run.counts["crm"] == {"tag": 1}, run.counts
    assert sorted(c.id for c in crm_contacts(account)) == [anna.id, boris.id]
    assert the_pair(anna.id).state == "synced"
    quiet(account)
    assert sorted(c.id for c in crm_contacts(account)) == [anna.id, boris.id]
    assert names(google.labelled()) == ["Anna Petrova", "Boris Ivanov"]


def test_create_in_crm_reuses_the_untagged_record_the_google_contact_names(app, account, emulator):
    google = GoogleUser(emulator, account)
    anna = crm_contact(account, "Anna", "Petrova", email="anna@example.org")
    boris = bystander(account)
    ok(run_sync(account.id, "contacts"))
    [person] = [p for p in google.labelled() if p["names"][0]["givenName"] == "Anna"]
    # The pair row is lost (e.g. the table restored from an old backup) while the contact left the sync in
    # the CRM; Google then edits it: its back-reference names the untagged CRM contact.
    Pair.query.filter_by(crm_id=anna.id).delete()
    db.session.commit()
    services.untag_contacts(account.user_id, tag_id(account), [anna.id])
    google.update_name(person, "Anya")
    run = ok(run_sync(account.id, "contacts"))
    assert "create" not in run.counts["crm"], run.counts
    live = db.session.scalars(db.select(services.Contact).where(services.Contact.owner_id == account.user_id,
                                                                services.Contact.deleted_at.is_(None))).all()
    assert sorted(c.id for c in live) == [anna.id, boris.id]
    contact = db.session.get(services.Contact, anna.id)
    assert contact in crm_contacts(account) and contact.first_name == "Anya"
    assert the_pair(anna.id).crm_id == anna.id
    quiet(account)


def test_activity_shown_in_calendar_again_returns_to_its_event(app, make_account, emulator):
    account = make_account(activities_sync_from=date(2026, 1, 1))
    calendar = Calendar(emulator, account)
    meeting = activity(account, "Board meeting", datetime(2026, 3, 10, 7, 0, tzinfo=timezone.utc))
    activity(account, "Standup", datetime(2026, 3, 11, 7, 0, tzinfo=timezone.utc))
    ok(run_sync(account.id, "activities"))
    assert sorted(e["summary"] for e in calendar.events()) == ["Board meeting", "Standup"]

    services.update_activity(account.user_id, meeting.id, {"show_in_calendar": False})
    ok(run_sync(account.id, "activities"))
    pair = the_pair(meeting.id)
    assert pair.state == "detached" and pair.left == "crm"

    services.update_activity(account.user_id, meeting.id, {"show_in_calendar": True, "title": "Board meeting 2"})
    ok(run_sync(account.id, "activities"))
    assert sorted(e["summary"] for e in calendar.events()) == ["Board meeting 2", "Standup"]
    assert the_pair(meeting.id).state == "synced"
    quiet(account, "activities")
    assert [a.show_in_calendar for a in activities(account)] == [True, True]


def test_retried_activity_intent_sends_the_newer_content(app, make_account, emulator, monkeypatch):
    account = make_account(activities_sync_from=date(2026, 1, 1))
    calendar = Calendar(emulator, account)
    meeting = activity(account, "Draft", datetime(2026, 3, 10, 7, 0, tzinfo=timezone.utc))
    monkeypatch.setenv(CRASH_ENV, "after_google_answer:1")
    with pytest.raises(SimulatedCrash):
        run_sync(account.id, "activities")
    db.session.rollback()
    monkeypatch.delenv(CRASH_ENV)
    assert the_pair(meeting.id).state == "pending_create"
    intent_id = the_pair(meeting.id).id
    services.update_activity(account.user_id, meeting.id, {"title": "Final"})
    ok(run_sync(account.id, "activities"))
    assert [e["summary"] for e in calendar.events()] == ["Final"]
    pair = the_pair(meeting.id)
    assert pair.id == intent_id and pair.state == "synced"
    quiet(account, "activities")


def test_deleting_contacts_already_gone_counts_as_done(app, account, emulator):
    google = GoogleUser(emulator, account)
    google.create_group("CRM contacts")
    kept, gone = google.create("Kept", "Person"), google.create("Gone", "Person")
    google.delete(gone)
    side = ContactsGoogle(account, people_client(account, client=oauth_client()))
    actions = [A.DeleteInGoogle(pair_id=None, crm_id=None, google_id=p["resourceName"]) for p in (gone, kept)]
    results = side.delete(actions)
    assert [r.ok for r in results] == [True, True]
    assert google.connections() == []


def test_edits_made_on_both_sides_while_detached_survive_the_return(app, account, emulator):
    google = GoogleUser(emulator, account)
    anna = crm_contact(account, "Anna", "Petrova", email="anna@example.org")
    bystander(account)
    ok(run_sync(account.id, "contacts"))
    [person] = [p for p in google.labelled() if p["names"][0]["givenName"] == "Anna"]
    services.untag_contacts(account.user_id, tag_id(account), [anna.id])
    ok(run_sync(account.id, "contacts"))
    google.update_name(person, "Anya")  # outside the label now, still ours
    services.update_contact(account.user_id, anna.id, {"job_title": "Engineer"})
    ok(run_sync(account.id, "contacts"))
    services.tag_contacts(account.user_id, tag_id(account), [anna.id])
    ok(run_sync(account.id, "contacts"))
    contact = db.session.get(services.Contact, anna.id)
    assert contact.first_name == "Anya" and contact.job_title == "Engineer"
    [person] = [p for p in google.labelled() if p["names"][0]["givenName"] == "Anya"]
    assert len(google.connections()) == 2
    quiet(account)
