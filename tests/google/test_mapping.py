"""Google JSON <-> core records: round trips (hypothesis), preservation of unmapped data, time zones."""
from datetime import date, datetime, timedelta, timezone

import phonenumbers
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wizard.google import mapping as m
from wizard.sync.changes import DELETED, OUT_OF_SCOPE, Seen
from wizard.sync.records import ACTIVITIES, CONTACTS, Item, make_record
from wizard.sync.times import format_instant

E164 = phonenumbers.PhoneNumberFormat.E164
PHONE_POOL = [phonenumbers.format_number(phonenumbers.example_number_for_type(r, t), E164)
              for r in ("RU", "US", "DE", "GB", "FR", "JP", "BR", "IN")
              for t in (phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE)] + ["12", "4567"]

text = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=20)
kinds3 = st.sampled_from(["home", "work", "other"])


@st.composite
def contact_records(draw):
    emails = draw(st.lists(st.tuples(st.emails(), kinds3), max_size=3))
    phones = draw(st.lists(st.tuples(st.sampled_from(PHONE_POOL), st.sampled_from(["home", "work", "mobile", "other"])),
                           max_size=3))
    addresses = []
    for kind, *parts in draw(st.lists(st.tuples(kinds3, text, text, text, text, text), max_size=2)):
        record_parts = make_record(CONTACTS, addresses=[Item("k", tuple(parts))])["addresses"]
        parts = list(next(iter(record_parts)).value)  # normalized like the core does
        key = m.address_key(p or "" for p in parts)
        if key:
            addresses.append(Item(key, (kind, *parts)))
    year = draw(st.none() | st.integers(1900, 2100))
    day = draw(st.dates(date(2000, 1, 1), date(2000, 12, 31)))
    month_day = f"{day.month:02d}-{day.day:02d}"
    birthday = draw(st.none() | st.just(f"{year:04d}-{month_day}" if year else f"--{month_day}"))
    if birthday and year:
        try:
            date(year, day.month, day.day)
        except ValueError:
            birthday = None
    return make_record(CONTACTS, given_name=draw(text), family_name=draw(text), middle_name=draw(text),
                       emails=[Item(m.email_key(e), k) for e, k in emails],
                       phones=[Item(m.phone_key(p), k) for p, k in phones], addresses=addresses,
                       organization=draw(text), title=draw(text), birthday=birthday, notes=draw(text))


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(contact_records())
def test_contact_record_survives_a_trip_through_google_json(record):
    assert m.person_to_record(m.record_to_person(record, crm_id="7")) == record


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(contact_records(), contact_records())
def test_an_update_over_an_existing_person_yields_the_new_record_and_keeps_unmapped_data(old, new):
    existing = m.record_to_person(old, crm_id="7")
    existing.update(resourceName="people/c1", etag="e1", urls=[{"value": "https://x"}])
    if existing.get("names"):
        existing["names"][0]["phoneticGivenName"] = "fon"
    body = m.record_to_person(new, existing, crm_id="7")
    assert m.person_to_record(body) == new
    assert body["etag"] == "e1" and "urls" not in body  # urls are not in the update mask: untouched by Google
    if body.get("names") and existing.get("names"):
        assert body["names"][0]["phoneticGivenName"] == "fon"
    assert m.crm_id_of(body) == "7"
    assert set(m.changed_person_fields(new, existing)) <= set(m.UPDATE_PERSON_FIELDS.split(","))
    assert m.changed_person_fields(new, body) == []


def test_unchanged_fields_are_copied_verbatim_and_items_keep_their_formatting():
    person = {
        "resourceName": "people/c1", "etag": "e1",
        "names": [{"givenName": "Иван", "familyName": "Петров", "displayName": "Иван Петров"}],
        "phoneNumbers": [{"value": "8 (912) 345-67-89", "type": "mobile", "formattedType": "Mobile"},
                         {"value": "+1 650 253 0000", "type": "homeFax"}],
        "addresses": [{"streetAddress": "Тверская 1", "city": "Москва", "extendedAddress": "кв. 5", "type": "home"}],
        "birthdays": [{"text": "когда-то весной"}],
        "clientData": [{"key": "other.app", "value": "x"}],
    }
    record = m.person_to_record(person, region="RU")
    assert {i.key for i in record["phones"]} == {"+79123456789", "+16502530000"}
    assert next(iter(record["addresses"])).value == ("home", "Тверская 1", "Москва", None, None, None)
    changed = record.replace(phones=list(record["phones"]) + [Item("+74951234567", "work")], title="CEO")
    body = m.record_to_person(changed, person, crm_id="42", region="RU")
    assert body["names"] == person["names"]  # unchanged: verbatim
    assert body["birthdays"] == person["birthdays"]  # a text-only birthday we cannot read is not erased
    assert body["phoneNumbers"][:2] == person["phoneNumbers"]  # kept as typed, fax type kept
    assert body["phoneNumbers"][2] == {"value": "+7 495 123-45-67", "type": "work"}
    assert body["addresses"][0]["extendedAddress"] == "кв. 5"
    assert body["organizations"] == [{"title": "CEO"}]
    assert body["clientData"] == [{"key": "other.app", "value": "x"}, {"key": m.CRM_ID_KEY, "value": "42"}]
    assert m.changed_person_fields(changed, person, region="RU") == ["phoneNumbers", "organizations"]


def test_type_change_of_a_kept_item_rewrites_only_the_type():
    person = {"emailAddresses": [{"value": "A@x.org", "type": "home", "formattedType": "Home", "displayName": "A"}]}
    record = m.person_to_record(person).replace(emails=[Item("a@x.org", "work")])
    expected = [{"value": "A@x.org", "type": "work", "displayName": "A"}]
    assert m.record_to_person(record, person)["emailAddresses"] == expected


def test_create_body_puts_the_contact_in_the_label():
    record = make_record(CONTACTS, given_name="Anna")
    body = m.record_to_person(record, crm_id="5", groups=["contactGroups/abc"])
    assert body["memberships"] == [{"contactGroupMembership": {"contactGroupResourceName": "contactGroups/abc"}}]
    assert "etag" not in body and "resourceName" not in body


def test_person_change_for_the_core():
    person = {"resourceName": "people/c2", "etag": "e9", "names": [{"givenName": "B"}],
              "clientData": [{"key": m.CRM_ID_KEY, "value": "12"}],
              "memberships": [{"contactGroupMembership": {"contactGroupResourceName": "contactGroups/g"}}],
              "metadata": {"previousResourceNames": ["people/old"],
                           "sources": [{"type": "CONTACT", "updateTime": "2026-05-01T10:00:00.123Z"}]}}
    seen = m.person_change(person, group="contactGroups/g")
    assert isinstance(seen, Seen)
    assert (seen.back_ref, seen.previous_ids, seen.etag) == ("12", ("people/old",), "e9")
    assert seen.modified == datetime(2026, 5, 1, 10, 0, 0, 123000, tzinfo=timezone.utc)
    assert m.person_change(person, group="contactGroups/other") is OUT_OF_SCOPE
    assert m.person_change({"resourceName": "people/c3", "metadata": {"deleted": True}}) is DELETED


# --- events --------------------------------------------------------------------------------------------

ZONES = ["Pacific/Honolulu", "Europe/Moscow", "Pacific/Kiritimati", "America/New_York", "Australia/Lord_Howe", "UTC"]


@st.composite
def activity_records(draw):
    all_day = draw(st.booleans())
    if all_day:
        first = draw(st.dates(date(2020, 1, 1), date(2030, 12, 31)))
        start, end, zone = first.isoformat(), (first + timedelta(days=draw(st.integers(1, 5)))).isoformat(), None
    else:
        moment = draw(st.datetimes(datetime(2020, 1, 1), datetime(2030, 12, 31)))
        moment = moment.replace(microsecond=0, tzinfo=timezone.utc)
        start = format_instant(moment)
        end = format_instant(moment + timedelta(minutes=draw(st.integers(0, 600))))
        zone = draw(st.sampled_from(ZONES))
    guests = draw(st.lists(st.sampled_from(["ann@example.com", "bob@example.org", "Chen@Example.com"]),
                           unique=True, max_size=3))
    # A participant written by the CRM is invited unanswered: what Google answers comes back from Google.
    participants = [(g, (draw(st.sampled_from([None, "Ann", "Боб"])), "needsAction")) for g in guests]
    return make_record(ACTIVITIES, title=draw(text), description=draw(text), location=draw(text), start=start, end=end,
                       all_day=all_day, timezone=zone, status=draw(st.sampled_from(["confirmed", "cancelled"])),
                       type=draw(st.sampled_from(["meeting", "call", "task", None])), participants=participants)


@settings(max_examples=80, deadline=None)
@given(activity_records())
def test_activity_record_survives_a_trip_through_google_json(record):
    event = m.record_to_event(record, crm_id="3", installation_id="inst", event_id="abcde12345")
    assert m.event_to_record(event) == record
    info = m.event_info(event)
    assert (info.id, info.crm_id, info.installation_id) == ("abcde12345", "3", "inst")


@settings(max_examples=50, deadline=None)
@given(activity_records(), activity_records())
def test_an_event_update_keeps_reminders_attendees_and_foreign_properties(old, new):
    existing = m.record_to_event(old.replace(participants=()), crm_id="3", installation_id="inst",
                                 event_id="abcde12345")
    existing.update(etag='"1"', reminders={"useDefault": False, "overrides": [{"method": "popup", "minutes": 15}]},
                    attendees=[{"email": "guest@example.com", "responseStatus": "accepted", "comment": "late"}])
    new = new.replace(participants=[("guest@example.com", (None, "accepted"))])
    existing["extendedProperties"]["private"]["other.app"] = "keep"
    event = m.record_to_event(new, existing, crm_id="3")
    assert m.event_to_record(event) == new
    assert event["reminders"] == existing["reminders"] and event["attendees"] == existing["attendees"]
    assert event["extendedProperties"]["private"]["other.app"] == "keep"
    assert event["extendedProperties"]["private"][m.INSTALLATION_KEY] == "inst"


@pytest.mark.parametrize("zone", ["Pacific/Honolulu", "Europe/Moscow", "Pacific/Kiritimati"])
def test_all_day_events_are_dates_in_every_zone(zone):
    event = {"id": "e1", "summary": "Holiday", "start": {"date": "2026-03-08"}, "end": {"date": "2026-03-09"}}
    record = m.event_to_record(event, calendar_zone=zone)
    when = (record["start"], record["end"], record["all_day"], record["timezone"])
    assert when == ("2026-03-08", "2026-03-09", True, None)
    written = m.record_to_event(record)
    assert written["start"] == {"date": "2026-03-08"} and written["end"] == {"date": "2026-03-09"}


@pytest.mark.parametrize("zone,local_start,local_end,utc_start,utc_end", [
    # New York springs forward at 02:00 on 2026-03-08: 01:30 EST .. 03:30 EDT is one hour.
    ("America/New_York", "2026-03-08T01:30:00-05:00", "2026-03-08T03:30:00-04:00",
     "2026-03-08T06:30:00Z", "2026-03-08T07:30:00Z"),
    # Lord Howe moves by 30 minutes at 02:00 on 2026-04-05 (+11:00 -> +10:30).
    ("Australia/Lord_Howe", "2026-04-05T01:00:00+11:00", "2026-04-05T02:30:00+10:30",
     "2026-04-04T14:00:00Z", "2026-04-04T16:00:00Z"),
])
def test_timed_events_across_daylight_saving_changes_keep_their_instants(zone, local_start, local_end, utc_start,
                                                                         utc_end):
    event = {"id": "e2", "summary": "Call", "start": {"dateTime": local_start, "timeZone": zone},
             "end": {"dateTime": local_end, "timeZone": zone}}
    record = m.event_to_record(event)
    assert (record["start"], record["end"], record["timezone"]) == (utc_start, utc_end, zone)
    written = m.record_to_event(record, event)
    assert written["start"] == event["start"]  # unchanged: not rewritten
    moved = m.record_to_event(record.replace(timezone="Europe/Moscow"), event)  # the user moved zones
    assert m.event_to_record(moved)["start"] == utc_start and moved["start"]["timeZone"] == "Europe/Moscow"


def test_event_without_zone_takes_the_calendar_zone_and_deleted_events_are_deleted():
    event = {"id": "e3", "summary": "x", "start": {"dateTime": "2026-01-05T10:00:00+03:00"},
             "end": {"dateTime": "2026-01-05T11:00:00+03:00"}, "updated": "2026-01-01T00:00:00Z"}
    assert m.event_to_record(event, calendar_zone="Europe/Moscow")["timezone"] == "Europe/Moscow"
    assert m.event_change({"id": "e4", "status": "cancelled"}) is DELETED
    seen = m.event_change(event, calendar_zone="Europe/Moscow")
    assert seen.modified == datetime(2026, 1, 1, tzinfo=timezone.utc)
    tentative = dict(event, status="tentative")
    assert m.event_to_record(tentative)["status"] == "confirmed"
    assert m.record_to_event(m.event_to_record(tentative), tentative)["status"] == "tentative"
