"""Request bodies are checked against the discovery schema at every depth, driven by Google's official client:
an unknown name or a value of the wrong type anywhere in a Person, a batch request or an Event is refused with
Google's 400 text and field path, and nothing is stored."""
import json

import pytest
from googleapiclient.errors import HttpError

from .discovery import call

BAD_REQUEST = "type.googleapis.com/google.rpc.BadRequest"
EVENT = {"start": {"dateTime": "2026-03-02T10:00:00+03:00"}, "end": {"dateTime": "2026-03-02T11:00:00+03:00"}}


def refused(request):
    with pytest.raises(HttpError) as excinfo:
        request.execute(num_retries=0)
    assert excinfo.value.resp.status == 400
    return json.loads(excinfo.value.content)["error"]


def unknown(name, at):
    where = f" at '{at}'" if at else ""
    return f'Invalid JSON payload received. Unknown name "{name}"{where}: Cannot find field.'


def people_refusal(error, message, field):
    assert error["code"] == 400 and error["status"] == "INVALID_ARGUMENT"
    assert error["message"] == message
    violation = {"field": field, "description": message} if field else {"description": message}
    assert error["details"] == [{"@type": BAD_REQUEST, "fieldViolations": [violation]}]


def connections(google):
    return call(google.people.people().connections().list(resourceName="people/me", personFields="names"))


@pytest.mark.parametrize("body, field, name", [
    ({"names": [{"givenName": "Bo", "bogus": 1}]}, "person.names[0]", "bogus"),
    ({"emailAddresses": [{"value": "a@example.org"}, {"value": "b@example.org", "metadata": {"primary": True,
                                                                                            "x": 1}}]},
     "person.email_addresses[1].metadata", "x"),
    ({"names": [{"givenName": "Bo"}], "bogus": True}, "person", "bogus"),
    ({"birthdays": [{"date": {"year": 1990, "month": 2, "day": 3, "hour": 4}}]}, "person.birthdays[0].date", "hour"),
])
def test_create_contact_refuses_unknown_names_at_any_depth(google, body, field, name):
    error = refused(google.people.people().createContact(body=body))
    people_refusal(error, unknown(name, field), field)
    assert "connections" not in connections(google)


def test_wrong_types_are_refused_with_the_proto_type(google):
    error = refused(google.people.people().createContact(body={"names": [{"givenName": 5}]}))
    people_refusal(error, "Invalid value at 'person.names[0].given_name' (TYPE_STRING), 5", "person.names[0].given_name")
    error = refused(google.people.people().createContact(body={"names": [{"givenName": "A"}], "clientData": [
        {"key": "k", "value": "v", "metadata": {"primary": "yes"}}]}))
    people_refusal(error, "Invalid value at 'person.client_data[0].metadata.primary' (TYPE_BOOL), \"yes\"",
                   "person.client_data[0].metadata.primary")


def test_update_contact_refuses_a_nested_unknown_name_and_keeps_the_contact(google):
    person = call(google.people.people().createContact(body={"names": [{"givenName": "Ann"}]}, personFields="names"))
    error = refused(google.people.people().updateContact(
        resourceName=person["resourceName"], updatePersonFields="names",
        body={"etag": person["etag"], "names": [{"givenName": "Changed", "nickname": "x"}]}))
    people_refusal(error, unknown("nickname", "person.names[0]"), "person.names[0]")
    again = call(google.people.people().get(resourceName=person["resourceName"], personFields="names"))
    assert again["names"][0]["givenName"] == "Ann" and again["etag"] == person["etag"]


def test_batch_requests_report_the_path_from_the_request_message(google):
    error = refused(google.people.people().batchCreateContacts(body={
        "readMask": "names", "contacts": [{"contactPerson": {"names": [{"givenName": "A"}]}},
                                          {"contactPerson": {"names": [{"givenName": "B", "bogus": 1}]}}]}))
    people_refusal(error, unknown("bogus", "contacts[1].contact_person.names[0]"), "contacts[1].contact_person.names[0]")
    error = refused(google.people.people().batchCreateContacts(body={"readMask": "names", "contacts": [],
                                                                     "extra": 1}))
    people_refusal(error, unknown("extra", ""), "")
    assert "connections" not in connections(google)
    person = call(google.people.people().createContact(body={"names": [{"givenName": "C"}]}, personFields="names"))
    error = refused(google.people.people().batchUpdateContacts(body={
        "updateMask": "names", "readMask": "names",
        "contacts": {person["resourceName"]: {"etag": person["etag"], "names": [{"givenName": "D", "x": 1}]}}}))
    people_refusal(error, unknown("x", "contacts[0].value.names[0]"), "contacts[0].value.names[0]")


def test_contact_group_bodies_are_checked_too(google):
    error = refused(google.people.contactGroups().create(body={"contactGroup": {"name": "Team", "colour": "red"}}))
    people_refusal(error, unknown("colour", "contact_group"), "contact_group")


def test_every_violation_is_listed(google):
    error = refused(google.people.people().createContact(body={"names": [{"givenName": "A", "a": 1}],
                                                               "urls": [{"value": "x", "b": 2}]}))
    assert error["message"] == unknown("a", "person.names[0]") + "\n" + unknown("b", "person.urls[0]")
    assert [v["field"] for v in error["details"][0]["fieldViolations"]] == ["person.names[0]", "person.urls[0]"]


@pytest.mark.parametrize("body, message", [
    ({**EVENT, "start": {"dateTime": "2026-03-02T10:00:00+03:00", "zone": "Europe/Moscow"}},
     unknown("zone", "resource.start")),
    ({**EVENT, "reminders": {"useDefault": False, "overrides": [{"method": "popup", "minutes": 5, "x": 1}]}},
     unknown("x", "resource.reminders.overrides[0]")),
    ({**EVENT, "attendees": [{"email": "a@example.org", "rsvp": "yes"}]}, unknown("rsvp", "resource.attendees[0]")),
    ({**EVENT, "bogus": 1}, unknown("bogus", "resource")),
    ({**EVENT, "extendedProperties": {"private": {"crm": 5}}},
     "Invalid value at 'resource.extended_properties.private[0].value' (TYPE_STRING), 5"),
])
def test_event_bodies_are_checked_at_every_depth(google, body, message):
    error = refused(google.calendar.events().insert(calendarId="primary", body=body))
    assert error["code"] == 400 and error["message"] == message and error["status"] == "INVALID_ARGUMENT"
    assert error["errors"] == [{"domain": "global", "reason": "invalid", "message": message}]
    listed = call(google.calendar.events().list(calendarId="primary", showDeleted=True))
    assert listed["items"] == []


def test_a_patch_with_a_nested_unknown_name_changes_nothing(google):
    event = call(google.calendar.events().insert(calendarId="primary", body={**EVENT, "summary": "Kept"}))
    error = refused(google.calendar.events().patch(calendarId="primary", eventId=event["id"],
                                                   body={"summary": "Lost", "end": {"dateTime": "x", "tz": "UTC"}}))
    assert error["message"] == unknown("tz", "resource.end")
    got = call(google.calendar.events().get(calendarId="primary", eventId=event["id"]))
    assert got["summary"] == "Kept" and got["etag"] == event["etag"]


def test_known_output_only_fields_are_accepted_as_google_does(google):
    """Google parses every field its message has, output-only ones included (and ignores those): a client that
    sends back what it read is not refused."""
    person = call(google.people.people().createContact(body={"names": [{"givenName": "Ann"}]},
                                                       personFields="names,metadata"))
    updated = call(google.people.people().updateContact(resourceName=person["resourceName"],
                                                        updatePersonFields="names", personFields="names",
                                                        body={**person, "names": [{**person["names"][0],
                                                                                   "givenName": "Anna"}]}))
    assert updated["names"][0]["givenName"] == "Anna"
    event = call(google.calendar.events().insert(calendarId="primary", body=EVENT))
    call(google.calendar.events().update(calendarId="primary", eventId=event["id"], body=event))
