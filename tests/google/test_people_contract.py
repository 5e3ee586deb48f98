"""PeopleClient against the emulator over real HTTP: every method, chunking, sync tokens, groups."""
import pytest

from wizard.google import mapping as m
from wizard.google.errors import NotFound, StaleEtag, SyncTokenExpired
from wizard.sync.records import CONTACTS, Item, make_record

from .conftest import USER

FIELDS = m.PERSON_FIELDS


def person(n, **extra):
    return {"names": [{"givenName": f"P{n}", "familyName": "Test"}],
            "emailAddresses": [{"value": f"p{n}@example.org", "type": "work"}], **extra}


def test_full_listing_pages_with_every_parameter_repeated_then_incremental_changes(emulator, people):
    emulator.control("POST", "/contacts", json={"email": USER, "count": 25})
    listing = people.list_connections(FIELDS, page_size=10)
    pages = list(listing)
    assert [len(p) for p in pages] == [10, 10, 5]  # the emulator refuses a page whose parameters changed
    assert listing.sync_token
    created = people.create(person(1), FIELDS)
    people.delete(pages[0][0]["resourceName"])
    changes = people.list_connections(FIELDS, sync_token=listing.sync_token)
    changed = {p["resourceName"]: p for p in changes.items()}
    assert changed[created["resourceName"]]["names"][0]["givenName"] == "P1"
    assert changed[pages[0][0]["resourceName"]]["metadata"]["deleted"] is True
    assert changes.sync_token and changes.sync_token != listing.sync_token


def test_an_expired_people_sync_token_is_a_domain_error_and_a_full_listing_recovers(emulator, people):
    emulator.control("POST", "/contacts", json={"email": USER, "count": 3})
    listing = people.list_connections(FIELDS)
    list(listing)
    emulator.control("POST", "/sync-tokens/expire", json={"email": USER, "api": "people"})
    with pytest.raises(SyncTokenExpired) as caught:
        list(people.list_connections(FIELDS, sync_token=listing.sync_token))
    assert caught.value.reason == "EXPIRED_SYNC_TOKEN" and caught.value.status == 400
    assert len(list(people.list_connections(FIELDS).items())) == 3


def test_batch_create_update_get_delete_chunk_to_googles_limits(emulator, people):
    created = people.batch_create([person(n) for n in range(450)], FIELDS)
    assert people.calls == 3  # 200 + 200 + 50
    assert [p["names"][0]["givenName"] for p in created] == [f"P{n}" for n in range(450)]
    names = [p["resourceName"] for p in created]

    got = people.batch_get(names[:250] + ["people/c404"], FIELDS)
    assert len(got) == 251 and isinstance(got["people/c404"], NotFound)
    assert got[names[0]]["etag"] == created[0]["etag"]

    updates = {}
    for p in created[:201]:
        record = m.person_to_record(p).replace(title="Engineer")
        updates[p["resourceName"]] = m.record_to_person(record, p, crm_id="crm-" + p["resourceName"][-4:])
    calls = people.calls
    result = people.batch_update(updates, m.UPDATE_PERSON_FIELDS, FIELDS)
    assert people.calls - calls == 2
    assert all(r["organizations"][0]["title"] == "Engineer" for r in result.values())
    assert m.crm_id_of(result[names[0]]) == "crm-" + names[0][-4:]

    # One stale etag and one deleted contact in a chunk: Google refuses the chunk; the client answers per item
    people.delete(names[300])
    mixed = {names[0]: updates[names[0]],  # still carries the old etag
             names[300]: m.record_to_person(m.person_to_record(created[300]), created[300]),
             names[301]: m.record_to_person(m.person_to_record(created[301]).replace(title="Chef"), created[301])}
    calls = people.calls
    answered = people.batch_update(mixed, m.UPDATE_PERSON_FIELDS, FIELDS)
    assert people.calls - calls == 3  # refused chunk, one batchGet, the fresh one sent again
    assert isinstance(answered[names[0]], StaleEtag)
    assert answered[names[0]].current["etag"] == result[names[0]]["etag"]  # ready to merge again
    assert isinstance(answered[names[300]], NotFound)
    assert answered[names[301]]["organizations"][0]["title"] == "Chef"
    names.remove(names[300])

    calls = people.calls
    people.batch_delete(names)
    assert people.calls - calls == 1
    people.batch_delete(names[:0])
    assert all(isinstance(v, NotFound) for v in people.batch_get(names[:3], FIELDS).values())


def test_single_update_keeps_unmapped_fields_and_refuses_a_stale_etag(emulator, people):
    created = people.create(person(7, urls=[{"value": "https://example.org/p7"}],
                                   phoneNumbers=[{"value": "8 (912) 345-67-89", "type": "mobile"}]), FIELDS + ",urls")
    record = m.person_to_record(created).replace(notes="met at the fair",
                                                 phones=[Item("+79123456789", "mobile"), Item("+74951234567", "work")])
    updated = people.update(created["resourceName"], m.record_to_person(record, created, crm_id="9"),
                            m.UPDATE_PERSON_FIELDS, FIELDS + ",urls")
    assert m.person_to_record(updated) == record
    assert updated["urls"][0]["value"] == "https://example.org/p7"  # not in the mask: untouched
    assert updated["phoneNumbers"][0]["value"] == "8 (912) 345-67-89"  # kept as the user typed it
    with pytest.raises(StaleEtag):
        people.update(created["resourceName"], m.record_to_person(record, created), m.UPDATE_PERSON_FIELDS)
    assert people.get(created["resourceName"], FIELDS)["etag"] == updated["etag"]


def test_groups_create_is_idempotent_rename_and_membership_in_chunks(emulator, people):
    group = people.create_group("Clients")
    again = people.create_group("Clients")  # 409 ALREADY_EXISTS -> the existing label
    assert again["resourceName"] == group["resourceName"]
    renamed = people.rename_group(group["resourceName"], "Customers")
    assert renamed["name"] == "Customers"
    assert people.find_group("customers")["resourceName"] == group["resourceName"]

    created = people.batch_create([person(n) for n in range(1001)], "names")
    names = [p["resourceName"] for p in created]
    calls = people.calls
    summary = people.modify_members(group["resourceName"], add=names + ["people/c1"])
    assert people.calls - calls == 2  # 1000 + 2 operations
    assert summary["notFoundResourceNames"] == ["people/c1"]
    assert people.get_group(group["resourceName"])["memberCount"] == 1001
    people.modify_members(group["resourceName"], remove=names[:10])
    assert people.get_group(group["resourceName"])["memberCount"] == 991


def test_a_contact_created_with_its_label_and_crm_id_is_found_by_both(emulator, people):
    group = people.create_group("Partners")
    record = make_record(CONTACTS, given_name="Анна", emails=[Item("anna@example.org", "home")], birthday="--03-08")
    created = people.create(m.record_to_person(record, crm_id="77", groups=[group["resourceName"]]), FIELDS)
    listed = {p["resourceName"]: p for p in people.list_connections(FIELDS).items()}
    change = m.person_change(listed[created["resourceName"]], group=group["resourceName"])
    assert change.record == record and change.back_ref == "77"


def test_a_create_encoded_ahead_is_sent_as_it_is_and_its_answer_decoded_apart(emulator, people):
    """Pipelined creates (issue 16): the request body is encoded by the engine's thread and Google's answer
    decoded there too, the sending thread only sends. The same contacts come out as with `batch_create`,
    non-ASCII text included, and an item Google refuses is that item's error."""
    bodies = [person(n) for n in range(3)]
    bodies[1]["names"][0]["givenName"] = "Ёлка Ğ 名"
    payload = people.create_payload(bodies, FIELDS)
    answer = people.send_create_payload(payload)
    assert people.calls == 1 and isinstance(answer, bytes)
    created = people.created_people(answer)
    assert [p["names"][0]["givenName"] for p in created] == ["P0", "Ёлка Ğ 名", "P2"]
    listed = {p["resourceName"]: p for p in people.list_connections(FIELDS).items()}
    assert [listed[p["resourceName"]]["etag"] for p in created] == [p["etag"] for p in created]
    with pytest.raises(ValueError):
        people.create_payload([person(n) for n in range(201)], FIELDS)
