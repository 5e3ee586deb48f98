"""Records written to the emulator and read back over HTTP are the same records (hypothesis)."""
import uuid

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wizard.google import mapping as m
from wizard.google.calendar import CalendarClient
from wizard.google.people import PeopleClient
from wizard.sync.ids import event_id_for

from .conftest import CALENDAR, CONTACTS, USER, bearer_session, pacer
from .test_mapping import activity_records, contact_records

SETTINGS = settings(max_examples=12, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])


@SETTINGS
@given(st.lists(contact_records(), min_size=1, max_size=15))
def test_contacts_round_trip_through_the_people_api(emulator_server, records):
    http = bearer_session(emulator_server.token(USER, [CONTACTS]))
    people = PeopleClient(http, emulator_server.url + "/", pacer("people"))
    created = people.batch_create([m.record_to_person(r, crm_id=str(i)) for i, r in enumerate(records)], "metadata")
    read = people.batch_get([p["resourceName"] for p in created], m.PERSON_FIELDS)
    assert [m.person_to_record(read[p["resourceName"]]) for p in created] == records
    people.batch_delete([p["resourceName"] for p in created])


@SETTINGS
@given(st.lists(activity_records(), min_size=1, max_size=15))
def test_activities_round_trip_through_the_calendar_api(emulator_server, records):
    installation = uuid.uuid4()  # ids of deleted events stay taken (409), as in Google: fresh ones per example
    http = bearer_session(emulator_server.token(USER, CALENDAR))
    calendar = CalendarClient(http, emulator_server.url + "/calendar/v3/", emulator_server.url + "/batch/calendar/v3",
                              pacer("calendar"))
    ids = [event_id_for(str(installation), i) for i in range(len(records))]
    inserts = [calendar.insert_request("primary", m.record_to_event(
        r.replace(status="confirmed"), crm_id=str(i), installation_id=str(installation), event_id=ids[i]))
        for i, r in enumerate(records)]
    assert all(isinstance(r, dict) for r in calendar.batch(inserts))
    read = calendar.batch([calendar.get_request("primary", i) for i in ids])
    assert [m.event_to_record(e) for e in read] == [r.replace(status="confirmed") for r in records]
    calendar.batch([calendar.delete_request("primary", i) for i in ids])
