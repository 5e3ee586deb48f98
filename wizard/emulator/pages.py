"""A small page to see and edit the emulated contacts and events, so a demo can "edit in Google" and watch
the change sync back. Every edit goes through the same code as the API (new etag, sync-token change)."""
import re

from werkzeug.utils import redirect

from . import accounts, calendar, people, recurrence
from .errors import ApiError
from .routing import route

UI = "/_emulator/ui"
# "2026-03-02T10:00", optional seconds, optional offset ("Z" or "+03:00").
WALL_TIME = re.compile(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d)(:\d\d(?:\.\d+)?)?(Z|[+-]\d\d:\d\d)?$")
ZONES = ("UTC", "Europe/Kaliningrad", "Europe/Moscow", "Europe/Samara", "Asia/Yekaterinburg", "Asia/Omsk",
         "Asia/Novosibirsk", "Asia/Krasnoyarsk", "Asia/Irkutsk", "Asia/Yakutsk", "Asia/Vladivostok",
         "Asia/Magadan", "Asia/Kamchatka", "Europe/London", "Europe/Berlin", "America/New_York")


def page(method, path):
    return route(method, UI + path, "page")


def back(email=None, error=None):
    from urllib.parse import quote, urlencode

    target = UI + (f"/{quote(email)}" if email else "")
    if error:
        target += "?" + urlencode({"error": error})
    return redirect(target, code=303)


@page("GET", "")
def index(call):
    return call.app.render("data_index.html", users=sorted(call.state.users.values(), key=lambda u: u["email"]))


@page("POST", "/users")
def add_user(call):
    email = (call.request.form.get("email") or "").strip()
    if "@" not in email:
        return back(error="email")
    accounts.add_user(call.state, email, call.request.form.get("name") or None)
    return back(email.lower())


def person_row(person):
    names = (people.value(person, "names") or [{}])[0]
    return {"id": person["resourceName"].split("/", 1)[1], "resource_name": person["resourceName"],
            "given": names.get("givenName", ""), "family": names.get("familyName", ""),
            "email": ((people.value(person, "emailAddresses") or [{}])[0]).get("value", ""),
            "phone": ((people.value(person, "phoneNumbers") or [{}])[0]).get("value", ""),
            "client_data": ", ".join(f"{c.get('key')}={c.get('value')}"
                                     for c in people.value(person, "clientData") or []),
            "etag": person["etag"]}


def shown_time(moment):
    """An event time as the page shows and edits it: the date, or the wall time with its UTC offset exactly as
    Google returns it ("2026-03-02T10:00+03:00"), so 10:00 at +03:00 never reads as 10:00 UTC."""
    if "date" in moment:
        return moment["date"]
    found = WALL_TIME.match(moment.get("dateTime", ""))
    if not found:
        return moment.get("dateTime", "")
    offset = found.group(3) or ""
    return found.group(1) + ("+00:00" if offset == "Z" else offset)


def event_row(event):
    start, end = event.get("start") or {}, event.get("end") or {}
    return {"id": event["id"], "summary": event.get("summary", ""), "status": event.get("status"),
            "all_day": "date" in start, "start": shown_time(start), "end": shown_time(end),
            "zone": start.get("timeZone") or "", "recurring": bool(event.get("recurrence")),
            "private": ", ".join(f"{k}={v}" for k, v in
                                 ((event.get("extendedProperties") or {}).get("private") or {}).items())}


@page("GET", "/{email}")
def user_page(call):
    email = call.params["email"].lower()
    if email not in call.state.users:
        return call.app.render("not_found.html", status=404, path=call.request.path)
    contacts = [person_row(p) for p in call.state.people.get(email, {}).values() if not p.get("_deleted")]
    primary = call.state.calendars[email][email]
    events = [event_row(e) for e in primary["events"].values() if e.get("status") != "cancelled"]
    zone = primary["meta"]["timeZone"]
    return call.app.render("data_user.html", user=call.state.users[email], contacts=contacts, events=events,
                           error=call.arg("error"), calendar_zone=zone,
                           zones=ZONES if zone in ZONES else (zone, *ZONES))


def contact_body(form):
    body = {"names": [{"givenName": form.get("given", ""), "familyName": form.get("family", "")}]}
    body["emailAddresses"] = [{"value": form["email"]}] if form.get("email") else []
    body["phoneNumbers"] = [{"value": form["phone"]}] if form.get("phone") else []
    return body


@page("POST", "/{email}/contacts")
def add_contact(call):
    email = call.params["email"].lower()
    people.new_person(call.state, email, contact_body(call.request.form))
    return back(email)


def find_person(call):
    email = call.params["email"].lower()
    person = call.state.people.get(email, {}).get(f"people/{call.params['cid']}")
    if person is None or person.get("_deleted"):
        return email, None
    return email, person


@page("POST", "/{email}/contacts/{cid}/edit")
def edit_contact(call):
    email, person = find_person(call)
    if person is not None:
        body = contact_body(call.request.form)
        people.apply_fields(call.state, email, person, body, ["names", "emailAddresses", "phoneNumbers"])
        people.touch(call.state, person, email)
    return back(email)


@page("POST", "/{email}/contacts/{cid}/delete")
def delete_contact(call):
    email, person = find_person(call)
    if person is not None:
        people.bury(call.state, person, email)
    return back(email)


def event_time(text, zone):
    """A time typed on the page: a date, or a wall time with an offset (kept) or without one (read in
    `zone`, which Google then writes out with its offset)."""
    text = (text or "").strip()
    found = WALL_TIME.match(text)
    if not found:
        return {"dateTime": text, "timeZone": zone}  # refused by the same validation as the API's
    seconds = found.group(2) or ":00"
    return {"dateTime": found.group(1) + seconds + (found.group(3) or ""), "timeZone": zone}


def event_body(form, zone):
    if form.get("all_day"):
        start, end = {"date": form.get("start", "")[:10]}, {"date": form.get("end", "")[:10]}
    else:
        start, end = event_time(form.get("start"), zone), event_time(form.get("end"), zone)
    return {"summary": form.get("summary", ""), "start": start, "end": end}


def form_zone(form, default):
    zone = (form.get("time_zone") or "").strip() or default
    return zone if recurrence.known_zone(zone) else default


@page("POST", "/{email}/events")
def add_event(call):
    email = call.params["email"].lower()
    primary = call.state.calendars[email][email]
    try:
        zone = form_zone(call.request.form, primary["meta"]["timeZone"])
        clean = calendar.validate(None, primary, event_body(call.request.form, zone))
    except ApiError as error:
        return back(email, error.message)
    calendar.store_event(call.state, email, primary, clean)
    return back(email)


@page("POST", "/{email}/events/{eid}/edit")
def edit_event(call):
    email = call.params["email"].lower()
    primary = call.state.calendars[email][email]
    event = primary["events"].get(call.params["eid"])
    if event is not None:
        zone = form_zone(call.request.form, (event.get("start") or {}).get("timeZone") or primary["meta"]["timeZone"])
        changes = event_body(call.request.form, zone)
        body = {**{k: v for k, v in event.items() if k in calendar.WRITABLE}, **changes}
        try:
            clean = calendar.validate(None, primary, body)
        except ApiError as error:
            return back(email, error.message)
        event.update(clean)
        calendar.touch(call.state, event)
    return back(email)


@page("POST", "/{email}/events/{eid}/delete")
def delete_event(call):
    email = call.params["email"].lower()
    event = call.state.calendars[email][email]["events"].get(call.params["eid"])
    if event is not None and event.get("status") != "cancelled":
        event["status"] = "cancelled"
        calendar.touch(call.state, event)
    return back(email)
