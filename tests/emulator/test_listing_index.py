"""The listings served from the per-user index (wizard/emulator/people_index.py) answer exactly what a scan of
the address book would: every change once in a sync, nothing twice across pages, deletions and renames in
place, the live count right, after many rewrites of the same contacts (the change log's compaction) and after
the state is saved and loaded (the index rebuilt)."""
from .discovery import call


def list_all(google, **params):
    """Every page of one listing: (resource names in order, the last page)."""
    connections = google.people.people().connections()
    names, token = [], None
    while True:
        page = call(connections.list(resourceName="people/me", personFields="names", pageSize=7, pageToken=token,
                                     **params))
        names += [p["resourceName"] for p in page.get("connections", [])]
        token = page.get("nextPageToken")
        if not token:
            return names, page


def update(google, name, given):
    current = call(google.people.people().get(resourceName=name, personFields="names"))
    call(google.people.people().updateContact(resourceName=name, updatePersonFields="names",
                                              body={"etag": current["etag"], "names": [{"givenName": given}]}))


def test_rewrites_deletions_and_renames_are_listed_once_in_place(google, emulator):
    created = emulator.control("POST", "/contacts", json={"email": "ann@example.com", "count": 40})["resource_names"]
    full, last = list_all(google, requestSyncToken=True)
    assert full == created and last["totalPeople"] == 40
    token = last["nextSyncToken"]
    group = call(google.people.contactGroups().create(body={"contactGroup": {"name": "Churn"}}))["resourceName"]
    members = google.people.contactGroups().members()
    for _round in range(15):  # 1,200 rewrites of 40 contacts: the change log outgrows the book and is compacted
        call(members.modify(resourceName=group, body={"resourceNamesToAdd": created}))
        call(members.modify(resourceName=group, body={"resourceNamesToRemove": created}))
    for name in created[:3]:
        update(google, name, "Last")
    call(google.people.people().deleteContact(resourceName=created[5]))
    renamed = emulator.control("POST", "/people/rename", json={"email": "ann@example.com",
                                                               "resource_name": created[6]})["resource_name"]
    delta, last = list_all(google, syncToken=token, requestSyncToken=True)
    assert delta == [*created[3:5], *created[7:], *created[:3], created[5], renamed]
    full, last = list_all(google)
    assert full == [n for n in created if n not in (created[5], created[6])] + [renamed]
    assert last["totalPeople"] == 39
    by_change, _ = list_all(google, sortOrder="LAST_MODIFIED_ASCENDING")
    assert by_change == [*created[3:5], *created[7:], *created[:3], renamed]


def test_a_change_during_paging_is_left_for_the_next_sync(google, emulator):
    created = emulator.control("POST", "/contacts", json={"email": "ann@example.com", "count": 20})["resource_names"]
    _names, last = list_all(google, requestSyncToken=True)
    token = last["nextSyncToken"]
    for name in created[:10]:
        update(google, name, "First")
    connections = google.people.people().connections()
    first = call(connections.list(resourceName="people/me", personFields="names", pageSize=7, syncToken=token))
    update(google, created[0], "Again")  # already listed on page 1: it is for the next sync
    names = [p["resourceName"] for p in first["connections"]]
    page = first
    while page.get("nextPageToken"):
        page = call(connections.list(resourceName="people/me", personFields="names", pageSize=7, syncToken=token,
                                     pageToken=page["nextPageToken"]))
        names += [p["resourceName"] for p in page.get("connections", [])]
    assert names == created[:10]
    again, _ = list_all(google, syncToken=page["nextSyncToken"])
    assert again == [created[0]]


def test_name_order_and_totals_after_a_reload(google, emulator, tmp_path):
    for given, family in (("Cy", "Brown"), ("Al", "Young"), ("Bo", "Adams")):
        call(google.people.people().createContact(body={"names": [{"givenName": given, "familyName": family}]}))
    state = emulator.state
    state.state_file = tmp_path / "state.json"
    try:
        state.save()
        state.load()  # the indexes are rebuilt from the loaded book
    finally:
        state.state_file = None
    by_last, last = list_all(google, sortOrder="LAST_NAME_ASCENDING")
    families = [call(google.people.people().get(resourceName=n, personFields="names"))["names"][0]["familyName"]
                for n in by_last]
    assert families == ["Adams", "Brown", "Young"] and last["totalPeople"] == 3
    call(google.people.people().createContact(body={"names": [{"givenName": "Di", "familyName": "Zed"}]}))
    full, last = list_all(google)
    assert len(full) == 4 and last["totalPeople"] == 4


def test_a_state_file_of_the_older_layout_loads_into_the_stored_json(google, emulator, tmp_path):
    """Older emulators saved a contact's fields as values beside its resource name (and no JSON text): such a
    file still loads, lists and updates."""
    import json

    created = call(google.people.people().createContact(body={"names": [{"givenName": "Old", "familyName": "File"}],
                                                              "emailAddresses": [{"value": "old@example.org"}]}))
    state = emulator.state
    path = tmp_path / "state.json"
    data = state.snapshot()
    for person in data["people"]["ann@example.com"].values():
        stored = person.pop("_js")
        person.update({k: json.loads(v) for k, v in stored.items() if k != "metadata"})
    path.write_text(json.dumps(data))
    state.state_file = path
    try:
        state.load()
    finally:
        state.state_file = None
    listed, _ = list_all(google)
    assert listed == [created["resourceName"]]
    again = call(google.people.people().get(resourceName=created["resourceName"],
                                            personFields="names,emailAddresses,metadata"))
    assert again["names"][0]["displayName"] == "Old File" and again["emailAddresses"][0]["value"] == "old@example.org"
    assert again["metadata"]["sources"][0]["etag"] == created["etag"]
    update(google, created["resourceName"], "New")
