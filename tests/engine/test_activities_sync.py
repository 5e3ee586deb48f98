"""Activities ⇄ Google Calendar end to end, on the same engine as contacts."""
from datetime import date, datetime, timedelta, timezone

import requests

from wizard.crm import services
from wizard.engine import run_sync
from wizard.extensions import db
from wizard.models.crm import Activity
from wizard.models.sync import Pair, RunStatus
from wizard.sync import event_id_for


class Calendar:
    def __init__(self, emulator, account):
        self.emulator = emulator
        self.http = requests.Session()
        self.http.headers["Authorization"] = f"Bearer {account.access_token}"
        self.base = emulator.url + "/calendar/v3/calendars/primary/events"

    def events(self, **params):
        out, token = [], None
        while True:
            query = dict(params, singleEvents="true", maxResults=2500)
            if token:
                query["pageToken"] = token
            body = self.http.get(self.base, params=query, timeout=30).json()
            out += body.get("items") or []
            token = body.get("nextPageToken")
            if not token:
                return [e for e in out if e.get("status") != "cancelled"]

    def insert(self, body):
        response = self.http.post(self.base, json=body, timeout=30)
        assert response.status_code == 200, response.text
        return response.json()

    def patch(self, event_id, body):
        response = self.http.patch(f"{self.base}/{event_id}", json=body, timeout=30)
        response.raise_for_status()
        return response.json()


def activity(account, title, start, hours=1, zone="Europe/Moscow", **extra):
    return services.create_activity(account.user_id, {
        "title": title, "type": "meeting", "start_at": start, "end_at": start + timedelta(hours=hours),
        "timezone": zone, **extra})


def activities(account):
    db.session.expire_all()
    return db.session.scalars(db.select(Activity).where(Activity.owner_id == account.user_id,
                                                        Activity.deleted_at.is_(None))).all()


def test_activities_both_ways_with_deterministic_ids_and_no_mail(app, make_account, emulator):
    account = make_account(activities_sync_from=date(2026, 1, 1))
    calendar = Calendar(emulator, account)
    start = datetime(2026, 3, 10, 7, 0, tzinfo=timezone.utc)
    meeting = activity(account, "Board meeting", start)
    services.create_activity(account.user_id, {"title": "Conference", "all_day": True,
                                               "start_date": date(2026, 4, 1), "end_date": date(2026, 4, 3)})
    activity(account, "Too old", datetime(2025, 6, 1, 9, 0, tzinfo=timezone.utc))
    activity(account, "Private", start, show_in_calendar=False)
    run = run_sync(account.id, "activities")
    assert run.status == RunStatus.SUCCEEDED, (run.outcome_code, run.outcome_params)
    events = {e["summary"]: e for e in calendar.events()}
    assert set(events) == {"Board meeting", "Conference"}
    assert events["Board meeting"]["id"] == event_id_for("engine-tests", str(meeting.id))
    assert events["Conference"]["start"] == {"date": "2026-04-01"} and events["Conference"]["end"] == {"date": "2026-04-04"}
    # Google side: a new all-day event and an edit of the meeting's place.
    calendar.insert({"summary": "Dentist", "start": {"date": "2026-05-05"}, "end": {"date": "2026-05-06"}})
    calendar.patch(events["Board meeting"]["id"], {"location": "Room 4"})
    run = run_sync(account.id, "activities")
    assert run.status == RunStatus.SUCCEEDED, (run.outcome_code, run.outcome_params)
    by_title = {a.title: a for a in activities(account)}
    assert by_title["Board meeting"].location == "Room 4"
    assert by_title["Dentist"].all_day and by_title["Dentist"].start_date == by_title["Dentist"].end_date == date(2026, 5, 5)
    assert by_title["Dentist"].type == "meeting"
    assert Pair.query.filter_by(object="activities").count() in (3, 4)
    settled = run_sync(account.id, "activities")
    assert settled.counts["google"] == {} and settled.counts["crm"] == {}
    again = run_sync(account.id, "activities")
    assert again.counts["google"] == {} and again.counts["crm"] == {}
    assert all(m["sendUpdates"] in (None, "none") for m in emulator.control("GET", "/mail")["messages"])


def test_sync_token_410_reconciles_without_duplicates(app, make_account, emulator):
    account = make_account(activities_sync_from=date(2026, 1, 1))
    calendar = Calendar(emulator, account)
    for day in range(5):
        activity(account, f"Call {day}", datetime(2026, 2, 1 + day, 10, tzinfo=timezone.utc))
    run_sync(account.id, "activities")
    emulator.control("POST", "/sync-tokens/expire", json={"email": account.email, "api": "calendar"})
    run = run_sync(account.id, "activities")
    assert run.status == RunStatus.SUCCEEDED and run.full_listing
    assert run.counts["google"] == {} and run.counts["crm"] == {}
    assert len(calendar.events()) == 5 and len(activities(account)) == 5


def test_a_retried_insert_is_paired_not_duplicated(app, make_account, emulator, monkeypatch):
    import pytest

    from wizard.engine.checkpoints import CRASH_ENV, SimulatedCrash

    account = make_account(activities_sync_from=date(2026, 1, 1))
    calendar = Calendar(emulator, account)
    run_sync(account.id, "activities")  # cursor taken: the next run is incremental
    for day in range(4):
        activity(account, f"Visit {day}", datetime(2026, 2, 10 + day, 10, tzinfo=timezone.utc))
    monkeypatch.setenv(CRASH_ENV, "after_google_answer:1")
    with pytest.raises(SimulatedCrash):
        run_sync(account.id, "activities")
    db.session.rollback()
    monkeypatch.delenv(CRASH_ENV)
    run = run_sync(account.id, "activities")
    assert run.status == RunStatus.SUCCEEDED, (run.outcome_code, run.outcome_params)
    assert sorted(e["summary"] for e in calendar.events()) == [f"Visit {d}" for d in range(4)]
    assert Pair.query.filter_by(object="activities").count() in (3, 4)
    settled = run_sync(account.id, "activities")
    assert settled.counts["google"] == {} and settled.counts["crm"] == {}
    assert len(activities(account)) == 4


def test_weekly_series_with_a_moved_and_a_cancelled_instance(app, make_account, emulator):
    account = make_account(activities_sync_from=date(2026, 1, 1))
    calendar = Calendar(emulator, account)
    series = calendar.insert({
        "summary": "Weekly sync", "start": {"dateTime": "2026-03-02T10:00:00-05:00", "timeZone": "America/New_York"},
        "end": {"dateTime": "2026-03-02T11:00:00-05:00", "timeZone": "America/New_York"},
        "recurrence": ["RRULE:FREQ=WEEKLY;COUNT=4"]})
    instances = calendar.http.get(f"{calendar.base}/{series['id']}/instances", timeout=30).json()["items"]
    assert len(instances) == 4
    calendar.patch(instances[1]["id"], {"start": {"dateTime": "2026-03-10T15:00:00-04:00", "timeZone": "America/New_York"},
                                        "end": {"dateTime": "2026-03-10T16:00:00-04:00", "timeZone": "America/New_York"}})
    calendar.http.delete(f"{calendar.base}/{instances[2]['id']}", timeout=30).raise_for_status()
    for _ in range(2):
        run = run_sync(account.id, "activities")
        assert run.status == RunStatus.SUCCEEDED, (run.outcome_code, run.outcome_params)
    everything = sorted(activities(account), key=lambda a: a.start_at)
    # The cancelled instance cancels just its own activity.
    assert [a.status for a in everything] == ["planned", "planned", "cancelled", "planned"]
    rows = [a for a in everything if a.status != "cancelled"]
    assert [a.title for a in rows] == ["Weekly sync"] * 3
    # 10:00 New York is 15:00 UTC before the DST change (8 March 2026) and 14:00 UTC after it.
    assert [a.start_at.strftime("%m-%d %H:%M") for a in rows] == ["03-02 15:00", "03-10 19:00", "03-23 14:00"]
    assert all(a.timezone == "America/New_York" for a in rows)
    assert Pair.query.filter_by(object="activities").count() in (3, 4)
    settled = run_sync(account.id, "activities")
    assert settled.counts["google"] == {} and settled.counts["crm"] == {}
