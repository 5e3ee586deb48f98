"""People API v1 contact groups (Google's "labels"): list, get, batchGet, create (409 on a duplicate name),
update, delete and members:modify with Google's membership rules."""
import re
import secrets

from . import tokens
from .clock import rfc3339
from .errors import ApiError, invalid_argument, not_found
from .people import (GROUP_RPC, MEMBER_GROUPS, READ, WRITE, book, bury, decorate, field_mask, make_sync_token,
                     read_sync_token, store_field, touch, value)
from .routing import route

GROUP_FIELDS = {"clientData", "groupType", "memberCount", "metadata", "name"}
DEFAULT_GROUP_FIELDS = {"metadata", "groupType", "memberCount", "name"}


def groups_of(call):
    return call.state.groups.setdefault(call.email, {})


GROUP_NAME = re.compile(r'"contactGroupResourceName":"([^"]+)"')


def member_index(call):
    """Group -> member resource names, read from the memberships' stored JSON without decoding it (the
    address book can hold 100,000 contacts)."""
    members = {}
    for person in book(call).values():
        if person.get("_deleted"):
            continue
        for group in GROUP_NAME.findall(person["_js"].get("memberships", "")):
            members.setdefault(group, []).append(person["resourceName"])
    return members


def render_group(group, fields, members, max_members=0):
    out = {"resourceName": group["resourceName"], "etag": group["etag"]}
    if group.get("_deleted"):
        out["metadata"] = {"deleted": True, "updateTime": rfc3339(group["_updated"])}
        return out
    own = members.get(group["resourceName"], [])
    if "metadata" in fields:
        out["metadata"] = {"updateTime": rfc3339(group["_updated"])}
    if "groupType" in fields:
        out["groupType"] = group["groupType"]
    if "name" in fields:
        out["name"] = group["name"]
        out["formattedName"] = group["formattedName"]
    if "memberCount" in fields and group["resourceName"] != "contactGroups/all":
        out["memberCount"] = len(own)
    if "clientData" in fields and group.get("clientData"):
        out["clientData"] = group["clientData"]
    if max_members and own:
        out["memberResourceNames"] = own[:max_members]
    return out


def group_fields(value):
    return field_mask(value, GROUP_FIELDS, "groupFields") or set(DEFAULT_GROUP_FIELDS)


def live_group(call, name):
    group = groups_of(call).get(name)
    if group is None or group.get("_deleted"):
        raise not_found("Requested entity was not found.")
    return group


@route("GET", "/v1/contactGroups", "people", READ, GROUP_RPC + "ListContactGroups")
def list_groups(call):
    fields = group_fields(call.arg("groupFields"))
    page_size = call.int_arg("pageSize", 30)
    if not 1 <= page_size <= 1000:
        raise invalid_argument("Page size must be between 1 and 1000.")
    since = None
    if call.arg("syncToken"):
        since = read_sync_token(call, call.arg("syncToken"), "groups")["s"]
    groups = sorted(groups_of(call).values(), key=lambda g: g["_seq"])
    if since is None:
        groups = [g for g in groups if not g.get("_deleted")]
    else:
        groups = [g for g in groups if g["_seq"] > since]
    offset = 0
    if call.arg("pageToken"):
        cursor = tokens.decode(call.arg("pageToken"))
        if not cursor or cursor.get("u") != call.email:
            raise invalid_argument("Page token is invalid.")
        offset = cursor["o"]
    members = member_index(call)
    page = groups[offset:offset + page_size]
    response = {"contactGroups": [render_group(g, fields, members) for g in page],
                "totalItems": len(groups)}
    if offset + page_size < len(groups):
        response["nextPageToken"] = tokens.encode({"o": offset + page_size, "u": call.email})
    else:
        response["nextSyncToken"] = make_sync_token(call, call.state.seq, call.state.now(), "groups")
    return response


@route("GET", "/v1/contactGroups:batchGet", "people", READ, GROUP_RPC + "BatchGetContactGroups")
def batch_get_groups(call):
    fields = group_fields(call.arg("groupFields"))
    names = call.args("resourceNames")
    if not names or len(names) > 200:
        raise invalid_argument("resourceNames must list 1 to 200 contact groups.")
    members = member_index(call)
    responses = []
    for name in names:
        group = groups_of(call).get(name)
        if group is None or group.get("_deleted"):
            responses.append({"requestedResourceName": name,
                              "status": {"code": 5, "message": "Requested entity was not found."}})
        else:
            responses.append({"requestedResourceName": name, "status": {},
                              "contactGroup": render_group(group, fields, members,
                                                           call.int_arg("maxMembers", 0))})
    return {"responses": responses}


@route("GET", "/v1/contactGroups/{contactGroupsId}", "people", READ, GROUP_RPC + "GetContactGroup")
def get_group(call):
    group = live_group(call, f"contactGroups/{call.params['contactGroupsId']}")
    return render_group(group, group_fields(call.arg("groupFields")), member_index(call),
                        call.int_arg("maxMembers", 0))


def check_group_name(call, name, exclude=None):
    if not isinstance(name, str) or not name.strip():
        raise invalid_argument("Contact group name must not be empty.")
    for group in groups_of(call).values():
        if group.get("_deleted") or group["resourceName"] == exclude:
            continue
        if group["name"] == name or group["formattedName"] == name:
            raise ApiError(409, "Contact group name already exists.", status="ALREADY_EXISTS",
                           reason="DUPLICATE_CONTACT_GROUP_NAME", domain="people.googleapis.com")


@route("POST", "/v1/contactGroups", "people", WRITE, GROUP_RPC + "CreateContactGroup")
def create_group(call):
    body = call.body()
    data = body.get("contactGroup") or {}
    check_group_name(call, data.get("name"))
    fields = field_mask(body.get("readGroupFields"), GROUP_FIELDS, "readGroupFields") or set(DEFAULT_GROUP_FIELDS)
    name = f"contactGroups/{secrets.token_hex(6)}"
    group = {"resourceName": name, "name": data["name"], "formattedName": data["name"],
             "groupType": "USER_CONTACT_GROUP"}
    if data.get("clientData"):
        group["clientData"] = [{"key": c.get("key"), "value": c.get("value")} for c in data["clientData"]]
    touch(call.state, group)
    groups_of(call)[name] = group
    return render_group(group, fields, {})


@route("PUT", "/v1/contactGroups/{contactGroupsId}", "people", WRITE, GROUP_RPC + "UpdateContactGroup")
def update_group(call):
    name = f"contactGroups/{call.params['contactGroupsId']}"
    group = live_group(call, name)
    if group["groupType"] == "SYSTEM_CONTACT_GROUP":
        raise ApiError(400, "Cannot update a system contact group.", status="FAILED_PRECONDITION")
    body = call.body()
    data = body.get("contactGroup") or {}
    if data.get("etag") and data["etag"] != group["etag"]:
        raise ApiError(400, "Request contactGroup.etag is different than the current contactGroup.etag.",
                       status="FAILED_PRECONDITION")
    update = field_mask(body.get("updateGroupFields"), {"name", "clientData"}, "updateGroupFields") or {"name"}
    if "name" in update:
        check_group_name(call, data.get("name"), exclude=name)
        group["name"] = group["formattedName"] = data["name"]
    if "clientData" in update:
        group["clientData"] = [{"key": c.get("key"), "value": c.get("value")} for c in data.get("clientData") or []]
    touch(call.state, group)
    fields = field_mask(body.get("readGroupFields"), GROUP_FIELDS, "readGroupFields") or set(DEFAULT_GROUP_FIELDS)
    return render_group(group, fields, member_index(call))


@route("DELETE", "/v1/contactGroups/{contactGroupsId}", "people", WRITE, GROUP_RPC + "DeleteContactGroup")
def delete_group(call):
    name = f"contactGroups/{call.params['contactGroupsId']}"
    group = live_group(call, name)
    if group["groupType"] == "SYSTEM_CONTACT_GROUP":
        raise ApiError(400, "Cannot delete a system contact group.", status="FAILED_PRECONDITION")
    delete_contacts = call.flag("deleteContacts")
    for person in book(call).values():
        if person.get("_deleted"):
            continue
        current = value(person, "memberships", [])
        kept = [m for m in current if m["contactGroupMembership"]["contactGroupResourceName"] != name]
        if len(kept) != len(current):
            if delete_contacts:
                bury(call.state, person, call.email)
                continue
            store_field(person, "memberships", kept or decorate(person, "memberships", [
                {"contactGroupMembership": {"contactGroupResourceName": "contactGroups/myContacts"}}]))
            touch(call.state, person, call.email)
    group["_deleted"] = True
    touch(call.state, group)
    return {}


@route("POST", "/v1/contactGroups/{contactGroupsId}/members:modify", "people", WRITE,
       GROUP_RPC + "ModifyContactGroupMembers")
def modify_members(call):
    name = f"contactGroups/{call.params['contactGroupsId']}"
    group = live_group(call, name)
    if group["groupType"] == "SYSTEM_CONTACT_GROUP" and name not in MEMBER_GROUPS:
        raise ApiError(400, f"Cannot modify members of system contact group: {name}",
                       status="FAILED_PRECONDITION")
    body = call.body()
    add = body.get("resourceNamesToAdd") or []
    remove = body.get("resourceNamesToRemove") or []
    if len(add) > 1000 or len(remove) > 1000:
        raise invalid_argument("At most 1000 resource names can be added or removed per request.")
    contacts = book(call)
    not_found_names, last_group = [], []
    for rn in add:
        person = contacts.get(rn)
        if person is None or person.get("_deleted"):
            not_found_names.append(rn)
            continue
        memberships = value(person, "memberships", [])
        current = [m["contactGroupMembership"]["contactGroupResourceName"] for m in memberships]
        if name not in current:
            store_field(person, "memberships", decorate(person, "memberships", [
                *memberships, {"contactGroupMembership": {"contactGroupResourceName": name}}]))
            touch(call.state, person, call.email)
    for rn in remove:
        person = contacts.get(rn)
        if person is None or person.get("_deleted"):
            not_found_names.append(rn)
            continue
        memberships = value(person, "memberships", [])
        kept = [m for m in memberships if m["contactGroupMembership"]["contactGroupResourceName"] != name]
        if len(kept) == len(memberships):
            continue
        if not kept:
            last_group.append(rn)
            continue
        store_field(person, "memberships", kept)
        touch(call.state, person, call.email)
    response = {}
    if not_found_names:
        response["notFoundResourceNames"] = not_found_names
    if last_group:
        response["canNotRemoveLastContactGroupResourceNames"] = last_group
    return response


