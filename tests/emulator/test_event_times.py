"""Event times as Google reads them: a `dateTime` without an offset is a wall time in the `timeZone` beside
it; without a zone it is refused, and an unknown zone is refused. Driven by the official client."""
import json

import pytest
from googleapiclient.errors import HttpError

from .discovery import call


def body(start, end, **extra):
    return {"summary": "Call", "start": start, "end": end, **extra}


def error_of(excinfo):
    content = json.loads(excinfo.value.content)["error"]
    return excinfo.value.resp.status, content["errors"][0]["reason"], content["message"]


def test_naive_date_time_is_read_in_its_time_zone(google):
    events = google.calendar.events()
    created = call(events.insert(calendarId="primary", body=body(
        {"dateTime": "2026-03-02T10:00:00", "timeZone": "Europe/Moscow"},
        {"dateTime": "2026-03-02T11:30:00", "timeZone": "Europe/Moscow"})))
    # Google answers with the offset written out (Moscow is UTC+3).
    assert created["start"] == {"dateTime": "2026-03-02T10:00:00+03:00", "timeZone": "Europe/Moscow"}
    assert created["end"]["dateTime"] == "2026-03-02T11:30:00+03:00"
    window = call(events.list(calendarId="primary", timeMin="2026-03-02T07:00:00Z", timeMax="2026-03-02T07:01:00Z"))
    assert [e["id"] for e in window["items"]] == [created["id"]]
    earlier = call(events.list(calendarId="primary", timeMin="2026-03-02T08:30:00Z"))
    assert earlier["items"] == []


def test_naive_recurring_series_expands_in_its_zone_across_dst(google):
    events = google.calendar.events()
    series = call(events.insert(calendarId="primary", body=body(
        {"dateTime": "2026-03-02T10:00:00", "timeZone": "America/New_York"},
        {"dateTime": "2026-03-02T11:00:00", "timeZone": "America/New_York"},
        recurrence=["RRULE:FREQ=WEEKLY;COUNT=3"])))
    instances = call(events.instances(calendarId="primary", eventId=series["id"]))["items"]
    # 10:00 in New York stays 10:00 across the DST change of 8 March 2026.
    assert [i["start"]["dateTime"] for i in instances] == [
        "2026-03-02T10:00:00-05:00", "2026-03-09T10:00:00-04:00", "2026-03-16T10:00:00-04:00"]
    assert [i["id"].rsplit("_", 1)[1] for i in instances] == ["20260302T150000Z", "20260309T140000Z",
                                                              "20260316T140000Z"]


def test_patch_with_a_naive_time_keeps_the_zone_semantics(google):
    events = google.calendar.events()
    created = call(events.insert(calendarId="primary", body=body(
        {"dateTime": "2026-03-02T10:00:00+03:00"}, {"dateTime": "2026-03-02T11:00:00+03:00"})))
    patched = call(events.patch(calendarId="primary", eventId=created["id"], body={
        "start": {"dateTime": "2026-03-03T09:00:00", "timeZone": "Asia/Tokyo"},
        "end": {"dateTime": "2026-03-03T10:00:00", "timeZone": "Asia/Tokyo"}}))
    assert patched["start"] == {"dateTime": "2026-03-03T09:00:00+09:00", "timeZone": "Asia/Tokyo"}


@pytest.mark.parametrize("start, message", [
    ({"dateTime": "2026-03-02T10:00:00"}, "Missing time zone definition for start time."),
    ({"dateTime": "2026-03-02T10:00:00", "timeZone": "Mars/Olympus"}, "Invalid time zone definition for start time."),
    ({"dateTime": "2026-03-02T10:00:00+03:00", "timeZone": "Nowhere/City"},
     "Invalid time zone definition for start time."),
])
def test_times_without_a_usable_zone_are_refused(google, start, message):
    with pytest.raises(HttpError) as excinfo:
        google.calendar.events().insert(calendarId="primary", body=body(
            start, {"dateTime": "2026-03-02T11:00:00+03:00"})).execute()
    assert error_of(excinfo)[0] == 400 and error_of(excinfo)[2] == message


def test_a_recurring_series_needs_a_zone_on_both_ends(google):
    with pytest.raises(HttpError) as excinfo:
        google.calendar.events().insert(calendarId="primary", body=body(
            {"dateTime": "2026-03-02T10:00:00", "timeZone": "Europe/Moscow"}, {"dateTime": "2026-03-02T11:00:00+03:00"},
            recurrence=["RRULE:FREQ=DAILY;COUNT=2"])).execute()
    assert error_of(excinfo) == (400, "required", "Missing time zone definition for end time.")
