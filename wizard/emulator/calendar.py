"""Calendar API v3: calendarList, calendars.get, events (list with sync tokens, get, insert, update, patch,
delete, instances). Deleted events stay as `cancelled` tombstones so incremental syncs can report them."""
import re
import secrets
from bisect import bisect_right
from datetime import datetime, timezone

from . import recurrence, tokens
from .clock import parse_rfc3339, rfc3339
from .errors import ApiError, invalid_argument, not_found
from .event_rules import WRITABLE, bare_cancelled, is_deleted, record_write, render, touch, validate
from .routing import route

BASE = "https://www.googleapis.com/auth/"
LIST_SCOPES = [BASE + s for s in ("calendar", "calendar.readonly", "calendar.calendarlist",
                                  "calendar.calendarlist.readonly")]
READ = [BASE + s for s in ("calendar", "calendar.readonly", "calendar.events", "calendar.events.readonly",
                           "calendar.events.owned", "calendar.events.owned.readonly")]
WRITE = [BASE + s for s in ("calendar", "calendar.events", "calendar.events.owned")]
EVENT_ID = re.compile(r"^[a-v0-9]{5,1024}$")
SYNC_FORBIDDEN = ("timeMin", "timeMax", "updatedMin", "q", "orderBy", "iCalUID", "privateExtendedProperty",
                  "sharedExtendedProperty")
FULL_SYNC = "Sync token is no longer valid, a full sync is required."


# ---- calendars ---------------------------------------------------------------------------------------------

def init_user(state, email, time_zone="UTC"):
    calendars = state.calendars.setdefault(email, {})
    calendars.setdefault(email, {"meta": {"id": email, "summary": email, "timeZone": time_zone,
                                          "primary": True, "etag": f'"{state.next_seq()}"'},
                                 "events": {}})


def add_calendar(state, email, calendar_id, summary, time_zone="UTC"):
    calendars = state.calendars.setdefault(email, {})
    calendars[calendar_id] = {"meta": {"id": calendar_id, "summary": summary, "timeZone": time_zone,
                                       "primary": False, "etag": f'"{state.next_seq()}"'}, "events": {}}
    return calendars[calendar_id]


def calendar_of(call):
    calendar_id = call.params["calendarId"]
    if calendar_id == "primary":
        calendar_id = call.email
    found = call.state.calendars.get(call.email, {}).get(calendar_id)
    if found is None:
        raise not_found("Not Found")
    return found


def list_entry(meta):
    entry = {"kind": "calendar#calendarListEntry", "etag": meta["etag"], "id": meta["id"],
             "summary": meta["summary"], "timeZone": meta["timeZone"], "colorId": "14",
             "backgroundColor": "#9fe1e7", "foregroundColor": "#000000", "selected": True,
             "accessRole": "owner", "defaultReminders": [{"method": "popup", "minutes": 10}],
             "conferenceProperties": {"allowedConferenceSolutionTypes": ["hangoutsMeet"]}}
    if meta.get("primary"):
        entry["primary"] = True
        entry["notificationSettings"] = {"notifications": [
            {"type": "eventCreation", "method": "email"}, {"type": "eventChange", "method": "email"},
            {"type": "eventCancellation", "method": "email"}, {"type": "eventResponse", "method": "email"}]}
    return entry


@route("GET", "/calendar/v3/users/me/calendarList", "calendar", LIST_SCOPES, "calendar.calendarList.list")
def calendar_list(call):
    max_results = call.int_arg("maxResults", 100)
    if max_results < 1:
        raise invalid_argument("Invalid Value", "maxResults")
    entries = [list_entry(c["meta"]) for c in call.state.calendars.get(call.email, {}).values()]
    offset = 0
    if call.arg("pageToken"):
        offset = (tokens.decode(call.arg("pageToken")) or {}).get("o", 0)
    page = entries[offset:offset + max_results]
    body = {"kind": "calendar#calendarList", "etag": f'"p{call.state.seq}"', "items": page}
    if offset + max_results < len(entries):
        body["nextPageToken"] = tokens.encode({"o": offset + max_results})
    else:
        body["nextSyncToken"] = tokens.encode({"k": "calendarList", "s": call.state.seq})
    return body


@route("GET", "/calendar/v3/users/me/calendarList/{calendarId}", "calendar", LIST_SCOPES,
       "calendar.calendarList.get")
def calendar_list_get(call):
    return list_entry(calendar_of(call)["meta"])


@route("GET", "/calendar/v3/calendars/{calendarId}", "calendar", READ + LIST_SCOPES, "calendar.calendars.get")
def calendar_get(call):
    meta = calendar_of(call)["meta"]
    return {"kind": "calendar#calendar", "etag": meta["etag"], "id": meta["id"], "summary": meta["summary"],
            "timeZone": meta["timeZone"],
            "conferenceProperties": {"allowedConferenceSolutionTypes": ["hangoutsMeet"]}}


# ---- events.list -------------------------------------------------------------------------------------------

def time_arg(call, name):
    value = call.arg(name)
    if value is None:
        return None
    try:
        return parse_rfc3339(value)
    except ValueError:
        raise ApiError(400, "Bad Request", calendar_reason="badRequest") from None


def read_sync_token(call, token, calendar_id):
    data = tokens.decode(token)
    state = call.state
    if not data or data.get("k") != "events" or data.get("u") != call.email or data.get("c") != calendar_id:
        raise gone()
    epoch = state.sync_epochs.get(call.email, {}).get("calendar", 0)
    if data["t"] < epoch or state.now() - data["t"] > state.settings["calendar_sync_token_lifetime"]:
        raise gone()
    return data


def gone():
    return ApiError(410, FULL_SYNC, calendar_reason="fullSyncRequired", calendar_domain="calendar",
                    status="")


def matches_filters(call, event, q, private, shared, ical, updated_min):
    if ical and event.get("iCalUID") != ical:
        return False
    if updated_min and parse_rfc3339(event["updated"]) < updated_min:
        return False
    if q:
        text = " ".join(str(event.get(k, "")) for k in ("summary", "description", "location")).lower()
        if q.lower() not in text:
            return False
    for scope, filters in (("private", private), ("shared", shared)):
        props = (event.get("extendedProperties") or {}).get(scope) or {}
        for item in filters:
            key, _, value = item.partition("=")
            if props.get(key) != value:
                return False
    return True


def expand(event, window_start, window_end, tz_default, overrides):
    """Instances of a recurring event in the window, with its stored exceptions applied."""
    start = recurrence.bound(event["start"], tz_default)
    duration = recurrence.bound(event["end"], tz_default) - start
    all_day = "date" in event["start"]
    for moment in recurrence.occurrences(event, window_start, window_end, tz_default):
        instance_id = f"{event['id']}_{recurrence.instance_suffix(moment, all_day)}"
        if instance_id in overrides:
            yield overrides[instance_id]
            continue
        yield make_instance(event, moment, duration, instance_id)


def make_instance(event, moment, duration, instance_id):
    instance = {k: v for k, v in event.items() if k not in ("recurrence", "id", "start", "end")}
    instance.update(id=instance_id, recurringEventId=event["id"],
                    start=recurrence.as_event_time(moment, event["start"]),
                    end=recurrence.as_event_time(moment + duration, event["end"]),
                    originalStartTime=recurrence.as_event_time(moment, event["start"]))
    instance["iCalUID"] = event.get("iCalUID")
    return instance


def in_window(event, window_start, window_end, tz_default):
    if event.get("recurrence"):
        if window_start is None and window_end is None:
            return True
        return next(iter(recurrence.occurrences(event, window_start, window_end, tz_default)), None) is not None
    start = recurrence.bound(event["start"], tz_default)
    end = recurrence.bound(event["end"], tz_default)
    if window_start and end <= window_start:
        return False
    if window_end and start >= window_end:
        return False
    return True


LISTINGS_KEPT = 8  # listings in progress whose pages are served from one collection


def listed(event, events, incremental):
    """An item of events.list: deleted events (showDeleted) carry only their id and status, with or without a
    sync token; a cancelled exception of a live series keeps its content in a full listing and is bare in an
    incremental one (Google: "incremental sync requests ... will not return these details")."""
    if is_deleted(event, events):
        return bare_cancelled(event, exception=False)
    return render(event, full=not incremental)


def remember_listing(state, key, listing):
    """Keep a listing's collected items for its next pages: its first page pays O(N) once, each later page
    O(page) (a cursor resumes by bisection), instead of every page re-reading the whole calendar."""
    cache = state.event_listings
    while len(cache) >= LISTINGS_KEPT:
        cache.pop(next(iter(cache)))
    cache[key] = listing


def collect(call, calendar, cursor, since, show_deleted, single, window, order_by):
    """Every item of one listing (all its pages), with its sort key: creation order for a full listing,
    change order for a sync, so events changed or deleted while a client pages never shift a page boundary."""
    tz_default = calendar["meta"]["timeZone"]
    window_start, window_end = window
    private, shared = call.args("privateExtendedProperty"), call.args("sharedExtendedProperty")
    q, ical, updated_min = call.arg("q"), call.arg("iCalUID"), time_arg(call, "updatedMin")
    entries = []
    key_field = "_seq" if since is not None else "_n"
    overrides = {}
    events = calendar["events"]
    for event in events.values():
        if event.get("recurringEventId"):
            overrides.setdefault(event["recurringEventId"], {})[event["id"]] = event
    for event in events.values():
        if since is not None:
            if not since < event["_seq"] <= cursor["snap"]:
                continue
        elif event.get("_n", 0) > cursor["snap"]:
            continue  # created after the listing started: the next sync reports it
        if event.get("status") == "cancelled" and not show_deleted:
            continue
        if not matches_filters(call, event, q, private, shared, ical, updated_min):
            continue
        if single and event.get("recurringEventId") and since is None:
            continue  # exceptions are yielded by their series below
        key = event.get(key_field, 0)
        if single and event.get("recurrence") and event.get("status") != "cancelled":
            for index, instance in enumerate(expand(event, window_start, window_end, tz_default,
                                                    overrides.get(event["id"], {}))):
                if instance.get("status") == "cancelled" and not show_deleted:
                    continue
                entries.append(((key, index), instance))
            continue
        if (window_start or window_end) and not in_window(event, window_start, window_end, tz_default):
            continue
        entries.append(((key, 0), event))
    if order_by:
        items = [item for _key, item in entries]
        if order_by == "startTime":
            items.sort(key=lambda e: recurrence.bound(e["start"], tz_default) if e.get("start") else
                       datetime.min.replace(tzinfo=timezone.utc))
        else:
            items.sort(key=lambda e: e["updated"])
        return {"items": items}
    entries.sort(key=lambda entry: entry[0])
    return {"keys": [key for key, _item in entries], "items": [item for _key, item in entries]}


@route("GET", "/calendar/v3/calendars/{calendarId}/events", "calendar", READ, "calendar.events.list")
def list_events(call):
    calendar = calendar_of(call)
    calendar_id = calendar["meta"]["id"]
    sync_token = call.arg("syncToken")
    if sync_token:
        for name in SYNC_FORBIDDEN:
            if call.arg(name) is not None:
                raise ApiError(400, f"The '{name}' parameter cannot be used together with a sync token.",
                               calendar_reason="invalid", location=name, location_type="parameter")
    max_results = call.int_arg("maxResults", 250)
    if max_results < 1:
        raise invalid_argument("Invalid Value", "maxResults")
    max_results = min(max_results, 2500)
    single = call.flag("singleEvents")
    order_by = call.arg("orderBy")
    if order_by not in (None, "startTime", "updated"):
        raise invalid_argument("Invalid Value", "orderBy")
    if order_by == "startTime" and not single:
        raise ApiError(400, "The requested ordering is not available for the particular query.",
                       calendar_reason="badRequest")
    window_start, window_end = time_arg(call, "timeMin"), time_arg(call, "timeMax")
    if window_start and window_end and window_end <= window_start:
        raise ApiError(400, "The specified time range is empty.", calendar_reason="timeRangeEmpty",
                       calendar_domain="calendar", location="timeMax", location_type="parameter")
    time_arg(call, "updatedMin")  # refused here when malformed; applied by collect()
    show_deleted = call.flag("showDeleted") or bool(sync_token)
    params = {k: v for k, v in call.request.args.items(multi=True) if k not in ("pageToken", "maxResults")}
    fingerprint = tokens.params_hash(params)
    state = call.state
    if call.arg("pageToken"):
        cursor = tokens.decode(call.arg("pageToken"))
        if not cursor or cursor.get("h") != fingerprint or cursor.get("u") != call.email:
            raise ApiError(400, "Invalid page token value.", calendar_reason="invalid", location="pageToken",
                           location_type="parameter")
    else:
        cursor = {"o": 0, "snap": state.seq, "t": state.now()}
    since = read_sync_token(call, sync_token, calendar_id)["s"] if sync_token else None
    cache_key = (call.email, calendar_id, fingerprint, cursor["snap"], cursor["t"])
    listing = state.event_listings.get(cache_key)
    if listing is None:
        listing = collect(call, calendar, cursor, since, show_deleted, single, (window_start, window_end),
                          order_by)
        remember_listing(state, cache_key, listing)
    if order_by:
        items = listing["items"]
        offset = cursor["o"]
        page = items[offset:offset + max_results]
        next_cursor = dict(cursor, o=offset + max_results) if offset + max_results < len(items) else None
    else:
        keys, items = listing["keys"], listing["items"]
        start = bisect_right(keys, tuple(cursor.get("after") or ())) if cursor.get("after") else 0
        page = items[start:start + max_results]
        next_cursor = dict(cursor, after=list(keys[start + max_results - 1])) \
            if start + max_results < len(items) else None
    if not show_deleted:
        page = [e for e in page if e.get("status") != "cancelled"]  # deleted since the listing's first page
    meta = calendar["meta"]
    body = {"kind": "calendar#events", "etag": f'"p{state.seq}"', "summary": meta["summary"],
            "description": "", "updated": rfc3339(state.now()), "timeZone": meta["timeZone"],
            "accessRole": "owner", "defaultReminders": [{"method": "popup", "minutes": 10}],
            "items": [listed(e, calendar["events"], incremental=since is not None) for e in page]}
    if next_cursor:
        body["nextPageToken"] = tokens.encode(dict(next_cursor, h=fingerprint, u=call.email))
    else:
        body["nextSyncToken"] = tokens.encode({"k": "events", "u": call.email, "c": calendar_id,
                                               "s": cursor["snap"], "t": cursor["t"]})
    return body


# ---- single events ---------------------------------------------------------------------------------------------

def find_event(call, calendar, event_id, materialize=False):
    event = calendar["events"].get(event_id)
    if event is not None:
        return event
    master_id, _, suffix = event_id.rpartition("_")
    master = calendar["events"].get(master_id)
    if master and master.get("recurrence") and suffix:
        tz_default = calendar["meta"]["timeZone"]
        start = recurrence.bound(master["start"], tz_default)
        duration = recurrence.bound(master["end"], tz_default) - start
        all_day = "date" in master["start"]
        for moment in recurrence.occurrences(master, default_zone=tz_default):
            stamp = recurrence.instance_suffix(moment, all_day)
            if stamp == suffix:
                instance = make_instance(master, moment, duration, event_id)
                if materialize:
                    instance["_n"] = call.state.next_seq()
                    calendar["events"][event_id] = instance
                return instance
            if stamp > suffix:
                break
    raise not_found("Not Found")


def check_if_match(call, event):
    expected = call.request.headers.get("If-Match")
    if expected and expected != "*" and expected != event["etag"]:
        raise ApiError(412, "Precondition Failed", calendar_reason="conditionNotMet",
                       location="If-Match", location_type="header")


@route("GET", "/calendar/v3/calendars/{calendarId}/events/{eventId}", "calendar", READ, "calendar.events.get")
def get_event(call):
    return render(find_event(call, calendar_of(call), call.params["eventId"]))


@route("POST", "/calendar/v3/calendars/{calendarId}/events", "calendar", WRITE, "calendar.events.insert")
def insert_event(call):
    calendar = calendar_of(call)
    body = call.body()
    event_id = body.get("id")
    if event_id is not None:
        if not isinstance(event_id, str) or not EVENT_ID.match(event_id):
            raise ApiError(400, "Invalid resource id value.", calendar_reason="invalid")
        if event_id in calendar["events"]:
            raise ApiError(409, "The requested identifier already exists.", calendar_reason="duplicate",
                           status="ALREADY_EXISTS")
    clean = validate(call, calendar, body)
    event = store_event(call.state, call.email, calendar, clean, event_id)
    record_write(call, "insert", event)
    return render(event)


def store_event(state, email, calendar, clean, event_id=None):
    n = state.next_seq()
    event_id = event_id or secrets.token_hex(13)
    now = rfc3339(state.now())
    event = {"kind": "calendar#event", "id": event_id, "status": clean.pop("status", None) or "confirmed",
             "htmlLink": f"https://www.google.com/calendar/event?eid={event_id}", "created": now,
             "creator": {"email": email, "self": True}, "organizer": {"email": email, "self": True},
             "iCalUID": f"{event_id}@google.com", "sequence": 0, "eventType": "default", "_n": n}
    event.update(clean)
    event.setdefault("eventType", "default")
    touch(state, event)
    calendar["events"][event_id] = event
    return event


def replace_event(call, patch):
    calendar = calendar_of(call)
    event = find_event(call, calendar, call.params["eventId"], materialize=True)
    check_if_match(call, event)
    body = call.body()
    if patch:
        merged = {k: v for k, v in render(event).items() if k in WRITABLE}
        for key, value in body.items():
            if key == "extendedProperties" and isinstance(value, dict):
                current = dict(merged.get("extendedProperties") or {})
                for scope, props in value.items():
                    current[scope] = {**(current.get(scope) or {}), **(props or {})}
                merged[key] = current
            else:
                merged[key] = value
        body = merged
    if body.get("id") not in (None, event["id"]):
        raise invalid_argument("The event id cannot be changed.")
    clean = validate(call, calendar, body)
    for key in WRITABLE:
        if key not in ("sequence",) and key not in clean:
            event.pop(key, None)
    clean.setdefault("status", "confirmed")
    event.update(clean)
    event["sequence"] = event.get("sequence", 0) + (1 if body.get("start") or body.get("end") else 0)
    touch(call.state, event)
    record_write(call, "patch" if patch else "update", event)
    return render(event)


@route("PUT", "/calendar/v3/calendars/{calendarId}/events/{eventId}", "calendar", WRITE,
       "calendar.events.update")
def update_event(call):
    return replace_event(call, patch=False)


@route("PATCH", "/calendar/v3/calendars/{calendarId}/events/{eventId}", "calendar", WRITE,
       "calendar.events.patch")
def patch_event(call):
    return replace_event(call, patch=True)


@route("DELETE", "/calendar/v3/calendars/{calendarId}/events/{eventId}", "calendar", WRITE,
       "calendar.events.delete")
def delete_event(call):
    calendar = calendar_of(call)
    event = find_event(call, calendar, call.params["eventId"], materialize=True)
    if event.get("status") == "cancelled":
        raise ApiError(410, "Resource has been deleted", calendar_reason="deleted", status="")
    check_if_match(call, event)
    event["status"] = "cancelled"
    touch(call.state, event)
    if event.get("recurrence"):
        for other in calendar["events"].values():
            if other.get("recurringEventId") == event["id"] and other.get("status") != "cancelled":
                other["status"] = "cancelled"
                touch(call.state, other)
    record_write(call, "delete", event)
    return None


@route("GET", "/calendar/v3/calendars/{calendarId}/events/{eventId}/instances", "calendar", READ,
       "calendar.events.instances")
def event_instances(call):
    calendar = calendar_of(call)
    master = calendar["events"].get(call.params["eventId"])
    if master is None or not master.get("recurrence"):
        raise not_found("Not Found")
    tz_default = calendar["meta"]["timeZone"]
    overrides = {e["id"]: e for e in calendar["events"].values() if e.get("recurringEventId") == master["id"]}
    show_deleted = call.flag("showDeleted")
    items = [i for i in expand(master, time_arg(call, "timeMin"), time_arg(call, "timeMax"), tz_default,
                               overrides) if show_deleted or i.get("status") != "cancelled"]
    max_results = min(call.int_arg("maxResults", 250), 2500)
    offset = (tokens.decode(call.arg("pageToken") or "") or {}).get("o", 0)
    meta = calendar["meta"]
    body = {"kind": "calendar#events", "etag": f'"p{call.state.seq}"', "summary": meta["summary"],
            "updated": rfc3339(call.state.now()), "timeZone": meta["timeZone"], "accessRole": "owner",
            "defaultReminders": [], "items": [render(e) for e in items[offset:offset + max_results]]}
    if offset + max_results < len(items):
        body["nextPageToken"] = tokens.encode({"o": offset + max_results})
    return body
