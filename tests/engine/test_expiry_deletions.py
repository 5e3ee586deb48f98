"""A full listing (after an expired sync token) does not show deleted items; what became of the paired items it
no longer contains is read back from Google, and only Google's own 404 counts as a deletion (found by the soak)."""
from wizard.engine import run_sync
from wizard.models.sync import Pair, RunStatus

from tests.engine.helpers import GoogleUser, crm_contact, crm_contacts, names


def test_a_google_deletion_before_the_token_expired_still_reaches_the_crm(app, account, emulator):
    google = GoogleUser(emulator, account)
    for name in ("Anna", "Boris", "Vera"):
        crm_contact(account, name, "Soak")
    assert run_sync(account.id, "contacts").status == RunStatus.SUCCEEDED
    google.delete(next(p for p in google.labelled() if p["names"][0]["givenName"] == "Boris"))
    emulator.control("POST", "/sync-tokens/expire", json={"email": account.email, "api": "people"})
    emulator.control("POST", "/stats/reset")
    run = run_sync(account.id, "contacts")
    stats = emulator.stats()
    assert stats["total"] <= 4, stats  # groups, the refused listing, the full listing, one batchGet of the missing
    assert run.status == RunStatus.SUCCEEDED and run.full_listing, (run.outcome_code, run.outcome_params)
    assert run.counts["crm"] == {"untag": 1}  # the default policy: a Google deletion untags in the CRM
    assert sorted(c.display_name for c in crm_contacts(account)) == ["Anna Soak", "Vera Soak"]
    assert names(google.labelled()) == ["Anna Soak", "Vera Soak"] and Pair.query.count() == 2


def test_a_contact_taken_out_of_the_label_before_the_token_expired_leaves_the_sync(app, account, emulator):
    google = GoogleUser(emulator, account)
    for name in ("Anna", "Boris"):
        crm_contact(account, name, "Soak")
    assert run_sync(account.id, "contacts").status == RunStatus.SUCCEEDED
    boris = next(p for p in google.labelled() if p["names"][0]["givenName"] == "Boris")
    group = google.group("CRM contacts")["resourceName"]
    google.http.post(google.people + group + "/members:modify",
                     json={"resourceNamesToRemove": [boris["resourceName"]]}).raise_for_status()
    emulator.control("POST", "/sync-tokens/expire", json={"email": account.email, "api": "people"})
    run = run_sync(account.id, "contacts")
    assert run.status == RunStatus.SUCCEEDED, (run.outcome_code, run.outcome_params)
    assert [c.first_name for c in crm_contacts(account)] == ["Anna"]  # untagged, as for an incremental listing
    assert len(google.connections()) == 2  # nothing deleted in Google


def test_a_full_listing_with_everything_present_reads_nothing_more(app, account, emulator):
    for i in range(5):
        crm_contact(account, f"Person{i}", "Soak")
    assert run_sync(account.id, "contacts").status == RunStatus.SUCCEEDED
    emulator.control("POST", "/sync-tokens/expire", json={"email": account.email, "api": "people"})
    emulator.control("POST", "/stats/reset")
    run = run_sync(account.id, "contacts")
    assert run.status == RunStatus.SUCCEEDED and run.counts["google"] == {} and run.counts["crm"] == {}
    assert emulator.stats()["total"] <= 3  # groups, the refused listing, the full listing: no batchGet


def test_a_crm_deletion_after_a_run_that_saw_no_crm_change_is_not_lost(app, make_account, emulator):
    """The first run only brought Google's events in (the CRM had written nothing yet): the next run must still
    see a CRM deletion (reported by the polish helper: the pair stayed, the activity was gone)."""
    from datetime import date, datetime, timedelta, timezone

    from wizard.crm import services

    from tests.engine.test_activities_sync import Calendar, activities

    account = make_account(activities_sync_from=date(2026, 1, 1))
    calendar = Calendar(emulator, account)
    start = datetime(2026, 3, 10, 7, 0, tzinfo=timezone.utc)
    for i in range(4):
        calendar.insert({"summary": f"G{i}", "start": {"dateTime": (start + timedelta(days=i)).isoformat()},
                         "end": {"dateTime": (start + timedelta(days=i, hours=1)).isoformat()}})
    assert run_sync(account.id, "activities").counts["crm"] == {"create": 4}
    victim = activities(account)[0]
    services.delete_activity(account.user_id, victim.id)
    run = run_sync(account.id, "activities")
    assert run.status == RunStatus.SUCCEEDED, (run.outcome_code, run.outcome_params)
    assert Pair.query.filter_by(object="activities", crm_id=victim.id).count() == 0
    assert Pair.query.filter_by(object="activities").count() == 3
    assert len(calendar.events()) == 4  # the default policy keeps the event in Google
