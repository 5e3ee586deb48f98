"""Recurring series: an instance we cancel from the CRM is written to Google as a cancelled exception. Read
back (Google lists it with its id, `recurringEventId` and `originalStartTime` only), it is that activity's
cancellation, not a deletion of the pair or of the series."""
from datetime import date

from wizard.crm import services
from wizard.engine import run_sync
from wizard.extensions import db
from wizard.models.crm import Activity
from wizard.models.sync import Pair, RunStatus

from .test_activities_sync import Calendar

SERIES = {"summary": "Weekly sync",
          "start": {"dateTime": "2026-03-02T10:00:00-05:00", "timeZone": "America/New_York"},
          "end": {"dateTime": "2026-03-02T11:00:00-05:00", "timeZone": "America/New_York"},
          "recurrence": ["RRULE:FREQ=WEEKLY;COUNT=4"]}


def all_activities(account):
    db.session.expire_all()
    rows = db.session.scalars(db.select(Activity).where(Activity.owner_id == account.user_id)).all()
    return sorted(rows, key=lambda a: a.start_at)


def synced(account):
    run = run_sync(account.id, "activities")
    assert run.status == RunStatus.SUCCEEDED, (run.outcome_code, run.outcome_params)
    return run


def test_an_instance_cancelled_in_the_crm_stays_a_cancelled_activity(app, make_account, emulator):
    account = make_account(activities_sync_from=date(2026, 1, 1))
    calendar = Calendar(emulator, account)
    series = calendar.insert(SERIES)
    synced(account)
    rows = all_activities(account)
    assert [a.status for a in rows] == ["planned"] * 4
    pairs_before = {p.crm_id: p.google_id for p in Pair.query.filter_by(object="activities")}
    services.update_activity(account.user_id, rows[2].id, {"status": "cancelled"})
    written = synced(account)
    assert written.counts["google"], written.counts  # the cancellation went to Google
    instances = calendar.http.get(f"{calendar.base}/{series['id']}/instances", params={"showDeleted": "true"},
                                  timeout=30).json()["items"]
    assert [i["status"] for i in instances] == ["confirmed", "confirmed", "cancelled", "confirmed"]
    # Reading our own exception back changes nothing on either side.
    for _ in range(2):
        again = synced(account)
        assert again.counts["crm"] == {} and again.counts["google"] == {}, again.counts
    rows = all_activities(account)
    assert [(a.title, a.status, a.deleted_at) for a in rows] == [
        ("Weekly sync", "planned", None), ("Weekly sync", "planned", None), ("Weekly sync", "cancelled", None),
        ("Weekly sync", "planned", None)]
    assert {p.crm_id: p.google_id for p in Pair.query.filter_by(object="activities")} == pairs_before
    master = calendar.http.get(f"{calendar.base}/{series['id']}", timeout=30).json()
    assert master["status"] == "confirmed"
    assert len(calendar.events()) == 3


def test_an_instance_restored_in_the_crm_comes_back_in_google(app, make_account, emulator):
    account = make_account(activities_sync_from=date(2026, 1, 1))
    calendar = Calendar(emulator, account)
    calendar.insert(SERIES)
    synced(account)
    target = all_activities(account)[1]
    services.update_activity(account.user_id, target.id, {"status": "cancelled"})
    synced(account)
    synced(account)
    services.update_activity(account.user_id, target.id, {"status": "planned", "title": "Weekly sync (moved)"})
    synced(account)
    assert sorted(e["summary"] for e in calendar.events()) == ["Weekly sync"] * 3 + ["Weekly sync (moved)"]
    settled = synced(account)
    assert settled.counts["crm"] == {} and settled.counts["google"] == {}, settled.counts
    assert [a.status for a in all_activities(account)] == ["planned"] * 4


def test_an_occurrence_deleted_in_google_cancels_its_activity_on_an_incremental_run(app, make_account, emulator):
    """Google's UI deletes one occurrence as a cancelled exception; the incremental listing gives it bare. The
    activity is cancelled (as on a full listing), not detached."""
    account = make_account(activities_sync_from=date(2026, 1, 1))
    calendar = Calendar(emulator, account)
    series = calendar.insert(SERIES)
    synced(account)
    instances = calendar.http.get(f"{calendar.base}/{series['id']}/instances", timeout=30).json()["items"]
    calendar.http.delete(f"{calendar.base}/{instances[3]['id']}", timeout=30).raise_for_status()
    run = synced(account)
    assert run.counts["crm"] == {"update": 1}, run.counts
    assert [a.status for a in all_activities(account)] == ["planned"] * 3 + ["cancelled"]
    settled = synced(account)
    assert settled.counts["crm"] == {} and settled.counts["google"] == {}, settled.counts
    assert Pair.query.filter_by(object="activities").count() == 4
