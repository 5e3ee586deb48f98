"""Cancelled events as Google lists them (Event.status in the Calendar reference): a single event that is
deleted, or written with `status: cancelled`, is a deleted event and a listing carries only its kind, etag, id
and status, with showDeleted and with a sync token alike; a cancelled exception of a live recurring series is a
cancelled occurrence with its recurringEventId and originalStartTime. events.get on the organizer's calendar
still returns a deleted event's details (Google keeps them so it can be restored)."""
from .discovery import call

START = {"dateTime": "2026-03-02T10:00:00+03:00", "timeZone": "Europe/Moscow"}
END = {"dateTime": "2026-03-02T11:00:00+03:00", "timeZone": "Europe/Moscow"}
BARE = {"kind", "etag", "id", "status"}


def listings(google, token):
    """The same calendar listed incrementally (from `token`) and fully with showDeleted, by event id."""
    events = google.calendar.events()
    incremental = call(events.list(calendarId="primary", syncToken=token))
    full = call(events.list(calendarId="primary", showDeleted=True))
    return ({e["id"]: e for e in incremental["items"]}, {e["id"]: e for e in full["items"]})


def first_token(google):
    return call(google.calendar.events().list(calendarId="primary"))["nextSyncToken"]


def test_a_deleted_single_event_is_listed_with_its_id_and_status_only(google):
    events = google.calendar.events()
    token = first_token(google)
    created = call(events.insert(calendarId="primary", body={"id": "gone0001", "summary": "Lunch", "start": START,
                                                             "end": END, "location": "Cafe"}))
    call(events.delete(calendarId="primary", eventId="gone0001"))
    incremental, full = listings(google, token)
    for listing in (incremental, full):
        assert set(listing["gone0001"]) == BARE and listing["gone0001"]["status"] == "cancelled"
    assert "gone0001" not in {e["id"] for e in call(events.list(calendarId="primary"))["items"]}
    kept = call(events.get(calendarId="primary", eventId="gone0001"))
    assert kept["status"] == "cancelled" and kept["summary"] == created["summary"]


def test_a_single_event_written_as_cancelled_is_a_deleted_event(google):
    events = google.calendar.events()
    token = first_token(google)
    call(events.insert(calendarId="primary", body={"id": "void0001", "summary": "Call", "start": START,
                                                   "end": END}))
    patched = call(events.patch(calendarId="primary", eventId="void0001", body={"status": "cancelled"}))
    assert patched["status"] == "cancelled"
    call(events.insert(calendarId="primary", body={"id": "void0002", "summary": "Visit", "start": START,
                                                   "end": END, "status": "cancelled"}))
    incremental, full = listings(google, token)
    for listing in (incremental, full):
        for event_id in ("void0001", "void0002"):
            assert set(listing[event_id]) == BARE, listing[event_id]


def test_a_cancelled_exception_of_a_live_series_stays_an_occurrence(google):
    events = google.calendar.events()
    call(events.insert(calendarId="primary", body={"id": "standup1", "summary": "Stand-up", "start": START,
                                                   "end": END, "recurrence": ["RRULE:FREQ=DAILY;COUNT=3"]}))
    token = first_token(google)
    call(events.delete(calendarId="primary", eventId="standup1_20260303T070000Z"))
    incremental, full = listings(google, token)
    bare = incremental["standup1_20260303T070000Z"]
    assert set(bare) == BARE | {"recurringEventId", "originalStartTime"}
    assert bare["recurringEventId"] == "standup1"
    assert bare["originalStartTime"]["dateTime"] == "2026-03-03T10:00:00+03:00"
    occurrence = full["standup1_20260303T070000Z"]
    assert occurrence["status"] == "cancelled" and occurrence["recurringEventId"] == "standup1"
    assert occurrence["summary"] == "Stand-up"  # a full listing of the organizer's calendar keeps the details
    assert full["standup1"]["status"] == "confirmed"


def test_a_deleted_series_and_its_exceptions_are_deleted_events(google):
    events = google.calendar.events()
    call(events.insert(calendarId="primary", body={"id": "series02", "summary": "Review", "start": START,
                                                   "end": END, "recurrence": ["RRULE:FREQ=WEEKLY;COUNT=3"]}))
    call(events.patch(calendarId="primary", eventId="series02_20260309T070000Z", body={"summary": "Moved"}))
    token = first_token(google)
    call(events.delete(calendarId="primary", eventId="series02"))
    incremental, full = listings(google, token)
    for listing in (incremental, full):
        assert set(listing["series02"]) == BARE
        assert set(listing["series02_20260309T070000Z"]) == BARE
