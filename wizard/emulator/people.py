"""People API v1: connections (with sync tokens, paged through `people_index`), get/batchGet, contact writes,
and the stored form of a contact (the JSON text of its fields)."""
import json
import re

from . import tokens
from .clock import rfc3339
from .errors import ApiError, invalid_argument, not_found
from .people_index import index_of, take
from .routing import RawJson, route

CONTACTS = "https://www.googleapis.com/auth/contacts"
READ = [CONTACTS, "https://www.googleapis.com/auth/contacts.readonly"]
WRITE = [CONTACTS]
RPC = "google.people.v1.PeopleService."
GROUP_RPC = "google.people.v1.ContactGroupService."

READABLE_FIELDS = {
    "addresses", "ageRanges", "biographies", "birthdays", "calendarUrls", "clientData", "coverPhotos",
    "emailAddresses", "events", "externalIds", "genders", "imClients", "interests", "locales", "locations",
    "memberships", "metadata", "miscKeywords", "names", "nicknames", "occupations", "organizations",
    "phoneNumbers", "photos", "relations", "sipAddresses", "skills", "urls", "userDefined",
}
UPDATABLE_FIELDS = {
    "addresses", "biographies", "birthdays", "calendarUrls", "clientData", "emailAddresses", "events",
    "externalIds", "genders", "imClients", "interests", "locales", "locations", "memberships",
    "miscKeywords", "names", "nicknames", "occupations", "organizations", "phoneNumbers", "relations",
    "sipAddresses", "urls", "userDefined",
}
SINGLETONS = ("names", "birthdays", "biographies", "genders")
LIST_CAPPED = ("emailAddresses", "phoneNumbers")
SORT_ORDERS = {"LAST_MODIFIED_ASCENDING", "LAST_MODIFIED_DESCENDING", "FIRST_NAME_ASCENDING",
               "LAST_NAME_ASCENDING"}
SYSTEM_GROUPS = {
    "myContacts": "My Contacts", "starred": "Starred", "friends": "Friends", "family": "Family",
    "coworkers": "Coworkers", "chatBuddies": "Chat contacts", "all": "All contacts", "blocked": "Blocked",
}
MEMBER_GROUPS = {"contactGroups/myContacts", "contactGroups/starred"}
EXPIRED_SYNC = ("Sync token is expired. Clear local cache and retry call without the sync token.")
STALE_ETAG = ("Request person.etag is different than the current person.etag. Clear local cache and get the "
              "latest person.")


# ---- setup of a user's address book ---------------------------------------------------------------------

def init_user(state, email):
    state.people.setdefault(email, {})
    groups = state.groups.setdefault(email, {})
    for group_id, formatted in SYSTEM_GROUPS.items():
        name = f"contactGroups/{group_id}"
        groups.setdefault(name, {"resourceName": name, "etag": state.new_etag(), "name": group_id,
                                 "formattedName": formatted, "groupType": "SYSTEM_CONTACT_GROUP",
                                 "_seq": state.next_seq(), "_updated": state.now()})


def book(call):
    return call.state.people.setdefault(call.email, {})


# ---- masks and rendering -----------------------------------------------------------------------------

def field_mask(value, allowed, name):
    if value is None or value == "":
        return None
    fields = {f.strip() for f in value.split(",") if f.strip()}
    unknown = fields - allowed
    if unknown:
        bad = sorted(unknown)[0]
        raise invalid_argument(f"Invalid {name} path: \"{bad}\". Valid fields are listed in the API docs.")
    return fields


def person_fields(call, name="personFields", required=True):
    value = call.arg(name)
    if not value:
        if required:
            raise invalid_argument(f"{name} mask is required. Please specify one or more valid paths. Valid "
                                   "paths are documented at https://developers.google.com/people/api/rest/v1/"
                                   "people/get.")
        return set(READABLE_FIELDS)
    return field_mask(value, READABLE_FIELDS, name)


def source(state, person):
    return {"type": "CONTACT", "id": person["resourceName"].split("/c", 1)[-1], "etag": person["etag"],
            "updateTime": rfc3339(person["_updated"])}


def render(state, person, fields, capped=False):
    """A contact as the API answers it (a dict), from its stored JSON."""
    return json.loads(render_json(state, person, fields, capped))


def decorate(person, field, items):
    """Add what Google computes on write: field metadata, display names, formatted types."""
    contact_id = person["resourceName"].split("/c", 1)[-1]
    result = []
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            raise invalid_argument(f"Invalid value at 'person.{field}[{index}]'.")
        item = {k: v for k, v in item.items() if k != "metadata"}
        item["metadata"] = {"primary": index == 0, "source": {"type": "CONTACT", "id": contact_id}}
        if index == 0:
            item["metadata"]["sourcePrimary"] = True
        if field == "names":
            given, family = item.get("givenName", ""), item.get("familyName", "")
            middle = item.get("middleName", "")
            display = " ".join(p for p in (item.get("honorificPrefix", ""), given, middle, family,
                                           item.get("honorificSuffix", "")) if p)
            display = display or item.get("unstructuredName", "")
            if display:
                item["displayName"] = display
                item["displayNameLastFirst"] = ", ".join(p for p in (family, " ".join(
                    x for x in (given, middle) if x)) if p) or display
                item.setdefault("unstructuredName", display)
        if field == "memberships":
            membership = item.get("contactGroupMembership") or {}
            group = membership.get("contactGroupResourceName") or (
                f"contactGroups/{membership['contactGroupId']}" if membership.get("contactGroupId") else None)
            if not group:
                raise invalid_argument("Membership must set contactGroupMembership.contactGroupResourceName.")
            item = {"metadata": {"source": {"type": "CONTACT", "id": contact_id}},
                    "contactGroupMembership": {"contactGroupId": group.split("/", 1)[1],
                                               "contactGroupResourceName": group}}
        if item.get("type") and field not in ("clientData",):
            item["formattedType"] = item["type"][:1].upper() + item["type"][1:]
        if field == "phoneNumbers" and item.get("value") and "canonicalForm" not in item:
            digits = "".join(c for c in item["value"] if c.isdigit())
            if item["value"].strip().startswith("+") and digits:
                item["canonicalForm"] = "+" + digits
        result.append(item)
    return result


def apply_fields(state, email, person, body, fields):
    for field in fields:
        items = body.get(field) or []
        if not isinstance(items, list):
            raise invalid_argument(f"Invalid value at 'person.{field}', expected a list.")
        if field in SINGLETONS and len(items) > 1:
            raise invalid_argument(f"Only one {field[:-1] if field != 'biographies' else 'biography'} is "
                                   "allowed per contact.")
        if field == "memberships":
            check_memberships(state, email, items)
        store_field(person, field, decorate(person, field, items) if items else None)
    if "memberships" in fields and not has_field(person, "memberships"):
        # A contact always keeps at least one group.
        store_field(person, "memberships", decorate(person, "memberships", [
            {"contactGroupMembership": {"contactGroupResourceName": "contactGroups/myContacts"}}]))


def check_memberships(state, email, items):
    groups = state.groups.get(email, {})
    for item in items:
        membership = (item or {}).get("contactGroupMembership") or {}
        group = membership.get("contactGroupResourceName") or f"contactGroups/{membership.get('contactGroupId')}"
        if group not in groups:
            raise invalid_argument(f"Contact group resource name is invalid: {group}")
        if groups[group]["groupType"] == "SYSTEM_CONTACT_GROUP" and group not in MEMBER_GROUPS:
            raise ApiError(400, f"Cannot add contacts to system contact group: {group}",
                           status="FAILED_PRECONDITION")


def touch(state, person, email=None):
    """Record a write: new etag and change sequence; a contact also gets its metadata JSON (source etag and
    update time) and its place in its owner's (`email`) change index. Groups pass no email."""
    person["etag"] = state.new_etag()
    person["_seq"] = state.next_seq()
    person["_updated"] = state.now()
    if person["resourceName"].startswith("people/"):
        person.setdefault("_js", {})["metadata"] = dumps(metadata(state, person))
        if email is None:
            raise TypeError("a contact's write needs its owner's email (for the change index)")
        index_of(state, email).changed(person)


FIELD_ORDER = sorted(READABLE_FIELDS)


def dumps(value):
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


# ---- stored form -------------------------------------------------------------------------------------------
# A contact is stored as the JSON text of each of its fields (`_js`: field -> text), beside its resource name,
# etag and bookkeeping (`_n` creation number, `_seq` change sequence, `_updated`, `_deleted`, `_prev`). The
# text is what a listing sends, so a page only joins strings, and memory per contact stays close to its JSON
# size (decoded dicts and lists cost about five times as much). Code that needs a value decodes it.

def value(person, field, default=None):
    """A field's value, decoded from its stored JSON (a fresh copy: write changes back with store_field)."""
    text = person["_js"].get(field)
    return default if text is None else json.loads(text)


def has_field(person, field):
    return field in person["_js"]


def store_field(person, field, items):
    """Store a field's value as its JSON; an empty or missing value removes the field."""
    if items:
        person["_js"][field] = dumps(items)
    else:
        person["_js"].pop(field, None)


def metadata(state, person):
    meta = {"sources": [source(state, person)], "objectType": "PERSON"}
    if person.get("_prev"):
        meta["previousResourceNames"] = list(person["_prev"])
    if person.get("_deleted"):
        meta["deleted"] = True
    return meta


def compact(state, person):
    """A contact loaded in the layout of older state files (fields as values beside `resourceName`): its
    fields moved into their JSON text."""
    stored = person.setdefault("_js", {})
    for field in [k for k in person if not k.startswith("_") and k not in ("resourceName", "etag")]:
        stored[field] = dumps(person.pop(field))
    stored["metadata"] = dumps(metadata(state, person))


def render_json(state, person, fields, capped=False):
    """A contact as the API answers it, as JSON text joined from its stored fields."""
    stored = person["_js"]
    parts = ['"resourceName":' + dumps(person["resourceName"]), '"etag":' + dumps(person["etag"])]
    if person.get("_deleted"):
        parts.append('"metadata":' + stored["metadata"])
    else:
        for field in FIELD_ORDER:
            if field in fields and field in stored:
                text = stored[field]
                if capped and field in LIST_CAPPED and len(text) > CAP_CHECK_LENGTH:
                    items = json.loads(text)
                    text = dumps(items[:100]) if len(items) > 100 else text
                parts.append(f'"{field}":{text}')
    return "{" + ",".join(parts) + "}"


# A list field shorter than this cannot hold over 100 entries (each is at least 20 characters of JSON).
CAP_CHECK_LENGTH = 100 * 20


def new_person(state, email, body):
    n = state.next_seq()
    person = {"resourceName": f"people/c{7000000000000000000 + n}", "_n": n, "_updated": state.now(), "_js": {}}
    fields = [f for f in UPDATABLE_FIELDS if f in body]
    apply_fields(state, email, person, body, fields)
    memberships = value(person, "memberships", [])
    if not memberships:
        store_field(person, "memberships", decorate(person, "memberships", [
            {"contactGroupMembership": {"contactGroupResourceName": "contactGroups/myContacts"}}]))
    elif not any(m["contactGroupMembership"]["contactGroupId"] == "myContacts" for m in memberships):
        store_field(person, "memberships", decorate(person, "memberships", [
            *memberships, {"contactGroupMembership": {"contactGroupResourceName": "contactGroups/myContacts"}}]))
    index = index_of(state, email)
    touch(state, person, email)
    state.people[email][person["resourceName"]] = person
    index.created(person)
    return person


CONTACT_NAME = re.compile(r"^people/c\d+$")


def live(call, resource_name):
    if not CONTACT_NAME.match(resource_name or ""):
        raise invalid_argument(f"Resource name \"{resource_name}\" is not a valid contact resource name.")
    person = book(call).get(resource_name)
    if person is None or person.get("_deleted"):
        raise not_found("Requested entity was not found.")
    return person


def resource(call):
    return f"people/{call.params['peopleId']}"


# ---- sync tokens -----------------------------------------------------------------------------------------

def read_sync_token(call, token, kind="people"):
    data = tokens.decode(token)
    if not data or data.get("k") != kind or data.get("u") != call.email:
        raise invalid_argument("Sync token is invalid.")
    state = call.state
    epoch = state.sync_epochs.get(call.email, {}).get(kind, 0)
    lifetime = state.settings["people_sync_token_lifetime"]
    if data["t"] < epoch or state.now() - data["t"] > lifetime:
        raise ApiError(400, EXPIRED_SYNC, status="FAILED_PRECONDITION", reason="EXPIRED_SYNC_TOKEN",
                       domain="people.googleapis.com")
    return data


def make_sync_token(call, seq, issued, kind="people"):
    return tokens.encode({"k": kind, "u": call.email, "s": seq, "t": issued})


# ---- people.connections.list ---------------------------------------------------------------------------

@route("GET", "/v1/people/{peopleId}/connections", "people", READ, RPC + "ListConnections")
def list_connections(call):
    if call.params["peopleId"] != "me":
        raise invalid_argument("Only people/me is supported for connections.")
    fields = person_fields(call)
    page_size = call.int_arg("pageSize", 100)
    if not 1 <= page_size <= 1000 and page_size != 0:
        raise invalid_argument("Page size must be less than or equal to 1000.")
    page_size = page_size or 100
    sort_order = call.arg("sortOrder")
    if sort_order and sort_order not in SORT_ORDERS:
        raise invalid_argument(f"Invalid value at 'sort_order', \"{sort_order}\"")
    sync_token = call.arg("syncToken")
    request_sync = call.flag("requestSyncToken")
    params = {k: v for k, v in call.request.args.items() if k not in ("pageToken", "pageSize")}
    fingerprint = tokens.params_hash(params)
    state = call.state
    page_token = call.arg("pageToken")
    if page_token:
        cursor = tokens.decode(page_token)
        if not cursor or cursor.get("h") != fingerprint or cursor.get("u") != call.email:
            raise invalid_argument("Parameters provided with the page token did not match the previous "
                                   "request.")
    else:
        cursor = {"after": 0, "snap": state.seq, "t": state.now(), "o": 0}
        if not sync_token:
            # The first page of a full sync has its own, smaller quota.
            limit = state.quotas.get("people", {}).get("full_sync_first_pages_per_minute")
            call.app.take(("full-sync", call.email, "people"), limit, "people", 429)
    index = index_of(state, call.email)
    if sync_token:
        since = read_sync_token(call, sync_token)["s"]
        changes = index.in_change_order(max(since, cursor["after"]), upto=cursor["snap"])
        page, more = take(changes, page_size)
        next_cursor = dict(cursor, after=page[-1]["_seq"]) if more else None
        total = None
    else:
        page, more, next_cursor = full_page(index, cursor, sort_order, page_size)
        total = index.live
    response = {}
    if next_cursor:
        next_cursor.update(h=fingerprint, u=call.email)
        response["nextPageToken"] = tokens.encode(next_cursor)
    elif request_sync or sync_token:
        response["nextSyncToken"] = make_sync_token(call, cursor["snap"], cursor["t"])
    if total is not None:
        response["totalPeople"] = total
        response["totalItems"] = total
    if not page:
        return response
    connections = ",".join(render_json(state, p, fields, capped=True) for p in page)
    rest = dumps(response)[1:]
    return RawJson('{"connections":[' + connections + "]" + ("," + rest if rest != "}" else "}"))


def full_page(index, cursor, sort_order, page_size):
    """One page of a full listing, from the index: (people, more, next cursor)."""
    if sort_order and sort_order != "LAST_MODIFIED_ASCENDING":
        names = index.sorted_names(sort_order, cursor["snap"], sort_key(sort_order))
        offset = cursor["o"]
        people = (index.book.get(name) for name in names[offset:offset + page_size])
        page = [p for p in people if p is not None and not p.get("_deleted")]
        more = offset + page_size < len(names)
        return page, more, (dict(cursor, o=offset + page_size) if more else None)
    if sort_order == "LAST_MODIFIED_ASCENDING":
        page, more = take(index.in_change_order(cursor["after"], live_only=True), page_size)
        key = "_seq"
    else:
        page, more = take(index.in_creation_order(cursor["after"]), page_size)
        key = "_n"
    return page, more, (dict(cursor, after=page[-1][key]) if more else None)


def sort_key(order):
    def first(p):
        names = value(p, "names") or [{}]
        return (names[0].get("givenName") or "").lower()

    def last(p):
        names = value(p, "names") or [{}]
        return (names[0].get("familyName") or "").lower()

    if order == "FIRST_NAME_ASCENDING":
        return first
    if order == "LAST_NAME_ASCENDING":
        return last
    return lambda p: -p["_seq"]


# ---- get / batchGet ------------------------------------------------------------------------------------

def profile(call):
    user = call.state.users[call.email]
    return {"resourceName": f"people/{user['sub']}", "etag": "%EgMBAgM=",
            "names": [{"displayName": user["name"], "unstructuredName": user["name"],
                       "metadata": {"primary": True, "source": {"type": "PROFILE", "id": user["sub"]}}}],
            "emailAddresses": [{"value": call.email, "metadata": {"primary": True, "verified": True,
                                                                  "source": {"type": "ACCOUNT",
                                                                             "id": user["sub"]}}}]}


@route("GET", "/v1/people/{peopleId}", "people", READ, RPC + "GetPerson")
def get_person(call):
    fields = person_fields(call)
    if call.params["peopleId"] == "me":
        me = profile(call)
        return {k: v for k, v in me.items() if k in ("resourceName", "etag") or k in fields}
    return render(call.state, live(call, resource(call)), fields)


@route("GET", "/v1/people:batchGet", "people", READ, RPC + "GetPeople")
def batch_get(call):
    fields = person_fields(call)
    names = call.args("resourceNames")
    if not names:
        raise invalid_argument("resourceNames must not be empty.")
    if len(names) > 200:
        raise invalid_argument("Too many resourceNames: at most 200 per request.")
    responses = []
    for name in names:
        person = book(call).get(name)
        if person is None or person.get("_deleted"):
            responses.append({"requestedResourceName": name, "httpStatusCode": 404,
                              "status": {"code": 5, "message": "Requested entity was not found."}})
        else:
            responses.append({"requestedResourceName": name, "httpStatusCode": 200,
                              "person": render(call.state, person, fields), "status": {}})
    return {"responses": responses}


# ---- writes ----------------------------------------------------------------------------------------------

@route("POST", "/v1/people:createContact", "people", WRITE, RPC + "CreateContact")
def create_contact(call):
    fields = person_fields(call, required=False)
    body = call.body()
    person = new_person(call.state, call.email, body)
    return render(call.state, person, fields)


def update_one(call, person, body, update_fields):
    etag = body.get("etag") or ((body.get("metadata") or {}).get("sources") or [{}])[0].get("etag")
    if not etag:
        raise invalid_argument("Request must set person.etag or person.metadata.sources.etag for the source "
                               "that is being updated.")
    if etag != person["etag"]:
        raise ApiError(400, STALE_ETAG, status="FAILED_PRECONDITION")
    apply_fields(call.state, call.email, person, body, update_fields)
    touch(call.state, person, call.email)


def update_mask(value, name="updatePersonFields"):
    if not value:
        raise invalid_argument(f"{name} mask is required. Please specify one or more valid paths.")
    return field_mask(value, UPDATABLE_FIELDS, name)


@route("PATCH", "/v1/people/{peopleId}:updateContact", "people", WRITE, RPC + "UpdateContact")
def update_contact(call):
    fields = person_fields(call, required=False)
    update_fields = update_mask(call.arg("updatePersonFields"))
    body = call.body()
    if body.get("resourceName") and body["resourceName"] != resource(call):
        raise invalid_argument("Resource name in the request does not match the person.resourceName.")
    person = live(call, resource(call))
    update_one(call, person, body, update_fields)
    return render(call.state, person, fields)


@route("DELETE", "/v1/people/{peopleId}:deleteContact", "people", WRITE, RPC + "DeleteContact")
def delete_contact(call):
    person = live(call, resource(call))
    bury(call.state, person, call.email)
    return {}


def bury(state, person, email):
    person["_js"] = {}
    person["_deleted"] = True
    touch(state, person, email)


def read_mask(body):
    mask = body.get("readMask")
    if not mask:
        raise invalid_argument("readMask is required. Please specify one or more valid paths.")
    return field_mask(mask, READABLE_FIELDS, "readMask")


@route("POST", "/v1/people:batchCreateContacts", "people", WRITE, RPC + "BatchCreateContacts")
def batch_create(call):
    body = call.body()
    contacts = body.get("contacts") or []
    if not contacts:
        raise invalid_argument("contacts must not be empty.")
    if len(contacts) > 200:
        raise invalid_argument("Too many contacts in the batch request: at most 200 are allowed.")
    fields = read_mask(body)
    created = []
    for item in contacts:
        person = new_person(call.state, call.email, item.get("contactPerson") or {})
        created.append({"httpStatusCode": 200, "person": render(call.state, person, fields),
                        "requestedResourceName": person["resourceName"], "status": {}})
    return {"createdPeople": created}


@route("POST", "/v1/people:batchUpdateContacts", "people", WRITE, RPC + "BatchUpdateContacts")
def batch_update(call):
    body = call.body()
    contacts = body.get("contacts") or {}
    if not isinstance(contacts, dict) or not contacts:
        raise invalid_argument("contacts must not be empty.")
    if len(contacts) > 200:
        raise invalid_argument("Too many contacts in the batch request: at most 200 are allowed.")
    update_fields = update_mask(body.get("updateMask"), "updateMask")
    fields = read_mask(body)
    targets = {}
    for name, person_body in contacts.items():
        person = live(call, name)
        etag = (person_body or {}).get("etag")
        if not etag:
            raise invalid_argument("Request must set person.etag for every contact.")
        if etag != person["etag"]:
            raise ApiError(400, STALE_ETAG, status="FAILED_PRECONDITION")
        targets[name] = person
    result = {}
    for name, person in targets.items():
        update_one(call, person, contacts[name], update_fields)
        result[name] = {"httpStatusCode": 200, "person": render(call.state, person, fields),
                        "requestedResourceName": name, "status": {}}
    return {"updateResult": result}


@route("POST", "/v1/people:batchDeleteContacts", "people", WRITE, RPC + "BatchDeleteContacts")
def batch_delete(call):
    names = call.body().get("resourceNames") or []
    if not names:
        raise invalid_argument("resourceNames must not be empty.")
    if len(names) > 500:
        raise invalid_argument("Too many resource names: at most 500 are allowed.")
    people = [live(call, name) for name in names]
    for person in people:
        bury(call.state, person, call.email)
    return {}


# ---- control helpers -------------------------------------------------------------------------------------

def rename(state, email, resource_name):
    """Give a contact a new resource name, as Google sometimes does (e.g. after a merge)."""
    contacts = state.people.get(email, {})
    person = contacts.get(resource_name)
    if person is None or person.get("_deleted"):
        return None
    n = state.next_seq()
    new_name = f"people/c{7100000000000000000 + n}"
    moved = dict(person, resourceName=new_name, _n=n, _prev=[*person.get("_prev", ()), resource_name],
                 _js=dict(person["_js"]))
    for field in [f for f in moved["_js"] if f != "metadata"]:
        items = value(moved, field)
        for item in items:
            if isinstance(item, dict) and "metadata" in item and "source" in item["metadata"]:
                item["metadata"]["source"]["id"] = new_name.split("/c", 1)[1]
        store_field(moved, field, items)
    index = index_of(state, email)
    touch(state, moved, email)
    del contacts[resource_name]
    contacts[new_name] = moved
    index.removed(resource_name)
    index.created(moved)
    return moved
