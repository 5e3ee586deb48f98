"""CalendarClient against the emulator over real HTTP: events, sync tokens, batch with partial failures."""
from datetime import datetime, timezone

import pytest

from wizard.google import mapping as m
from wizard.google.errors import AlreadyExists, NotFound, StaleEtag, SyncTokenExpired
from wizard.sync.ids import event_id_for
from wizard.sync.records import ACTIVITIES, make_record

from .conftest import USER


def activity(n, **fields):
    values = dict(title=f"Meeting {n}", start="2026-06-01T09:00:00Z", end="2026-06-01T10:00:00Z", all_day=False,
                  timezone="Europe/Moscow", status="confirmed", type="meeting")
    values.update(fields)
    return make_record(ACTIVITIES, **values)


def event_for(n, **fields):
    return m.record_to_event(activity(n, **fields), crm_id=str(n), installation_id="inst",
                             event_id=event_id_for("inst", n))


def test_calendar_list_has_the_primary_calendar(calendar):
    entries = calendar.list_calendars()
    assert any(e.get("primary") for e in entries)


def test_insert_is_idempotent_by_id_and_writes_never_mail_attendees(emulator, calendar):
    guests = [("guest@example.org", (None, "needsAction"))]  # Google's default answer
    body = event_for(1, participants=guests)
    inserted = calendar.insert_event("primary", body)
    assert inserted["id"] == event_id_for("inst", 1)
    with pytest.raises(AlreadyExists):
        calendar.insert_event("primary", body)  # a retried insert: 409 duplicate, paired by the engine
    got = calendar.get_event("primary", inserted["id"])
    assert m.event_to_record(got) == activity(1, participants=guests)
    record = activity(1, title="Moved", start="2026-06-02T09:00:00Z", end="2026-06-02T10:30:00Z",
                      participants=guests)
    updated = calendar.update_event("primary", got["id"], m.record_to_event(record, got), etag=got["etag"])
    assert m.event_to_record(updated) == record and updated["attendees"] == got["attendees"]
    with pytest.raises(StaleEtag):  # If-Match with the old etag: 412 conditionNotMet
        calendar.update_event("primary", got["id"], m.record_to_event(record, got), etag=got["etag"])
    patched = calendar.patch_event("primary", got["id"], {"location": "Room 5"}, etag=updated["etag"])
    assert patched["location"] == "Room 5"
    mails = emulator.control("GET", "/mail")["messages"]
    assert mails and all(entry["sendUpdates"] == "none" and entry["recipients"] == [] for entry in mails)


def test_deleting_twice_is_success_and_unknown_ids_are_not_found(calendar):
    inserted = calendar.insert_event("primary", event_for(2))
    calendar.delete_event("primary", inserted["id"], etag=inserted["etag"])
    calendar.delete_event("primary", inserted["id"])  # 410 deleted: done
    with pytest.raises(NotFound):
        calendar.delete_event("primary", "nosuchevent00")


def test_events_listing_with_time_min_then_sync_token_then_expiry(emulator, calendar):
    for n in range(5):
        calendar.insert_event("primary", event_for(n))
    calendar.insert_event("primary", event_for(99, start="2020-01-01T09:00:00Z", end="2020-01-01T10:00:00Z"))
    listing = calendar.list_events("primary", time_min=datetime(2026, 1, 1, tzinfo=timezone.utc), max_results=2)
    items = list(listing.items())
    assert len(items) == 5 and listing.pages_read >= 3 and listing.sync_token
    changed = calendar.insert_event("primary", event_for(6))
    calendar.delete_event("primary", items[0]["id"])
    # time_min must not travel with a sync token (Google answers 400): it is dropped
    incremental = calendar.list_events("primary", sync_token=listing.sync_token, time_min="2026-01-01T00:00:00Z")
    seen = {e["id"]: e for e in incremental.items()}
    assert set(seen) == {changed["id"], items[0]["id"]}
    assert m.event_change(seen[items[0]["id"]]) is not None and seen[items[0]["id"]]["status"] == "cancelled"
    emulator.control("POST", "/sync-tokens/expire", json={"email": USER, "api": "calendar"})
    with pytest.raises(SyncTokenExpired) as caught:
        list(calendar.list_events("primary", sync_token=incremental.sync_token))
    assert caught.value.status == 410 and caught.value.reason == "fullSyncRequired"


def test_batch_answers_each_inner_call_in_order_with_partial_failures(emulator, calendar):
    existing = calendar.insert_event("primary", event_for(10))
    deleted = calendar.insert_event("primary", event_for(11))
    calendar.delete_event("primary", deleted["id"])
    stale = dict(existing)
    calendar.patch_event("primary", existing["id"], {"description": "changed meanwhile"})
    requests = [
        calendar.insert_request("primary", event_for(12)),
        calendar.insert_request("primary", event_for(10)),  # duplicate id
        calendar.update_request("primary", existing["id"], m.record_to_event(activity(10, title="x"), stale),
                                etag=stale["etag"]),  # stale etag
        calendar.delete_request("primary", deleted["id"]),  # already deleted: success
        calendar.delete_request("primary", "nosuchevent00"),
        calendar.get_request("primary", existing["id"]),
    ]
    results = calendar.batch(requests)
    assert results[0]["id"] == event_id_for("inst", 12)
    assert isinstance(results[1], AlreadyExists)
    assert isinstance(results[2], StaleEtag)
    assert results[3] is None
    assert isinstance(results[4], NotFound)
    assert results[5]["description"] == "changed meanwhile"
    assert calendar.calls == 4 + 1  # four single calls above, then one batch


def test_a_large_batch_is_split_at_1000_inner_calls(emulator, calendar):
    emulator.control("POST", "/quota", json={"api": "calendar", "per_user_per_minute": 0})  # chunking only
    results = calendar.batch([calendar.insert_request("primary", event_for(n)) for n in range(1200)])
    assert calendar.calls == 2
    assert [r["id"] for r in results] == [event_id_for("inst", n) for n in range(1200)]
    assert calendar.transport.units == 1200
    assert len(list(calendar.list_events("primary").items())) == 1200
