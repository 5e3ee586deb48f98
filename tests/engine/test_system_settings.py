"""Every "Synchronization defaults" system setting does what the registry says, read at run time: an account
without its own value follows it, an account's own value wins, and the environment only gives a value until
an administrator sets one."""
from wizard.engine import run_sync
from wizard.jobs.schedule import auto_settings
from wizard.models.crm import Contact
from wizard.models.sync import Pair, RunStatus
from wizard.settings.values import clear_setting, get_setting, set_setting

from tests.engine.helpers import GoogleUser, crm_contact, crm_contacts


def synced(account, emulator, n=4):
    for i in range(n):
        crm_contact(account, f"Person{i}", "Crm", email=f"p{i}@example.org")
    assert run_sync(account.id, "contacts").status == RunStatus.SUCCEEDED
    return GoogleUser(emulator, account)


def test_first_sync_preview_threshold_holds_a_first_sync_above_it(app, account, emulator):
    assert get_setting("FirstSyncPreviewThreshold") == 1000000  # the test config's seed (SYNC_FIRST_SYNC_PREVIEW)
    set_setting("FirstSyncPreviewThreshold", "2")
    for i in range(3):
        crm_contact(account, f"Person{i}")
    held = run_sync(account.id, "contacts")
    assert held.status == RunStatus.AWAITING_CONFIRMATION and held.outcome_code == "sync.guard.first_sync_preview"
    assert GoogleUser(emulator, account).labelled() == []
    set_setting("FirstSyncPreviewThreshold", "3")
    assert run_sync(account.id, "contacts").status == RunStatus.SUCCEEDED


def test_the_environment_gives_the_threshold_only_until_it_is_set(app):
    app.config["SYNC_FIRST_SYNC_PREVIEW"] = 20
    assert get_setting("FirstSyncPreviewThreshold") == 20
    set_setting("FirstSyncPreviewThreshold", "7")
    assert get_setting("FirstSyncPreviewThreshold") == 7
    app.config["SYNC_FIRST_SYNC_PREVIEW"] = None
    clear_setting("FirstSyncPreviewThreshold")
    assert get_setting("FirstSyncPreviewThreshold") == 50  # the registry's default, as the admin guide says
    app.config["SYNC_MASS_DELETE_SHARE"] = "0.35"
    assert get_setting("MassDeleteShare") == 35


def delete_in_google(google, n):
    for person in google.labelled()[:n]:
        google.delete(person)


def test_mass_delete_share_holds_a_run_removing_more_than_it(app, account, emulator):
    google = synced(account, emulator)
    set_setting("MassDeleteMinimum", "1")
    set_setting("MassDeleteShare", "50")
    delete_in_google(google, 3)  # 3 of 4 pairs: 75 %
    held = run_sync(account.id, "contacts")
    assert held.status == RunStatus.AWAITING_CONFIRMATION and held.counts["crm"] == {}
    set_setting("MassDeleteShare", "80")
    assert run_sync(account.id, "contacts").status == RunStatus.SUCCEEDED
    assert len(crm_contacts(account)) == 1


def test_mass_delete_minimum_lets_fewer_removals_through(app, account, emulator):
    google = synced(account, emulator)
    set_setting("MassDeleteShare", "1")
    set_setting("MassDeleteMinimum", "4")
    delete_in_google(google, 3)
    assert run_sync(account.id, "contacts").status == RunStatus.SUCCEEDED  # 3 < 4: not guarded
    assert len(crm_contacts(account)) == 1


def test_mass_delete_minimum_guards_from_its_count(app, account, emulator):
    google = synced(account, emulator)
    set_setting("MassDeleteShare", "1")
    set_setting("MassDeleteMinimum", "3")
    delete_in_google(google, 3)
    assert run_sync(account.id, "contacts").status == RunStatus.AWAITING_CONFIRMATION


def edit_both(account, google, contact, crm_title, google_title):
    from wizard.crm import services

    person = next(p for p in google.labelled() if p["names"][0]["givenName"] == contact.first_name)
    current = google.http.get(google.people + person["resourceName"], params={"personFields": "names"}).json()
    google.http.patch(google.people + person["resourceName"] + ":updateContact",
                      params={"updatePersonFields": "organizations"},
                      json={"etag": current["etag"], "organizations": [{"title": google_title}]}).raise_for_status()
    services.update_contact(account.user_id, contact.id, {"job_title": crm_title})
    return person["resourceName"]


def google_title(google, name):
    return google.http.get(google.people + name, params={"personFields": "organizations"}).json()[
        "organizations"][0]["title"]


def test_conflict_policy_is_followed_by_an_account_without_its_own(app, account, emulator):
    google = GoogleUser(emulator, account)
    anna = crm_contact(account, "Anna", "Petrova")
    run_sync(account.id, "contacts")
    assert account.settings.follows("conflict_policy")
    set_setting("SyncConflictPolicy", "google_wins")
    name = edit_both(account, google, anna, "From CRM", "From Google")
    assert run_sync(account.id, "contacts").status == RunStatus.SUCCEEDED
    assert crm_contacts(account)[0].job_title == google_title(google, name) == "From Google"
    set_setting("SyncConflictPolicy", "crm_wins")
    edit_both(account, google, anna, "CRM again", "Google again")
    assert run_sync(account.id, "contacts").status == RunStatus.SUCCEEDED
    assert crm_contacts(account)[0].job_title == google_title(google, name) == "CRM again"


def test_an_accounts_own_conflict_policy_beats_the_system_setting(app, make_account, emulator):
    account = make_account(conflict_policy="crm_wins")
    google = GoogleUser(emulator, account)
    anna = crm_contact(account, "Anna", "Petrova")
    run_sync(account.id, "contacts")
    set_setting("SyncConflictPolicy", "google_wins")
    name = edit_both(account, google, anna, "From CRM", "From Google")
    run_sync(account.id, "contacts")
    assert crm_contacts(account)[0].job_title == google_title(google, name) == "From CRM"


def test_delete_policy_if_unchanged_propagates_a_google_deletion(app, account, emulator):
    set_setting("SyncDeletePolicy", "if_unchanged")
    google = synced(account, emulator, n=2)
    google.delete(google.labelled()[0])
    assert run_sync(account.id, "contacts").status == RunStatus.SUCCEEDED
    assert Contact.query.filter(Contact.deleted_at.is_not(None)).count() == 1  # deleted, not only untagged
    assert Pair.query.count() == 1


def test_delete_policy_never_only_takes_the_record_out_of_the_sync(app, account, emulator):
    assert get_setting("SyncDeletePolicy") == "never"
    google = synced(account, emulator, n=2)
    google.delete(google.labelled()[0])
    assert run_sync(account.id, "contacts").status == RunStatus.SUCCEEDED
    assert Contact.query.filter(Contact.deleted_at.is_not(None)).count() == 0
    assert len(crm_contacts(account)) == 1


def test_sync_periods_follow_the_system_settings_until_the_account_has_its_own(app, account):
    set_setting("ContactsSyncPeriodMinutes", "30")
    set_setting("ActivitiesSyncPeriodMinutes", "45")
    assert auto_settings(account, "contacts") == (True, 30)
    assert auto_settings(account, "activities") == (True, 45)
    account.settings.contacts_period_minutes = 120
    set_setting("ContactsSyncPeriodMinutes", "10")
    assert auto_settings(account, "contacts") == (True, 120)
    account.settings.contacts_period_minutes = None  # back to following
    assert auto_settings(account, "contacts") == (True, 10)


def test_an_account_without_settings_follows_the_system_periods(app, owner):
    from wizard.extensions import db
    from wizard.models.accounts import GoogleAccount

    account = GoogleAccount(user_id=owner.id, google_sub="sub-bare", email="bare@gmail.com")
    db.session.add(account)
    db.session.commit()
    assert account.settings is None
    set_setting("ActivitiesSyncPeriodMinutes", "20")
    assert auto_settings(account, "activities") == (True, 20)
    assert auto_settings(account, "contacts") == (True, 60)
