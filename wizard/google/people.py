"""People API client: contacts and contact groups ("labels"), chunked to Google's batch limits.

Paths and parameters follow `people.v1.json`. Every write goes through the account's write lock and budget
(`Transport`); failures are domain errors (`wizard.google.errors`).
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from urllib.parse import quote

import orjson

from .errors import AlreadyExists, GoogleError, NotFound, StaleEtag, error_from_response
from .pacing import Pacer
from .transport import Transport

CREATE_CHUNK = 200  # people:batchCreateContacts
UPDATE_CHUNK = 200  # people:batchUpdateContacts
GET_CHUNK = 200  # people:batchGet
DELETE_CHUNK = 500  # people:batchDeleteContacts
MEMBERS_CHUNK = 1000  # contactGroups/*/members:modify, adds plus removes
GROUP_FIELDS = "name,groupType,memberCount,metadata,clientData"


def chunks(items: list, size: int) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


class Listing:
    """Pages of a listing; after full iteration `sync_token` holds the cursor for the next run.

    Iterate it once (`for page in listing`); each page is a list of items. The generator also *returns* the
    sync token, so `token = yield from listing.pages()` works too.
    """

    def __init__(self, fetch, items_key: str):
        self._fetch = fetch
        self._items_key = items_key
        self.sync_token: str | None = None
        self.pages_read = 0
        self.time_zone: str | None = None  # events.list: the calendar's zone, known once a page is read

    def __iter__(self):
        return self.pages()

    def pages(self):
        page_token = None
        while True:
            body = self._fetch(page_token) or {}
            self.pages_read += 1
            self.time_zone = body.get("timeZone") or self.time_zone
            yield body.get(self._items_key) or []
            page_token = body.get("nextPageToken")
            if not page_token:
                self.sync_token = body.get("nextSyncToken")
                return self.sync_token

    def items(self):
        """All items of all pages, flat."""
        for page in self:
            yield from page


class PeopleClient:
    """`PeopleClient(http, base_url, pacer=None)`; `base_url` like "https://people.googleapis.com/"."""

    def __init__(self, http, base_url: str, pacer: Pacer | None = None, timeout: float = 60):
        self.base_url = base_url.rstrip("/") + "/"
        self.transport = Transport(http, pacer, timeout)

    @property
    def pacer(self) -> Pacer:
        return self.transport.pacer

    def _url(self, path: str) -> str:
        return self.base_url + path

    def _call(self, method, path, **kw):
        return self.transport.call(method, self._url(path), **kw)

    # --- contacts: reads ------------------------------------------------------------------------------

    def list_connections(self, person_fields: str, sync_token: str | None = None, page_size: int = 1000) -> Listing:
        """The user's contacts, page by page; `Listing.sync_token` is set after the last page.

        Always requests a sync token. With `sync_token` only changes come back (deleted contacts with
        `metadata.deleted: true`); an expired token raises `SyncTokenExpired` (HTTP 400 EXPIRED_SYNC_TOKEN).
        Google requires every parameter to be repeated on each page, so all of them are sent every time.
        """
        params = {"personFields": person_fields, "pageSize": page_size, "requestSyncToken": "true"}
        if sync_token:
            params["syncToken"] = sync_token

        def fetch(page_token):
            page = dict(params, pageToken=page_token) if page_token else params
            return self._call("GET", "v1/people/me/connections", params=page)

        return Listing(fetch, "connections")

    def get(self, resource_name: str, person_fields: str) -> dict:
        return self._call("GET", f"v1/{_path(resource_name)}", params={"personFields": person_fields})

    def batch_get(self, resource_names: Iterable[str], person_fields: str) -> dict[str, dict | GoogleError]:
        """resource name -> person, or the domain error for that one (e.g. `NotFound`); chunks of 200."""
        results: dict[str, dict | GoogleError] = {}
        for chunk in chunks(list(resource_names), GET_CHUNK):
            body = self._call("GET", "v1/people:batchGet",
                              params={"resourceNames": chunk, "personFields": person_fields}) or {}
            for response in body.get("responses") or []:
                name = response.get("requestedResourceName")
                results[name] = _person_or_error(response)
        return results

    # --- contacts: writes -----------------------------------------------------------------------------

    def create(self, person: dict, person_fields: str | None = None) -> dict:
        params = {"personFields": person_fields} if person_fields else None
        return self._call("POST", "v1/people:createContact", params=params, json=person, idempotent=False)

    def update(self, resource_name: str, person: dict, update_fields: str, person_fields: str | None = None) -> dict:
        """PATCH one contact: the listed fields are replaced wholesale; `person["etag"]` guards it (StaleEtag)."""
        params = {"updatePersonFields": update_fields}
        if person_fields:
            params["personFields"] = person_fields
        return self._call("PATCH", f"v1/{_path(resource_name)}:updateContact", params=params, json=person)

    def delete(self, resource_name: str) -> None:
        self._call("DELETE", f"v1/{_path(resource_name)}:deleteContact")

    def detached(self, pacer=None) -> "PeopleClient":
        """A client whose calls may be sent from a worker thread (see `Transport.detached`, and its `pacer`);
        its requests are counted in `calls` of the client it came from once `settle_calls` is called. Before
        each call its owner renews the token: `other.transport.authorize(self.transport.active_token())`."""
        other = PeopleClient.__new__(PeopleClient)
        other.base_url = self.base_url
        other.transport = self.transport.detached(self.transport.active_token(), pacer)
        return other

    def settle_calls(self, other: "PeopleClient") -> None:
        """Count a detached client's requests and quota units as this client's."""
        self.transport.calls += other.transport.calls
        self.transport.units += other.transport.units
        other.transport.calls = other.transport.units = 0

    def batch_create(self, persons: Iterable[dict], read_mask: str) -> list[dict]:
        """Create contacts in chunks of 200; the created persons (with resourceName, etag), in input order.

        Not repeated after a network failure that may have followed Google's receipt (`Transient` with
        `ambiguous=True`): the contacts carry the CRM id in clientData, so the next listing finds them.
        """
        created: list[dict] = []
        for chunk in chunks(list(persons), CREATE_CHUNK):
            body = self._call("POST", "v1/people:batchCreateContacts", idempotent=False, json={
                "contacts": [{"contactPerson": person} for person in chunk], "readMask": read_mask}) or {}
            created.extend(_person_or_error(r) for r in body.get("createdPeople") or [])
        return created

    @staticmethod
    def create_payload(persons: list[dict], read_mask: str) -> bytes:
        """One batchCreateContacts request body (at most CREATE_CHUNK persons), encoded: made by a thread with
        time to spare while the previous batch is in flight, so that the sending thread only sends."""
        if len(persons) > CREATE_CHUNK:
            raise ValueError(f"a batch create holds at most {CREATE_CHUNK} contacts")
        return orjson.dumps({"contacts": [{"contactPerson": person} for person in persons], "readMask": read_mask})

    def send_create_payload(self, payload: bytes) -> bytes:
        """Send a `create_payload`; Google's answer undecoded (`created_people` decodes it), so that the
        sending thread is free again as soon as it arrives. Not repeated after an ambiguous network failure
        (see `batch_create`)."""
        answer = self._call("POST", "v1/people:batchCreateContacts", idempotent=False, data=payload,
                            headers={"Content-Type": "application/json; charset=utf-8"}, raw=True)
        return answer.content

    @staticmethod
    def created_people(answer: bytes) -> list[dict | GoogleError]:
        """The created persons of a `send_create_payload` answer, in input order (errors per item)."""
        body = orjson.loads(answer) if answer else {}
        return [_person_or_error(r) for r in body.get("createdPeople") or []]

    def batch_update(self, persons_by_resource_name: Mapping[str, dict], update_mask: str,
                     read_mask: str) -> dict[str, dict | GoogleError]:
        """Update contacts in chunks of 200 (each person carries its etag); resource name -> person or error.

        Google refuses a whole chunk when one contact's etag is stale (400 FAILED_PRECONDITION) or one is gone
        (404). Then the chunk's contacts are read again: the stale ones answer `StaleEtag` carrying the
        current person in `.current` (merge and retry), the missing ones `NotFound`, and the others are sent
        again once.
        """
        results: dict[str, dict | GoogleError] = {}
        names = list(persons_by_resource_name)
        for chunk in chunks(names, UPDATE_CHUNK):
            persons = {name: persons_by_resource_name[name] for name in chunk}
            try:
                results.update(self._update_chunk(persons, update_mask, read_mask))
            except (StaleEtag, NotFound):
                results.update(self._update_after_refusal(persons, update_mask, read_mask))
        return results

    def _update_chunk(self, persons: dict, update_mask: str, read_mask: str) -> dict:
        body = self._call("POST", "v1/people:batchUpdateContacts", json={
            "contacts": persons, "updateMask": update_mask, "readMask": read_mask}) or {}
        return {name: _person_or_error(response) for name, response in (body.get("updateResult") or {}).items()}

    def _update_after_refusal(self, persons: dict, update_mask: str, read_mask: str) -> dict:
        current = self.batch_get(list(persons), read_mask)
        results: dict = {}
        fresh = {}
        for name, person in persons.items():
            now = current.get(name)
            if now is None or isinstance(now, GoogleError):
                results[name] = now if isinstance(now, GoogleError) else NotFound("not returned", status=404)
            elif now.get("etag") != person.get("etag"):
                results[name] = StaleEtag("the contact changed in Google meanwhile", status=400,
                                          reason="FAILED_PRECONDITION", current=now)
            else:
                fresh[name] = person
        if fresh:
            try:
                results.update(self._update_chunk(fresh, update_mask, read_mask))
            except (StaleEtag, NotFound) as error:  # changed again meanwhile: no loop, the engine retries later
                results.update({name: error for name in fresh})
        return results

    def batch_delete(self, resource_names: Iterable[str]) -> None:
        for chunk in chunks(list(resource_names), DELETE_CHUNK):
            self._call("POST", "v1/people:batchDeleteContacts", json={"resourceNames": chunk})

    # --- contact groups -------------------------------------------------------------------------------

    def list_groups(self) -> list[dict]:
        """Every contact group (user and system groups), all pages."""
        def fetch(page_token):
            params = {"pageSize": 1000, "groupFields": GROUP_FIELDS}
            if page_token:
                params["pageToken"] = page_token
            return self._call("GET", "v1/contactGroups", params=params)

        return list(Listing(fetch, "contactGroups").items())

    def get_group(self, resource_name: str, max_members: int = 0) -> dict:
        params = {"maxMembers": max_members, "groupFields": GROUP_FIELDS}
        return self._call("GET", f"v1/{_path(resource_name)}", params=params)

    def find_group(self, name: str) -> dict | None:
        """The user group named `name` (exact, then case-insensitive), or None."""
        groups = [g for g in self.list_groups() if g.get("groupType", "USER_CONTACT_GROUP") == "USER_CONTACT_GROUP"]
        for group in groups:
            if group.get("name") == name:
                return group
        folded = name.casefold()
        return next((g for g in groups if (g.get("name") or "").casefold() == folded), None)

    def create_group(self, name: str) -> dict:
        """Create a label; when one with that name exists (409), answer the existing one instead."""
        try:
            return self._call("POST", "v1/contactGroups",
                              json={"contactGroup": {"name": name}, "readGroupFields": GROUP_FIELDS})
        except AlreadyExists:
            existing = self.find_group(name)
            if existing is None:
                raise
            return existing

    def rename_group(self, resource_name: str, name: str, etag: str | None = None) -> dict:
        """Rename a label (its etag is read first when not given)."""
        if etag is None:
            etag = self.get_group(resource_name).get("etag")
        group = {"resourceName": resource_name, "name": name}
        if etag:
            group["etag"] = etag
        return self._call("PUT", f"v1/{_path(resource_name)}", json={
            "contactGroup": group, "updateGroupFields": "name", "readGroupFields": GROUP_FIELDS})

    def delete_group(self, resource_name: str) -> None:
        """Delete a label, keeping its contacts."""
        self._call("DELETE", f"v1/{_path(resource_name)}", params={"deleteContacts": "false"})

    def modify_members(self, group: str, add: Iterable[str] = (), remove: Iterable[str] = ()) -> dict:
        """Add and remove contacts (at most 1000 per call, split automatically).

        Returns `{"notFoundResourceNames": [...], "canNotRemoveLastContactGroupResourceNames": [...]}` summed
        over the calls (Google keeps a contact in at least one group).
        """
        ops = [("resourceNamesToAdd", n) for n in add] + [("resourceNamesToRemove", n) for n in remove]
        summary = {"notFoundResourceNames": [], "canNotRemoveLastContactGroupResourceNames": []}
        for chunk in chunks(ops, MEMBERS_CHUNK):
            body: dict = {"resourceNamesToAdd": [], "resourceNamesToRemove": []}
            for key, name in chunk:
                body[key].append(name)
            answer = self._call("POST", f"v1/{_path(group)}/members:modify", json=body) or {}
            for key in summary:
                summary[key].extend(answer.get(key) or [])
        return summary

    @property
    def calls(self) -> int:
        return self.transport.calls


def _path(resource_name: str) -> str:
    return quote(resource_name, safe="/")


def _person_or_error(response: Mapping) -> dict | GoogleError:
    """A PersonResponse's person, or its per-item failure as a domain error."""
    status = response.get("status") or {}
    http_status = response.get("httpStatusCode") or 200
    if status.get("code") or http_status >= 400:
        code = http_status if http_status >= 400 else _RPC_TO_HTTP.get(status.get("code"), 500)
        return error_from_response(code, {"error": {"code": code, "message": status.get("message", ""),
                                                    "status": _RPC_NAMES.get(status.get("code")),
                                                    "details": status.get("details") or []}})
    return response.get("person") or {}


# google.rpc.Code numbers as HTTP statuses and canonical names (per-item status of batch answers)
_RPC_TO_HTTP = {3: 400, 5: 404, 6: 409, 7: 403, 8: 429, 9: 400, 10: 409, 13: 500, 14: 503, 16: 401}
_RPC_NAMES = {3: "INVALID_ARGUMENT", 5: "NOT_FOUND", 6: "ALREADY_EXISTS", 7: "PERMISSION_DENIED",
              8: "RESOURCE_EXHAUSTED", 9: "FAILED_PRECONDITION", 10: "ABORTED", 13: "INTERNAL",
              14: "UNAVAILABLE", 16: "UNAUTHENTICATED"}
