"""Participants ⇄ attendees in the mapping and the core's merge, without a network."""
from wizard.google import mapping as m
from wizard.sync.merge import merge
from wizard.sync.records import ACTIVITIES, Item, make_record

EVENT = {"id": "e1", "summary": "Call", "start": {"dateTime": "2026-03-10T10:00:00Z", "timeZone": "UTC"},
         "end": {"dateTime": "2026-03-10T11:00:00Z", "timeZone": "UTC"}, "attendees": [
             {"email": "me@gmail.com", "self": True, "organizer": True, "responseStatus": "accepted"},
             {"email": "Ann@Example.com", "displayName": "Ann", "responseStatus": "accepted", "comment": "yes",
              "optional": True, "additionalGuests": 1},
             {"email": "room@resource.calendar.google.com", "resource": True, "responseStatus": "accepted"},
             {"email": "bob@example.org", "responseStatus": "tentative"}]}


def test_attendees_read_as_participants_without_own_and_resource_entries():
    record = m.event_to_record(EVENT)
    assert record["participants"] == frozenset({Item("ann@example.com", ("Ann", "accepted")),
                                                Item("bob@example.org", (None, "tentative"))})


def test_an_unchanged_participant_list_sends_attendees_back_verbatim():
    record = m.event_to_record(EVENT).replace(title="Renamed")
    assert m.record_to_event(record, EVENT)["attendees"] == EVENT["attendees"]


def test_a_crm_change_rewrites_only_what_it_changed():
    record = m.event_to_record(EVENT).replace(participants=[
        Item("ann@example.com", ("Ann Lee", "needsAction")),  # renamed; the CRM's answer is never sent
        Item("carl@example.net", ("Carl", "needsAction"))])   # bob removed, carl invited
    attendees = m.record_to_event(record, EVENT)["attendees"]
    assert attendees == [
        EVENT["attendees"][0],
        {**EVENT["attendees"][1], "displayName": "Ann Lee"},  # answer, comment, optional, guests kept
        EVENT["attendees"][2],
        {"email": "carl@example.net", "displayName": "Carl", "responseStatus": "needsAction"}]


def test_removing_every_participant_keeps_the_own_and_resource_entries():
    record = m.event_to_record(EVENT).replace(participants=())
    assert m.record_to_event(record, EVENT)["attendees"] == [EVENT["attendees"][0], EVENT["attendees"][2]]
    bare = {k: v for k, v in EVENT.items() if k != "attendees"}
    assert "attendees" not in m.record_to_event(m.event_to_record(bare), bare)


def people(*emails, status="needsAction"):
    return make_record(ACTIVITIES, title="Call", participants=[(e, (None, status)) for e in emails])


def test_concurrent_participant_edits_merge_per_person():
    base = people("a@x.example", "b@x.example")
    crm = people("a@x.example", "b@x.example", "d@x.example")  # the CRM invites d
    google = make_record(ACTIVITIES, title="Call", participants=[  # Google drops b, a accepts, e is invited
        ("a@x.example", (None, "accepted")), ("e@x.example", (None, "needsAction"))])
    result = merge(ACTIVITIES, base, crm, google)
    expected = frozenset({Item("a@x.example", (None, "accepted")), Item("d@x.example", (None, "needsAction")),
                          Item("e@x.example", (None, "needsAction"))})
    assert result.crm["participants"] == result.google["participants"] == expected and not result.conflicts
