"""A cancelled single activity as Google means it: its event is deleted (Google's `status: cancelled`), the
pair is kept, so the slot frees, the activity stays in the sync and nothing comes back; the run counts it as
a cancellation. Google then lists the event as a deleted one: id and status only (docs/field-mapping.md)."""
import json
from datetime import date, datetime, timezone

import pytest

from wizard.crm import services
from wizard.engine import run_sync
from wizard.models.sync import Pair, RunStatus

from tests.engine.test_activities_sync import Calendar, activities, activity


@pytest.fixture
def bare_deletions(emulator):
    """Listings answer a cancelled single event as Google does: id and status only."""
    def strip(route, response):
        if route.key != "GET /calendar/v3/calendars/{calendarId}/events" or response.status_code != 200:
            return
        body = json.loads(response.get_data())
        body["items"] = [{k: e[k] for k in ("kind", "etag", "id", "status") if k in e}
                         if e.get("status") == "cancelled" and not e.get("recurringEventId") else e
                         for e in body.get("items") or []]
        response.set_data(json.dumps(body))

    emulator.app.observers.append(strip)
    yield
    emulator.app.observers.remove(strip)


def test_a_cancelled_activity_deletes_its_event_and_keeps_the_pair(app, make_account, emulator, bare_deletions):
    account = make_account(activities_sync_from=date(2026, 1, 1))
    calendar = Calendar(emulator, account)
    meeting = activity(account, "Board meeting", datetime(2026, 3, 10, 7, 0, tzinfo=timezone.utc))
    meeting_id = meeting.id
    assert run_sync(account.id, "activities").status == RunStatus.SUCCEEDED
    assert [e["summary"] for e in calendar.events()] == ["Board meeting"]

    services.update_activity(account.user_id, meeting_id, {"status": "cancelled"})
    run = run_sync(account.id, "activities")
    assert run.status == RunStatus.SUCCEEDED, (run.outcome_code, run.outcome_params)
    assert run.counts["google"] == {"cancel": 1}  # what the health page shows in its "cancelled" column
    assert calendar.events() == []  # the slot is free

    listed = run_sync(account.id, "activities")  # Google lists the deletion: id and status only
    assert listed.status == RunStatus.SUCCEEDED
    assert listed.counts["crm"] == {} and listed.counts["google"] == {}
    [kept] = activities(account)
    assert kept.status == "cancelled" and kept.show_in_calendar and Pair.query.count() == 1

    services.update_activity(account.user_id, meeting_id, {"status": "planned"})
    back = run_sync(account.id, "activities")
    assert back.status == RunStatus.SUCCEEDED, (back.outcome_code, back.outcome_params)
    assert [e["summary"] for e in calendar.events()] == ["Board meeting"]
    again = run_sync(account.id, "activities")
    assert again.counts["google"] == {} and again.counts["crm"] == {}
