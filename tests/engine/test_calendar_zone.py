"""A Google event without `timeZone` is in its calendar's zone (docs/field-mapping.md), whatever the CRM
user's zone is."""
from datetime import date

import requests

from wizard.engine import run_sync
from wizard.models.sync import RunStatus

from tests.engine.test_activities_sync import activities

CALENDAR = "team@group.calendar.google.com"


def test_an_event_without_time_zone_takes_the_calendars_zone(app, make_account, emulator):
    account = make_account(activities_sync_from=date(2026, 1, 1), target_calendar_id=CALENDAR)
    emulator.control("POST", "/calendars", json={"email": account.email, "id": CALENDAR, "summary": "Team",
                                                 "time_zone": "Asia/Tokyo"})
    http = requests.Session()
    http.headers["Authorization"] = f"Bearer {account.access_token}"
    url = f"{emulator.url}/calendar/v3/calendars/{CALENDAR}/events"
    response = http.post(url, json={"summary": "Stand-up", "start": {"dateTime": "2026-03-10T10:00:00+09:00"},
                                    "end": {"dateTime": "2026-03-10T10:30:00+09:00"}}, timeout=30)
    assert response.status_code == 200, response.text
    assert "timeZone" not in response.json()["start"]
    run = run_sync(account.id, "activities")
    assert run.status == RunStatus.SUCCEEDED, (run.outcome_code, run.outcome_params)
    [meeting] = activities(account)
    assert meeting.timezone == "Asia/Tokyo"
    assert meeting.title == "Stand-up"
    again = run_sync(account.id, "activities")
    assert again.counts["google"] == {} and again.counts["crm"] == {}
