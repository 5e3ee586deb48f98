"""People API v1 driven by the official client (built offline from its discovery document); every
response is validated against the document's schema."""
import pytest
from googleapiclient.errors import HttpError

from .conftest import SCOPES
from .discovery import Google, call

FIELDS = "names,emailAddresses,phoneNumbers,memberships,clientData,externalIds,metadata"


def create(google, given, **extra):
    body = {"names": [{"givenName": given, "familyName": "Test"}], **extra}
    return call(google.people.people().createContact(body=body, personFields=FIELDS))


def error_of(excinfo):
    import json

    return excinfo.value.resp.status, json.loads(excinfo.value.content)["error"]


def test_create_get_and_batch_get(google):
    person = create(google, "Bob", emailAddresses=[{"value": "bob@example.org", "type": "work"}],
                    clientData=[{"key": "crm_id", "value": "42"}], externalIds=[{"value": "42", "type": "crm"}])
    assert person["resourceName"].startswith("people/c")
    assert person["names"][0]["displayName"] == "Bob Test"
    assert person["clientData"][0]["value"] == "42"
    assert person["memberships"][0]["contactGroupMembership"]["contactGroupResourceName"] == "contactGroups/myContacts"
    got = call(google.people.people().get(resourceName=person["resourceName"], personFields="names,clientData"))
    assert got["etag"] == person["etag"] and set(got) == {"resourceName", "etag", "names", "clientData"}
    batch = call(google.people.people().getBatchGet(resourceNames=[person["resourceName"], "people/c1"],
                                                    personFields="names"))
    assert [r.get("httpStatusCode") for r in batch["responses"]] == [200, 404]
    me = call(google.people.people().get(resourceName="people/me", personFields="emailAddresses"))
    assert me["emailAddresses"][0]["value"] == "ann@example.com"


def test_connections_pages_and_sync(google, emulator):
    emulator.control("POST", "/contacts", json={"email": "ann@example.com", "count": 25})
    connections = google.people.people().connections()
    seen, token, sync = [], None, None
    while True:
        page = call(connections.list(resourceName="people/me", personFields="names", pageSize=10,
                                     pageToken=token, requestSyncToken=True))
        seen += [p["resourceName"] for p in page["connections"]]
        token = page.get("nextPageToken")
        if not token:
            sync = page["nextSyncToken"]
            break
        assert "nextSyncToken" not in page
    assert len(seen) == len(set(seen)) == 25
    victim, changed = seen[3], seen[4]
    call(google.people.people().deleteContact(resourceName=victim))
    current = call(google.people.people().get(resourceName=changed, personFields="names"))
    call(google.people.people().updateContact(resourceName=changed, updatePersonFields="names",
                                              body={"etag": current["etag"], "names": [{"givenName": "New"}]}))
    delta = call(connections.list(resourceName="people/me", personFields="names", syncToken=sync,
                                  requestSyncToken=True))
    by_name = {p["resourceName"]: p for p in delta["connections"]}
    assert set(by_name) == {victim, changed}
    assert by_name[victim]["metadata"]["deleted"] is True
    assert by_name[changed]["names"][0]["givenName"] == "New"
    again = call(connections.list(resourceName="people/me", personFields="names", syncToken=delta["nextSyncToken"]))
    assert "connections" not in again


def test_page_token_requires_same_parameters(google, emulator):
    emulator.control("POST", "/contacts", json={"email": "ann@example.com", "count": 3})
    first = call(google.people.people().connections().list(resourceName="people/me", personFields="names",
                                                           pageSize=1))
    with pytest.raises(HttpError) as excinfo:
        google.people.people().connections().list(resourceName="people/me", personFields="names,emailAddresses",
                                                  pageSize=1, pageToken=first["nextPageToken"]).execute()
    assert error_of(excinfo)[0] == 400


def test_update_contact_checks_etag(google):
    person = create(google, "Eve")
    updated = call(google.people.people().updateContact(
        resourceName=person["resourceName"], updatePersonFields="phoneNumbers", personFields="phoneNumbers,names",
        body={"etag": person["etag"], "phoneNumbers": [{"value": "+7 900 000-00-00"}]}))
    assert updated["etag"] != person["etag"]
    assert updated["phoneNumbers"][0]["value"] == "+7 900 000-00-00"
    assert updated["names"][0]["givenName"] == "Eve"  # fields outside the mask are untouched
    with pytest.raises(HttpError) as excinfo:
        google.people.people().updateContact(resourceName=person["resourceName"], updatePersonFields="names",
                                             body={"etag": person["etag"], "names": [{"givenName": "X"}]}).execute()
    status, error = error_of(excinfo)
    assert status == 400 and error["status"] == "FAILED_PRECONDITION"
    assert error["message"].startswith("Request person.etag is different than the current person.etag")


def test_batch_create_update_delete(google):
    people = google.people.people()
    created = call(people.batchCreateContacts(body={
        "contacts": [{"contactPerson": {"names": [{"givenName": f"P{i}"}]}} for i in range(3)],
        "readMask": "names"}))["createdPeople"]
    assert [c["person"]["names"][0]["givenName"] for c in created] == ["P0", "P1", "P2"]
    contacts = {c["person"]["resourceName"]: {"etag": c["person"]["etag"], "names": [{"givenName": "Q"}]}
                for c in created}
    result = call(people.batchUpdateContacts(body={"contacts": contacts, "updateMask": "names",
                                                   "readMask": "names"}))["updateResult"]
    assert {r["person"]["names"][0]["givenName"] for r in result.values()} == {"Q"}
    call(people.batchDeleteContacts(body={"resourceNames": list(contacts)}))
    listing = call(people.connections().list(resourceName="people/me", personFields="names"))
    assert "connections" not in listing


def test_batch_limits(google):
    with pytest.raises(HttpError) as excinfo:
        google.people.people().batchCreateContacts(body={
            "contacts": [{"contactPerson": {}}] * 201, "readMask": "names"}).execute()
    assert error_of(excinfo)[1]["status"] == "INVALID_ARGUMENT"
    with pytest.raises(HttpError) as excinfo:
        google.people.people().batchDeleteContacts(body={"resourceNames": ["people/c1"] * 501}).execute()
    assert error_of(excinfo)[0] == 400


def test_singleton_fields_refused(google):
    with pytest.raises(HttpError) as excinfo:
        google.people.people().createContact(body={"names": [{"givenName": "A"}, {"givenName": "B"}]}).execute()
    assert error_of(excinfo)[0] == 400


def test_contact_groups(google):
    groups = google.people.contactGroups()
    listing = call(groups.list())
    names = {g["resourceName"] for g in listing["contactGroups"]}
    assert {"contactGroups/myContacts", "contactGroups/starred"} <= names
    group = call(groups.create(body={"contactGroup": {"name": "CRM"}}))
    assert group["groupType"] == "USER_CONTACT_GROUP"
    with pytest.raises(HttpError) as excinfo:
        groups.create(body={"contactGroup": {"name": "CRM"}}).execute()
    assert error_of(excinfo)[0] == 409
    person = create(google, "Member")
    result = call(groups.members().modify(resourceName=group["resourceName"], body={
        "resourceNamesToAdd": [person["resourceName"], "people/c404"]}))
    assert result["notFoundResourceNames"] == ["people/c404"]
    fetched = call(groups.get(resourceName=group["resourceName"], maxMembers=10))
    assert fetched["memberCount"] == 1 and fetched["memberResourceNames"] == [person["resourceName"]]
    renamed = call(groups.update(resourceName=group["resourceName"], body={
        "contactGroup": {"name": "CRM contacts", "etag": fetched["etag"]}}))
    assert renamed["name"] == "CRM contacts"
    got = call(groups.batchGet(resourceNames=[group["resourceName"]]))
    assert got["responses"][0]["contactGroup"]["name"] == "CRM contacts"
    # Removing the contact's only remaining groups: myContacts can go, the last one stays.
    call(groups.members().modify(resourceName="contactGroups/myContacts",
                                 body={"resourceNamesToRemove": [person["resourceName"]]}))
    last = call(groups.members().modify(resourceName=group["resourceName"],
                                        body={"resourceNamesToRemove": [person["resourceName"]]}))
    assert last["canNotRemoveLastContactGroupResourceNames"] == [person["resourceName"]]
    with pytest.raises(HttpError) as excinfo:
        groups.members().modify(resourceName="contactGroups/friends",
                                body={"resourceNamesToAdd": [person["resourceName"]]}).execute()
    assert error_of(excinfo)[0] == 400
    call(groups.delete(resourceName=group["resourceName"]))
    after = call(google.people.people().get(resourceName=person["resourceName"], personFields="memberships"))
    assert [m["contactGroupMembership"]["contactGroupId"] for m in after["memberships"]] == ["myContacts"]


def test_previous_resource_names(google, emulator):
    person = create(google, "Moved")
    sync = call(google.people.people().connections().list(
        resourceName="people/me", personFields="names", requestSyncToken=True))["nextSyncToken"]
    renamed = emulator.control("POST", "/people/rename", json={"email": "ann@example.com",
                                                               "resource_name": person["resourceName"]})
    delta = call(google.people.people().connections().list(resourceName="people/me", personFields="names,metadata",
                                                            syncToken=sync))
    entry = delta["connections"][0]
    assert entry["resourceName"] == renamed["resource_name"]
    assert entry["metadata"]["previousResourceNames"] == [person["resourceName"]]


def test_expired_sync_token(google, emulator):
    sync = call(google.people.people().connections().list(
        resourceName="people/me", personFields="names", requestSyncToken=True))["nextSyncToken"]
    emulator.control("POST", "/clock", json={"advance_days": 7.01})
    google = Google(emulator.url, emulator.token("ann@example.com", SCOPES))  # the old access token expired too
    with pytest.raises(HttpError) as excinfo:
        google.people.people().connections().list(resourceName="people/me", personFields="names",
                                                  syncToken=sync).execute()
    status, error = error_of(excinfo)
    assert status == 400
    assert error["details"][0]["reason"] == "EXPIRED_SYNC_TOKEN"


def test_people_batch_through_batch_http_request(google, emulator):
    from googleapiclient.http import BatchHttpRequest

    answers = []
    batch = BatchHttpRequest(callback=lambda rid, response, error: answers.append((rid, response, error)),
                             batch_uri=emulator.url + "/batch")
    for index in range(3):
        batch.add(google.people.people().createContact(body={"names": [{"givenName": f"B{index}"}]},
                                                       personFields="names"), request_id=str(index))
    batch.add(google.people.people().get(resourceName="people/c1", personFields="names"), request_id="missing")
    batch.execute()
    assert [a[1]["names"][0]["givenName"] for a in answers[:3]] == ["B0", "B1", "B2"]
    assert answers[3][2].resp.status == 404
