"""Activity participants ⇄ event attendees, end to end against the emulator: CRM participants are invited as
attendees, Google's attendees (added with Google's official client too) come back as participants linked to
the matching contacts with their answers, removals travel both ways, concurrent edits of different people
both survive, and invitations are mailed only when the account allows it."""
import hashlib
import json
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from flask_migrate import downgrade, stamp, upgrade

from tests.emulator.discovery import Google, call
from wizard.crm import services
from wizard.engine import run_sync
from wizard.extensions import db
from wizard.models.crm import Activity, ActivityParticipant
from wizard.models.sync import Pair, RunStatus

from .test_activities_sync import Calendar

START = datetime(2026, 3, 10, 7, 0, tzinfo=timezone.utc)


def contact(account, first, last, email):
    return services.create_contact(account.user_id, {"first_name": first, "last_name": last,
                                                     "emails": [{"value": email, "type": "work"}]})


def meeting(account, participants, title="Board meeting"):
    return services.create_activity(account.user_id, {
        "title": title, "type": "meeting", "start_at": START, "end_at": START + timedelta(hours=1),
        "timezone": "Europe/Moscow", "participants": participants})


def synced(account):
    run = run_sync(account.id, "activities")
    assert run.status == RunStatus.SUCCEEDED, (run.outcome_code, run.outcome_params)
    return run


def settled(account):
    """Two more runs write nothing: the pair is stable, nothing ping-pongs."""
    for _ in range(2):
        run = synced(account)
        assert run.counts["google"] == {} and run.counts["crm"] == {}, run.counts


def participants(activity_id):
    db.session.expire_all()
    row = db.session.get(Activity, activity_id)
    return {p.normalized: (p.contact_id, p.display_name, p.response_status) for p in row.participants}


def attendees(calendar, title="Board meeting"):
    event = next(e for e in calendar.events() if e.get("summary") == title)
    return event, {a["email"]: a for a in event.get("attendees") or []}


def test_participants_round_trip_with_answers_and_the_official_client(app, make_account, emulator):
    account = make_account(activities_sync_from=date(2026, 1, 1))
    calendar = Calendar(emulator, account)
    ivan = contact(account, "Ivan", "Petrov", "ivan@example.com")
    olga = contact(account, "Olga", "Smirnova", "OLGA@example.com")
    activity = meeting(account, [{"contact_id": ivan.id}, {"email": "guest@Example.org", "display_name": "Guest"}])
    synced(account)
    event, guests = attendees(calendar)
    assert set(guests) == {"ivan@example.com", "guest@example.org"}
    assert guests["ivan@example.com"]["displayName"] == "Ivan Petrov"
    assert {a["responseStatus"] for a in guests.values()} == {"needsAction"}
    # Google side, through Google's own client: Ivan accepts with a comment, Olga is invited in Google.
    google = Google(emulator.url, account.access_token)
    changed = [dict(guests["ivan@example.com"], responseStatus="accepted", comment="See you"),
               guests["guest@example.org"], {"email": "olga@example.com", "optional": True}]
    call(google.calendar.events().patch(calendarId="primary", eventId=event["id"], body={"attendees": changed},
                                        sendUpdates="none"))
    synced(account)
    assert participants(activity.id) == {
        "ivan@example.com": (ivan.id, "Ivan Petrov", "accepted"),
        "guest@example.org": (None, "Guest", "needsAction"),
        "olga@example.com": (olga.id, "", "needsAction"),  # linked to the contact holding that address
    }
    settled(account)
    # A CRM edit of something else keeps what Google holds of each attendee (answer, comment, optional).
    services.update_activity(account.user_id, activity.id, {"location": "Room 4"})
    synced(account)
    _, guests = attendees(calendar)
    assert guests["ivan@example.com"]["comment"] == "See you"
    assert guests["ivan@example.com"]["responseStatus"] == "accepted"
    assert guests["olga@example.com"]["optional"] is True
    settled(account)


def test_removal_travels_both_ways(app, make_account, emulator):
    account = make_account(activities_sync_from=date(2026, 1, 1))
    calendar = Calendar(emulator, account)
    activity = meeting(account, [{"email": "a@example.com"}, {"email": "b@example.com"}, {"email": "c@example.com"}])
    synced(account)
    # Removed in the CRM: the attendee goes.
    services.update_activity(account.user_id, activity.id, {"participants": [{"email": "a@example.com"},
                                                                              {"email": "c@example.com"}]})
    synced(account)
    event, guests = attendees(calendar)
    assert set(guests) == {"a@example.com", "c@example.com"}
    # Removed in Google: the participant goes.
    calendar.patch(event["id"], {"attendees": [guests["a@example.com"]]})
    synced(account)
    assert set(participants(activity.id)) == {"a@example.com"}
    settled(account)


def test_an_add_on_one_side_and_a_removal_on_the_other_both_survive(app, make_account, emulator):
    account = make_account(activities_sync_from=date(2026, 1, 1))
    calendar = Calendar(emulator, account)
    activity = meeting(account, [{"email": "a@example.com"}, {"email": "b@example.com"}])
    synced(account)
    event, guests = attendees(calendar)
    # Between two runs: the CRM invites d@, Google drops b@ and invites e@.
    services.update_activity(account.user_id, activity.id, {"participants": [
        {"email": "a@example.com"}, {"email": "b@example.com"}, {"email": "d@example.com"}]})
    calendar.patch(event["id"], {"attendees": [guests["a@example.com"], {"email": "e@example.com"}]})
    synced(account)
    expected = {"a@example.com", "d@example.com", "e@example.com"}
    assert set(participants(activity.id)) == expected
    assert set(attendees(calendar)[1]) == expected
    settled(account)


def test_a_new_google_event_with_guests_becomes_an_activity_with_participants(app, make_account, emulator):
    account = make_account(activities_sync_from=date(2026, 1, 1))
    calendar = Calendar(emulator, account)
    ivan = contact(account, "Ivan", "Petrov", "ivan@example.com")
    synced(account)
    calendar.insert({"summary": "Lunch", "start": {"dateTime": "2026-03-11T12:00:00Z"},
                     "end": {"dateTime": "2026-03-11T13:00:00Z"},
                     "attendees": [{"email": account.email, "responseStatus": "accepted"},
                                   {"email": "Ivan@Example.com", "responseStatus": "tentative"},
                                   {"email": "room-4@resource.calendar.google.com", "resource": True}]})
    synced(account)
    lunch = db.session.scalar(db.select(Activity).where(Activity.title == "Lunch"))
    # The calendar's own entry and the room are not participants; Ivan is, as the contact.
    assert participants(lunch.id) == {"ivan@example.com": (ivan.id, "", "tentative")}
    settled(account)
    services.update_activity(account.user_id, lunch.id, {"title": "Long lunch"})
    synced(account)
    _, guests = attendees(calendar, "Long lunch")
    assert set(guests) == {account.email, "Ivan@Example.com", "room-4@resource.calendar.google.com"}
    assert guests[account.email]["self"] is True and guests["Ivan@Example.com"]["responseStatus"] == "tentative"


def test_the_accounts_own_address_is_the_organizer_not_a_guest(app, make_account, emulator):
    account = make_account(activities_sync_from=date(2026, 1, 1))
    calendar = Calendar(emulator, account)
    activity = meeting(account, [{"email": account.email}, {"email": "a@example.com"}])
    synced(account)
    assert set(attendees(calendar)[1]) == {"a@example.com"}
    assert set(participants(activity.id)) == {account.email, "a@example.com"}  # kept in the CRM as typed
    settled(account)


def mailed(emulator):
    return [m for m in emulator.control("GET", "/mail")["messages"] if m["recipients"]]


def test_no_invitation_is_mailed_by_default(app, make_account, emulator):
    account = make_account(activities_sync_from=date(2026, 1, 1))
    activity = meeting(account, [{"email": "a@example.com"}, {"email": "b@example.org"}])
    synced(account)
    services.update_activity(account.user_id, activity.id, {"participants": [{"email": "a@example.com"}]})
    synced(account)
    messages = emulator.control("GET", "/mail")["messages"]
    assert messages and {m["sendUpdates"] for m in messages} == {"none"}
    assert mailed(emulator) == []


def test_invitations_are_mailed_when_the_account_allows_it(app, make_account, emulator):
    account = make_account(activities_sync_from=date(2026, 1, 1), notify_attendees="all")
    meeting(account, [{"email": "a@example.com"}, {"email": "b@example.org"}])
    synced(account)
    [message] = mailed(emulator)
    assert message["sendUpdates"] == "all" and sorted(message["recipients"]) == ["a@example.com", "b@example.org"]


MIGRATIONS = Path(__file__).resolve().parents[2] / "wizard" / "migrations"


def former_fingerprint(values: dict) -> str:
    """`wizard.sync.records.fingerprint` as the version without participants computed it."""
    canonical = json.dumps(["activities", values], sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def test_guests_an_event_had_before_the_upgrade_survive_a_crm_edit_and_reach_the_crm(app, make_account,
                                                                                       emulator):
    """Pairs synced before participants were mapped hold a base without them. The upgrade makes the next run
    read every event afresh, so a CRM edit planned against that base cannot drop the event's guests."""
    account = make_account(activities_sync_from=date(2026, 1, 1))
    calendar = Calendar(emulator, account)
    activity = meeting(account, [])
    synced(account)
    event = calendar.events()[0]
    calendar.patch(event["id"], {"attendees": [{"email": "a@example.com", "responseStatus": "accepted"}]})
    synced(account)
    # Back to what the previous version left: the edit listed (its etag and the token recorded), no
    # participant in the CRM, a base without the field.
    db.session.execute(db.delete(ActivityParticipant))
    pair = db.session.scalar(db.select(Pair).where(Pair.object == "activities"))
    pair.base = {k: v for k, v in pair.base.items() if k != "participants"}
    pair.crm_fingerprint = pair.google_fingerprint = former_fingerprint(pair.base)
    db.session.commit()
    stamp(directory=str(MIGRATIONS))
    downgrade(directory=str(MIGRATIONS), revision="5f2c9a7d31e4")
    upgrade(directory=str(MIGRATIONS))
    services.update_activity(account.user_id, activity.id, {"location": "Room 4"})
    synced(account)
    event, guests = attendees(calendar)
    assert event["location"] == "Room 4" and set(guests) == {"a@example.com"}
    assert participants(activity.id) == {"a@example.com": (None, "", "accepted")}
    settled(account)


def test_a_sync_write_keeps_the_typed_address_and_the_chosen_contact(app, make_account, emulator):
    account = make_account(activities_sync_from=date(2026, 1, 1))
    calendar = Calendar(emulator, account)
    ivan = contact(account, "Ivan", "Petrov", "ivan@example.com")
    activity = meeting(account, [{"contact_id": ivan.id}, {"email": "Guest@Example.org"}])
    synced(account)
    # Ivan's address changes in the CRM: he stays invited at the old one, still as the contact.
    services.update_contact(account.user_id, ivan.id, {"emails": [{"value": "ivan@new.example"}]})
    event, guests = attendees(calendar)
    calendar.patch(event["id"], {"attendees": [dict(guests["ivan@example.com"], responseStatus="declined"),
                                               guests["guest@example.org"]]})
    synced(account)
    db.session.expire_all()
    rows = {p.email: (p.contact_id, p.response_status) for p in db.session.get(Activity, activity.id).participants}
    assert rows == {"ivan@example.com": (ivan.id, "declined"), "Guest@Example.org": (None, "needsAction")}
    settled(account)
