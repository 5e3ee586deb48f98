"""Time tests: all-day items never move a day, timed items never move a minute, across zones and DST."""
from datetime import date, datetime

import pytest

from wizard.sync import ACTIVITIES, Policy, Seen, UpdateGoogle, make_record, plan
from wizard.sync.errors import SyncCoreError
from wizard.sync.pairs import synced_pair
from wizard.sync.times import (
    all_day_from_inclusive,
    all_day_from_midnights,
    all_day_to_inclusive,
    ends_on_or_after,
    instant_from_local,
    local_time,
    when_fields,
    when_from_google,
    when_to_google,
)

ALL_DAY_ZONES = ["Pacific/Honolulu", "Etc/GMT+10", "Europe/Moscow", "Pacific/Kiritimati"]  # UTC-10, +3, +14


@pytest.mark.parametrize("zone_name", ALL_DAY_ZONES)
def test_all_day_from_google_stays_on_its_dates_in_every_zone(zone_name):
    fields = when_from_google({"date": "2026-03-10"}, {"date": "2026-03-11"}, calendar_zone=zone_name)
    assert fields == {"start": "2026-03-10", "end": "2026-03-11", "all_day": True, "timezone": None}
    assert when_to_google(fields["start"], fields["end"], True, zone_name) == (
        {"date": "2026-03-10"}, {"date": "2026-03-11"})
    assert all_day_to_inclusive(fields["start"], fields["end"]) == (date(2026, 3, 10), date(2026, 3, 10))


@pytest.mark.parametrize("zone_name", ALL_DAY_ZONES)
def test_all_day_from_crm_uses_googles_exclusive_end(zone_name):
    # a three-day CRM item (inclusive last day), e.g. a conference, entered by a user in `zone_name`
    fields = when_fields(start=date(2026, 12, 30), end=date(2027, 1, 1), all_day=True, zone_name=zone_name)
    assert (fields["start"], fields["end"]) == ("2026-12-30", "2027-01-02")
    assert when_to_google(fields["start"], fields["end"], True, None) == ({"date": "2026-12-30"},
                                                                         {"date": "2027-01-02"})


@pytest.mark.parametrize("zone_name", ALL_DAY_ZONES + ["America/New_York", "Australia/Lord_Howe"])
def test_all_day_stored_as_local_midnights_read_in_their_own_zone(zone_name):
    start = instant_from_local(datetime(2026, 3, 10), zone_name)
    end = instant_from_local(datetime(2026, 3, 11), zone_name)
    assert all_day_from_midnights(start, end, zone_name) == ("2026-03-10", "2026-03-11")


def test_google_all_day_without_end_lasts_one_day():
    assert when_from_google({"date": "2026-02-28"}, None)["end"] == "2026-03-01"


def test_inclusive_span_rejects_an_end_before_the_start():
    with pytest.raises(SyncCoreError) as err:
        all_day_from_inclusive("2026-03-10", "2026-03-09")
    assert err.value.message.code == "sync.issue.invalid_time"


def test_meeting_across_new_york_spring_forward_keeps_its_wall_times_and_length():
    start = {"dateTime": "2026-03-08T01:30:00-05:00", "timeZone": "America/New_York"}
    end = {"dateTime": "2026-03-08T03:30:00-04:00", "timeZone": "America/New_York"}
    fields = when_from_google(start, end)
    assert fields == {"start": "2026-03-08T06:30:00Z", "end": "2026-03-08T07:30:00Z", "all_day": False,
                      "timezone": "America/New_York"}  # one real hour
    assert when_to_google(fields["start"], fields["end"], False, fields["timezone"]) == (start, end)
    # typed in the CRM as wall times in that zone: the same instants
    crm = when_fields(start=datetime(2026, 3, 8, 1, 30), end=datetime(2026, 3, 8, 3, 30), all_day=False,
                      zone_name="America/New_York")
    assert crm == fields


def test_weekly_meeting_keeps_nine_oclock_on_both_sides_of_the_dst_change():
    before = instant_from_local(datetime(2026, 3, 1, 9, 0), "America/New_York")
    after = instant_from_local(datetime(2026, 3, 8, 9, 0), "America/New_York")
    assert (before, after) == ("2026-03-01T14:00:00Z", "2026-03-08T13:00:00Z")
    assert local_time(after, "America/New_York").strftime("%H:%M %z") == "09:00 -0400"


def test_skipped_and_repeated_wall_times():
    # 02:30 does not exist on 2026-03-08 in New York: moved forward by the gap, like Google Calendar
    assert instant_from_local(datetime(2026, 3, 8, 2, 30), "America/New_York") == "2026-03-08T07:30:00Z"
    # 01:30 happens twice on 2026-11-01: first occurrence by default, second with fold=1
    assert instant_from_local(datetime(2026, 11, 1, 1, 30), "America/New_York") == "2026-11-01T05:30:00Z"
    assert instant_from_local(datetime(2026, 11, 1, 1, 30), "America/New_York", fold=1) == "2026-11-01T06:30:00Z"


def test_lord_howe_half_hour_shift():
    # DST ends 2026-04-05 02:00 (+11:00) -> 01:30 (+10:30): a 23:00-03:00 evening lasts 4 h 30 min
    start = instant_from_local(datetime(2026, 4, 4, 23, 0), "Australia/Lord_Howe")
    end = instant_from_local(datetime(2026, 4, 5, 3, 0), "Australia/Lord_Howe")
    assert (start, end) == ("2026-04-04T12:00:00Z", "2026-04-04T16:30:00Z")
    g_start, g_end = when_to_google(start, end, False, "Australia/Lord_Howe")
    assert g_start == {"dateTime": "2026-04-04T23:00:00+11:00", "timeZone": "Australia/Lord_Howe"}
    assert g_end == {"dateTime": "2026-04-05T03:00:00+10:30", "timeZone": "Australia/Lord_Howe"}
    assert when_from_google(g_start, g_end)["end"] == end
    # DST starts 2026-10-04 02:00 (+10:30) -> 02:30 (+11:00): 02:15 does not exist, becomes 02:45
    skipped = instant_from_local(datetime(2026, 10, 4, 2, 15), "Australia/Lord_Howe")
    assert local_time(skipped, "Australia/Lord_Howe").strftime("%H:%M %z") == "02:45 +1100"


def test_google_date_time_without_offset_is_read_in_its_zone():
    fields = when_from_google({"dateTime": "2026-07-01T10:00:00", "timeZone": "Europe/Moscow"},
                              {"dateTime": "2026-07-01T11:00:00", "timeZone": "Europe/Moscow"})
    assert (fields["start"], fields["end"]) == ("2026-07-01T07:00:00Z", "2026-07-01T08:00:00Z")


def test_utc_date_time_with_z_and_no_zone():
    fields = when_from_google({"dateTime": "2026-07-01T10:00:00Z"}, {"dateTime": "2026-07-01T10:30:00Z"})
    assert fields["timezone"] is None and fields["start"] == "2026-07-01T10:00:00Z"
    assert when_to_google(fields["start"], fields["end"], False, None)[0] == {"dateTime": "2026-07-01T10:00:00Z"}


def test_user_moving_to_another_zone_moves_nothing():
    meeting = make_record(ACTIVITIES, title="Board", all_day=False, timezone="America/New_York",
                          **{k: v for k, v in when_fields(start=datetime(2026, 3, 9, 9, 0),
                                                          end=datetime(2026, 3, 9, 10, 0), all_day=False,
                                                          zone_name="America/New_York").items()
                             if k in ("start", "end")})
    holiday = make_record(ACTIVITIES, title="Holiday", all_day=True, start="2026-03-10", end="2026-03-11")
    pairs = [synced_pair(1, "a1", "e1", meeting), synced_pair(2, "a2", "e2", holiday)]
    # the user now lives in Moscow; a CRM that stamps the user's zone on its items re-reads both
    moved = meeting.replace(timezone="Europe/Moscow")
    result = plan(ACTIVITIES, pairs, {"a1": Seen(moved), "a2": Seen(holiday)}, {}, policy=Policy())
    (update,) = result.of(UpdateGoogle)
    assert update.fields == {"timezone"}
    assert (update.record["start"], update.record["end"]) == (meeting["start"], meeting["end"])
    g_start, _ = when_to_google(update.record["start"], update.record["end"], False, "Europe/Moscow")
    assert g_start["dateTime"] == "2026-03-09T16:00:00+03:00"  # 09:00 New York is 16:00 Moscow: same instant


@pytest.mark.parametrize("end,all_day,zone_name,since,inside", [
    ("2026-03-11", True, None, date(2026, 3, 10), True),  # last day 03-10
    ("2026-03-10", True, None, date(2026, 3, 10), False),  # last day 03-09
    ("2026-03-10T02:00:00Z", False, "Pacific/Honolulu", date(2026, 3, 10), False),  # 03-09 16:00 local
    ("2026-03-10T02:00:00Z", False, None, date(2026, 3, 10), True),
])
def test_sync_starting_from(end, all_day, zone_name, since, inside):
    assert ends_on_or_after(end, all_day, since, zone_name) is inside


def test_unknown_zone_and_naive_times_are_reported_as_codes():
    with pytest.raises(SyncCoreError) as err:
        instant_from_local(datetime(2026, 1, 1), "Mars/Olympus")
    assert err.value.message.params["detail"] == "unknown time zone"
    with pytest.raises(SyncCoreError):
        when_from_google({"dateTime": "2026-07-01T10:00:00"}, None)
