"""CalendarClient and the mapping on cancelled instances of a recurring series, against the emulator: a
cancelled exception of a live series is a cancelled activity, never a deletion; once the series is deleted,
its instances are deleted too."""
from wizard.google import mapping as m
from wizard.sync.changes import DELETED, Seen

SERIES = {"summary": "Stand-up", "start": {"dateTime": "2026-06-01T09:00:00+03:00", "timeZone": "Europe/Moscow"},
          "end": {"dateTime": "2026-06-01T09:15:00+03:00", "timeZone": "Europe/Moscow"},
          "recurrence": ["RRULE:FREQ=DAILY;COUNT=3"]}


def cancel_second_instance(calendar):
    series = calendar.insert_event("primary", SERIES)
    first = calendar.list_events("primary")
    instances = sorted((e for e in first.items() if e.get("recurringEventId")), key=lambda e: e["id"])
    second = dict(instances[1], status="cancelled")
    calendar.update_event("primary", second["id"], second, etag=second["etag"])
    return series, second["id"], first.sync_token


def test_a_cancelled_exception_of_a_live_series_is_listed_with_its_content(emulator, calendar):
    series, instance_id, token = cancel_second_instance(calendar)
    calls = calendar.calls
    listed = {e["id"]: e for e in calendar.list_events("primary", sync_token=token).items()}
    assert calendar.calls - calls == 2  # the page, then one batch for the instance and its series
    event = listed[instance_id]
    assert event["status"] == "cancelled" and event["summary"] == "Stand-up"
    change = m.event_change(event)
    assert isinstance(change, Seen) and change.record["status"] == "cancelled"
    assert change.record["start"] == "2026-06-02T06:00:00Z"
    # What the listing itself carries is the bare form: with it alone, the instance would read as deleted.
    bare = {k: event[k] for k in ("kind", "etag", "id", "status", "recurringEventId", "originalStartTime")}
    assert m.is_bare_cancelled_exception(bare) and m.event_change(bare) is DELETED


def test_instances_of_a_deleted_series_stay_deleted(emulator, calendar):
    series, instance_id, token = cancel_second_instance(calendar)
    calendar.delete_event("primary", series["id"])
    listed = {e["id"]: e for e in calendar.list_events("primary", sync_token=token).items()}
    assert m.event_change(listed[instance_id]) is DELETED
    assert m.event_change(listed[series["id"]]) is DELETED


def test_listings_without_cancelled_exceptions_cost_no_extra_call(emulator, calendar):
    calendar.insert_event("primary", SERIES)
    calls = calendar.calls
    assert len(list(calendar.list_events("primary").items())) == 3
    assert calendar.calls - calls == 1
