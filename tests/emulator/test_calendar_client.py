"""Calendar API v3 driven by the official client, batches through BatchHttpRequest included; every
response is validated against the discovery document's schema."""
import json

import pytest
from googleapiclient.errors import HttpError

from .discovery import call, validate

START = {"dateTime": "2026-03-02T10:00:00+03:00", "timeZone": "Europe/Moscow"}
END = {"dateTime": "2026-03-02T11:00:00+03:00", "timeZone": "Europe/Moscow"}


def event(**extra):
    return {"summary": "Call", "start": START, "end": END, **extra}


def error_of(excinfo):
    body = json.loads(excinfo.value.content)["error"]
    return excinfo.value.resp.status, body["errors"][0]["reason"]


def test_calendar_list_and_get(google):
    listing = call(google.calendar.calendarList().list())
    assert [c["id"] for c in listing["items"]] == ["ann@example.com"]
    assert listing["items"][0]["primary"] is True
    assert call(google.calendar.calendarList().get(calendarId="ann@example.com"))["accessRole"] == "owner"


def test_insert_get_update_patch_delete(google, emulator):
    events = google.calendar.events()
    created = call(events.insert(calendarId="primary", body=event(
        id="crm00001", extendedProperties={"private": {"crm_id": "1", "k" * 45: "dropped"}},
        attendees=[{"email": "guest@example.org"}]), sendUpdates="none"))
    assert created["id"] == "crm00001" and created["extendedProperties"] == {"private": {"crm_id": "1"}}
    assert call(events.get(calendarId="primary", eventId="crm00001"))["etag"] == created["etag"]
    with pytest.raises(HttpError) as excinfo:
        events.insert(calendarId="primary", body=event(id="crm00001")).execute()
    assert error_of(excinfo) == (409, "duplicate")
    updated = call(events.update(calendarId="primary", eventId="crm00001", body=event(summary="Renamed")))
    assert updated["summary"] == "Renamed" and updated["etag"] != created["etag"]
    patched = call(events.patch(calendarId="primary", eventId="crm00001", body={"location": "Office"}))
    assert patched["summary"] == "Renamed" and patched["location"] == "Office"
    stale = events.patch(calendarId="primary", eventId="crm00001", body={"summary": "Late"})
    stale.headers["If-Match"] = created["etag"]
    with pytest.raises(HttpError) as excinfo:
        stale.execute()
    assert error_of(excinfo) == (412, "conditionNotMet")
    call(events.delete(calendarId="primary", eventId="crm00001", sendUpdates="none"))
    with pytest.raises(HttpError) as excinfo:
        events.delete(calendarId="primary", eventId="crm00001").execute()
    assert error_of(excinfo) == (410, "deleted")
    assert call(events.get(calendarId="primary", eventId="crm00001"))["status"] == "cancelled"
    assert all(not m["recipients"] for m in emulator.control("GET", "/mail")["messages"])


def test_invalid_ids_refused(google):
    for bad in ("abc", "UPPERCASE1", "has-dash1", "w" * 6):
        with pytest.raises(HttpError) as excinfo:
            google.calendar.events().insert(calendarId="primary", body=event(id=bad)).execute()
        assert error_of(excinfo) == (400, "invalid"), bad


def test_sync_tokens_and_cancelled_events(google, emulator):
    events = google.calendar.events()
    for index in range(5):
        call(events.insert(calendarId="primary", body=event(id=f"ev{index:04d}")))
    items, token = [], None
    while True:
        page = call(events.list(calendarId="primary", maxResults=2, pageToken=token))
        items += page["items"]
        token = page.get("nextPageToken")
        if not token:
            sync = page["nextSyncToken"]
            break
    assert len(items) == 5
    call(events.delete(calendarId="primary", eventId="ev0002"))
    call(events.patch(calendarId="primary", eventId="ev0003", body={"summary": "Moved"}))
    delta = call(events.list(calendarId="primary", syncToken=sync))
    assert {(e["id"], e["status"]) for e in delta["items"]} == {("ev0002", "cancelled"), ("ev0003", "confirmed")}
    with pytest.raises(HttpError) as excinfo:
        events.list(calendarId="primary", syncToken=sync, timeMin="2026-01-01T00:00:00Z").execute()
    assert excinfo.value.resp.status == 400
    emulator.control("POST", "/sync-tokens/expire", json={"email": "ann@example.com"})
    with pytest.raises(HttpError) as excinfo:
        events.list(calendarId="primary", syncToken=delta["nextSyncToken"]).execute()
    assert error_of(excinfo) == (410, "fullSyncRequired")


def test_time_window_and_recurrence(google):
    events = google.calendar.events()
    call(events.insert(calendarId="primary", body=event(id="single01")))
    call(events.insert(calendarId="primary", body={
        "id": "series01", "summary": "Weekly", "start": START, "end": END,
        "recurrence": ["RRULE:FREQ=WEEKLY;COUNT=4"]}))
    call(events.insert(calendarId="primary", body={
        "id": "fulldate1", "summary": "Holiday", "start": {"date": "2026-03-09"}, "end": {"date": "2026-03-10"}}))
    window = call(events.list(calendarId="primary", timeMin="2026-03-05T00:00:00Z",
                              timeMax="2026-03-20T00:00:00Z", singleEvents=True, orderBy="startTime"))
    ids = [e["id"] for e in window["items"]]
    assert ids == ["series01_20260309T070000Z", "fulldate1", "series01_20260316T070000Z"] or \
        ids == ["fulldate1", "series01_20260309T070000Z", "series01_20260316T070000Z"]
    instance = next(e for e in window["items"] if e["id"].startswith("series01_"))
    assert instance["recurringEventId"] == "series01"
    assert instance["originalStartTime"]["dateTime"].startswith("2026-03-09T10:00:00+03:00")
    series = call(events.list(calendarId="primary", timeMin="2026-03-05T00:00:00Z"))
    assert {e["id"] for e in series["items"]} == {"series01", "fulldate1"}
    instances = call(events.instances(calendarId="primary", eventId="series01"))
    assert len(instances["items"]) == 4
    with pytest.raises(HttpError) as excinfo:
        events.list(calendarId="primary", orderBy="startTime").execute()
    assert excinfo.value.resp.status == 400
    with pytest.raises(HttpError) as excinfo:
        events.list(calendarId="primary", timeMin="2026-03-05T00:00:00Z", timeMax="2026-03-01T00:00:00Z").execute()
    assert error_of(excinfo) == (400, "timeRangeEmpty")


def test_batch_through_batch_http_request(google, emulator):
    results = []

    def collect(request_id, response, exception):
        results.append((request_id, response, exception))

    batch = google.calendar_batch(collect)
    for index in range(3):
        batch.add(google.calendar.events().insert(calendarId="primary", body=event(id=f"batch{index:03d}")),
                  request_id=str(index))
    batch.add(google.calendar.events().insert(calendarId="primary", body=event(id="batch000")), request_id="dup")
    batch.execute()
    assert [r[0] for r in results] == ["0", "1", "2", "dup"]
    for request_id, response, exception in results[:3]:
        assert exception is None
        validate("calendar.events.insert", response)
        assert response["id"] == f"batch{int(request_id):03d}"
    assert results[3][2] is not None and results[3][2].resp.status == 409
    stats = emulator.stats()
    assert stats["by_endpoint"]["POST /calendar/v3/calendars/{calendarId}/events"] == 4
    assert stats["by_endpoint"]["POST /batch/calendar/v3"] == 1


def test_changes_while_paging_skip_nothing(google):
    events = google.calendar.events()
    for index in range(6):
        call(events.insert(calendarId="primary", body=event(id=f"page{index:04d}")))
    first = call(events.list(calendarId="primary", maxResults=2))
    # While the client pages: one seen event is deleted, one unseen is changed, a new one appears.
    call(events.delete(calendarId="primary", eventId="page0000"))
    call(events.patch(calendarId="primary", eventId="page0004", body={"summary": "Changed"}))
    call(events.insert(calendarId="primary", body=event(id="page0099")))
    seen, token = [e["id"] for e in first["items"]], first["nextPageToken"]
    while token:
        page = call(events.list(calendarId="primary", maxResults=2, pageToken=token))
        seen += [e["id"] for e in page["items"]]
        token = page.get("nextPageToken")
        sync = page.get("nextSyncToken")
    assert seen == [f"page{i:04d}" for i in range(6)]
    delta = call(events.list(calendarId="primary", syncToken=sync))
    assert {e["id"] for e in delta["items"]} == {"page0000", "page0004", "page0099"}


def test_calendars_get(google):
    calendar = call(google.calendar.calendars().get(calendarId="primary"))
    assert calendar["id"] == "ann@example.com" and calendar["timeZone"] == "UTC"


def test_recurring_exceptions(google):
    events = google.calendar.events()
    call(events.insert(calendarId="primary", body={
        "id": "repeat01", "summary": "Daily", "start": START, "end": END,
        "recurrence": ["RRULE:FREQ=DAILY;UNTIL=20260306", "EXDATE;TZID=Europe/Moscow:20260303T100000"]}))
    ids = [i["id"] for i in call(events.instances(calendarId="primary", eventId="repeat01"))["items"]]
    assert ids == ["repeat01_20260302T070000Z", "repeat01_20260304T070000Z", "repeat01_20260305T070000Z",
                   "repeat01_20260306T070000Z"]
    call(events.delete(calendarId="primary", eventId="repeat01_20260304T070000Z"))
    moved = call(events.patch(calendarId="primary", eventId="repeat01_20260305T070000Z", body={"summary": "Moved"}))
    assert moved["recurringEventId"] == "repeat01"
    listing = call(events.list(calendarId="primary", singleEvents=True, orderBy="startTime",
                               timeMin="2026-03-01T00:00:00Z", timeMax="2026-03-10T00:00:00Z"))
    assert [(e["id"][-9:], e["summary"]) for e in listing["items"]] == [
        ("2T070000Z", "Daily"), ("5T070000Z", "Moved"),
        ("6T070000Z", "Daily")]
    with_deleted = call(events.list(calendarId="primary", singleEvents=True, showDeleted=True,
                                    timeMin="2026-03-01T00:00:00Z", timeMax="2026-03-10T00:00:00Z"))
    assert {e["id"]: e["status"] for e in with_deleted["items"]}["repeat01_20260304T070000Z"] == "cancelled"


def test_list_filters(google, emulator):
    events = google.calendar.events()
    call(events.insert(calendarId="primary", body=event(id="filt0001", summary="Meeting with Ivan",
                                                         extendedProperties={"private": {"crm_id": "1"}})))
    call(events.insert(calendarId="primary", body=event(id="filt0002", summary="Lunch",
                                                         extendedProperties={"shared": {"crm_id": "2"}})))
    by_private = call(events.list(calendarId="primary", privateExtendedProperty="crm_id=1"))
    assert [e["id"] for e in by_private["items"]] == ["filt0001"]
    by_shared = call(events.list(calendarId="primary", sharedExtendedProperty="crm_id=2"))
    assert [e["id"] for e in by_shared["items"]] == ["filt0002"]
    assert [e["id"] for e in call(events.list(calendarId="primary", q="ivan"))["items"]] == ["filt0001"]
    assert [e["id"] for e in call(events.list(calendarId="primary", iCalUID="filt0002@google.com"))["items"]] == \
        ["filt0002"]
    emulator.control("POST", "/clock", json={"advance_seconds": 60})
    call(events.patch(calendarId="primary", eventId="filt0002", body={"summary": "Late lunch"}))
    changed_at = call(events.get(calendarId="primary", eventId="filt0002"))["updated"]
    recent = call(events.list(calendarId="primary", updatedMin=changed_at))
    assert [e["id"] for e in recent["items"]] == ["filt0002"]


def test_attendees_as_google_keeps_them(google, emulator):
    events = google.calendar.events()
    created = call(events.insert(calendarId="primary", body=event(attendees=[
        {"email": "ann@example.com", "self": False, "organizer": False},
        {"email": "guest@example.org", "displayName": "Guest", "comment": "late", "optional": True,
         "responseStatus": "tentative", "organizer": True}]), sendUpdates="all"))
    own, guest = created["attendees"]
    assert own["self"] is True and own["organizer"] is True and own["responseStatus"] == "needsAction"
    assert guest == {"email": "guest@example.org", "displayName": "Guest", "comment": "late", "optional": True,
                     "responseStatus": "tentative"}  # organizer is read-only: what the client sent is ignored
    [message] = emulator.control("GET", "/mail")["messages"]
    assert message["sendUpdates"] == "all" and message["recipients"] == ["guest@example.org"]
    # externalOnly: guests outside the calendar owner's domain only.
    call(events.insert(calendarId="primary", body=event(attendees=[
        {"email": "bob@example.com"}, {"email": "guest@example.org"}]), sendUpdates="externalOnly"))
    assert emulator.control("GET", "/mail")["messages"][-1]["recipients"] == ["guest@example.org"]
    for attendee, reason in (({"displayName": "No address"}, "required"), ({"email": "not an address"}, "invalid"),
                             ({"email": "a@example.com", "responseStatus": "maybe"}, "invalid")):
        with pytest.raises(HttpError) as excinfo:
            events.insert(calendarId="primary", body=event(attendees=[attendee])).execute()
        assert error_of(excinfo) == (400, reason)
