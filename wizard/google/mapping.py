"""Google JSON <-> the core's normalized records (`wizard.sync.records`), and the metadata the engine needs.

Contacts (People API `Person`): names, e-mails, phones, addresses, organization and title, birthday
(year-less too), notes; the CRM id lives in `clientData` under `CRM_ID_KEY`. Activities (Calendar `Event`):
summary, description, location, start/end (all-day dates with Google's exclusive end; timed instants with
the IANA zone), status, attendees (the participants: e-mail, display name and response status, leaving out
the calendar's own entry and resources), and `extendedProperties.private` holding the CRM id, the
installation id and the activity type. The full table is in docs/field-mapping.md.

Two rules keep Google's own data safe when we write:
- Only mapped fields are written (`UPDATE_PERSON_FIELDS`), and every mapped field whose normalized value
  did not change is copied verbatim from the current Google record, so sub-fields we do not map (phonetic
  names, `formattedType`, `extendedAddress`, an event's reminders, an attendee's comment or `optional` flag,
  conference data...) survive.
- Items of multi-valued fields are matched to the current Google entries by their normalized key, so an
  unchanged phone keeps the formatting the user typed on the phone.

Item conventions shared with the CRM store (wizard/store/contacts.py):
  emails    Item(casefolded address, type)               type in home | work | other
  phones    Item(E.164 when parseable else digits, type)  type in home | work | mobile | other
  addresses Item("street city region postcode country", (type, street, city, region, postcode, country))
"""
from __future__ import annotations

import copy
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import lru_cache

import phonenumbers
from flask import current_app, has_app_context

from wizard.google.phones import international
from wizard.sync.changes import DELETED, OUT_OF_SCOPE, Change, Seen
from wizard.sync.records import (
    ACTIVITIES,
    CONTACTS,
    Item,
    Record,
    address_key,
    make_record,
    normalize_address,
    normalize_email,
    normalize_phone,
    normalize_text,
)
from wizard.sync.times import when_from_google, when_to_google

CRM_ID_KEY = "syncwizard.crm_id"  # clientData key and extendedProperties.private key (<= 44 characters)
INSTALLATION_KEY = "syncwizard.installation"
TYPE_KEY = "syncwizard.type"

# What we write (updatePersonFields / updateMask) and what we read (personFields / readMask).
UPDATE_PERSON_FIELDS = "names,emailAddresses,phoneNumbers,addresses,organizations,birthdays,biographies,clientData"
PERSON_FIELDS = UPDATE_PERSON_FIELDS + ",memberships,metadata"

DEFAULT_REGION = "RU"
EMAIL_TYPES = {"home": "home", "work": "work"}
PHONE_TYPES = {"mobile": "mobile", "workmobile": "mobile", "home": "home", "work": "work"}
ADDRESS_TYPES = {"home": "home", "work": "work"}
ADDRESS_PARTS = ("streetAddress", "city", "region", "postalCode", "country")

# --- normalisation shared with the CRM side ------------------------------------------------------------


def default_region() -> str:
    """The region local numbers are read in: the app's PHONE_DEFAULT_REGION (as the CRM side), else RU."""
    return (current_app.config.get("PHONE_DEFAULT_REGION") if has_app_context() else None) or DEFAULT_REGION


def phone_key(value: str, region: str | None = None) -> str:
    """E.164 when the number parses as possible (local numbers read in `region`), else its digits."""
    return _phone_key(value, region or default_region())


@lru_cache(maxsize=65536)  # parsing is the costliest step of mapping a contact; a run sees numbers repeatedly
def _phone_key(value: str, region: str) -> str:
    try:
        number = phonenumbers.parse(value, region)
        if phonenumbers.is_possible_number(number):
            return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    except phonenumbers.NumberParseException:
        pass
    return "".join(ch for ch in value if ch.isdigit())


def phone_display(key: str) -> str:
    """How a new number is written to Google: international format when it parses, else as it is."""
    return international(key)


def email_key(value: str) -> str:
    return value.strip().casefold()


def _fold(value, table) -> str:
    return table.get((value or "").replace(" ", "").lower(), "other")


# --- contacts: Google -> record ------------------------------------------------------------------------


def _primary(entries: list | None) -> dict | None:
    entries = entries or []
    for entry in entries:
        if (entry.get("metadata") or {}).get("primary"):
            return entry
    return entries[0] if entries else None


def _email_items(person, region=None):
    return [Item(email_key(e["value"]), _fold(e.get("type"), EMAIL_TYPES))
            for e in person.get("emailAddresses") or [] if (e.get("value") or "").strip()]


def _phone_items(person, region=None):
    items = []
    for entry in person.get("phoneNumbers") or []:
        key = phone_key(entry.get("value") or "", region)
        if key:
            items.append(Item(key, _fold(entry.get("type"), PHONE_TYPES)))
    return items


def _address_parts(entry: dict) -> tuple:
    parts = tuple((entry.get(name) or "").strip() for name in ADDRESS_PARTS)
    if not any(parts) and (entry.get("formattedValue") or "").strip():
        parts = (entry["formattedValue"].strip(), "", "", "", "")
    return parts


def _address_items(person, region=None):
    items = []
    for entry in person.get("addresses") or []:
        parts = _address_parts(entry)
        if any(parts):
            items.append(Item(address_key(parts), (_fold(entry.get("type"), ADDRESS_TYPES),) + parts))
    return items


def _birthday(person) -> str | None:
    entry = _primary(person.get("birthdays"))
    if not entry:
        return None
    date = entry.get("date") or {}
    month, day = date.get("month"), date.get("day")
    if month and day:
        year = date.get("year")
        return f"{year:04d}-{month:02d}-{day:02d}" if year else f"--{month:02d}-{day:02d}"
    text = (entry.get("text") or "").strip()
    try:
        return datetime.strptime(text, "%Y-%m-%d").date().isoformat() if text else None
    except ValueError:
        return None


_FIELD_READERS = {
    "names": lambda p, r: {k: (_primary(p.get("names")) or {}).get(g) for k, g in
                           (("given_name", "givenName"), ("family_name", "familyName"), ("middle_name", "middleName"))},
    "emailAddresses": lambda p, r: {"emails": _email_items(p)},
    "phoneNumbers": lambda p, r: {"phones": _phone_items(p, r)},
    "addresses": lambda p, r: {"addresses": _address_items(p)},
    "organizations": lambda p, r: {"organization": (_primary(p.get("organizations")) or {}).get("name"),
                                   "title": (_primary(p.get("organizations")) or {}).get("title")},
    "birthdays": lambda p, r: {"birthday": _birthday(p)},
    "biographies": lambda p, r: {"notes": (_primary(p.get("biographies")) or {}).get("value")},
}


def person_to_record(person: dict, region: str | None = None) -> Record:
    """The core's contact record of a Google person (only mapped fields)."""
    values: dict = {}
    for reader in _FIELD_READERS.values():
        values.update(reader(person, region))
    return make_record(CONTACTS, **values)


# The record fields each Google field carries.
_RECORD_FIELDS = {
    "names": ("given_name", "family_name", "middle_name"), "emailAddresses": ("emails",),
    "phoneNumbers": ("phones",), "addresses": ("addresses",), "organizations": ("organization", "title"),
    "birthdays": ("birthday",), "biographies": ("notes",),
}


def _same(record: Record, current: Record, google_field: str) -> bool:
    return all(record[name] == current[name] for name in _RECORD_FIELDS[google_field])


# --- contacts: record -> Google ------------------------------------------------------------------------


def record_to_person(record: Record, existing: dict | None = None, *, crm_id: str | None = None,
                     groups: list[str] | tuple = (), region: str | None = None) -> dict:
    """A Person body holding the record's mapped fields, for createContact or updateContact.

    With `existing` (the current Google person) the body carries its `etag` and `resourceName`; mapped
    fields whose value is unchanged are copied verbatim, changed ones are rebuilt from the record while
    keeping each matched entry's unmapped sub-fields. `groups` (contact group resource names) become
    memberships: use them on create to put the contact in the label without a second call.
    """
    existing = existing or {}
    person: dict = {}
    if existing.get("resourceName"):
        person["resourceName"] = existing["resourceName"]
    if existing.get("etag"):
        person["etag"] = existing["etag"]
    current = person_to_record(existing, region) if existing else None
    for google_field, builder in _FIELD_BUILDERS.items():
        if current is not None and _same(record, current, google_field):
            if google_field in existing:
                person[google_field] = copy.deepcopy(existing[google_field])
            continue
        built = builder(record, existing.get(google_field) or [], region)
        if built or existing:
            person[google_field] = built
    person["clientData"] = _client_data(existing.get("clientData") or [], crm_id)
    if groups:
        person["memberships"] = [{"contactGroupMembership": {"contactGroupResourceName": g}} for g in groups]
    return person


def _without(entry: dict, *keys) -> dict:
    if not entry:
        return {}  # a new contact's entries: nothing to copy (deepcopy costs even for an empty dict)
    entry = copy.deepcopy(entry)
    for key in keys + ("metadata",):
        entry.pop(key, None)
    return entry


def _build_names(record, current, region):
    base = _without(_primary(current) or {}, "displayName", "displayNameLastFirst", "unstructuredName")
    for key, google in (("given_name", "givenName"), ("family_name", "familyName"), ("middle_name", "middleName")):
        base.pop(google, None)
        if record[key]:
            base[google] = record[key]
    return [base] if any(base.get(k) for k in ("givenName", "familyName", "middleName")) else []


def _build_items(record_items, current, key_of, fold_table, make_new, refresh=None):
    """Entries for a multi-valued field. Current entries whose key the record keeps stay (with their unmapped
    sub-fields; the type is updated when it changed, `refresh` rewrites other parts); new keys get new
    entries. Kept entries come first, in Google's order."""
    wanted = {item.key: item.value for item in record_items}
    out, seen = [], set()
    for entry in current:
        key = key_of(entry)
        if key not in wanted or key in seen:
            continue
        seen.add(key)
        kept = _without(entry)
        value = wanted[key]
        kind = value[0] if isinstance(value, tuple) else value
        if kind and _fold(entry.get("type"), fold_table) != kind:
            kept["type"] = kind
            kept.pop("formattedType", None)
        out.append(refresh(kept, value) if refresh else kept)
    for key in sorted(set(wanted) - seen):
        out.append(make_new(key, wanted[key]))
    return out


def _build_emails(record, current, region):
    return _build_items(record["emails"], current, lambda e: normalize_email(email_key(e.get("value") or "")),
                        EMAIL_TYPES, lambda key, kind: {"value": key, "type": kind or "other"})


def _build_phones(record, current, region):
    return _build_items(record["phones"], current, lambda p: normalize_phone(phone_key(p.get("value") or "", region)),
                        PHONE_TYPES, lambda key, kind: {"value": phone_display(key), "type": kind or "other"})


def _address_payload(key, payload) -> tuple:
    if isinstance(payload, tuple) and len(payload) == 1 + len(ADDRESS_PARTS):
        return payload
    return ("other", key) + (None,) * (len(ADDRESS_PARTS) - 1)


def _build_addresses(record, current, region):
    def key_of(entry):
        return normalize_address(address_key(_address_parts(entry)))

    def write_parts(entry, payload):
        parts = tuple(p or "" for p in _address_payload("", payload)[1:])
        if parts != _address_parts(entry):
            for name in ADDRESS_PARTS + ("formattedValue",):
                entry.pop(name, None)
            entry.update({name: part for name, part in zip(ADDRESS_PARTS, parts) if part})
        return entry

    def new(key, payload):
        payload = _address_payload(key, payload)
        return write_parts({"type": payload[0] or "other"}, payload)

    return _build_items(record["addresses"], current, key_of, ADDRESS_TYPES, new, write_parts)


def _build_organizations(record, current, region):
    primary = _primary(current)
    rest = [_without(e) for e in current if e is not primary]
    base = _without(primary or {})
    base.pop("name", None)
    base.pop("title", None)
    if record["organization"]:
        base["name"] = record["organization"]
    if record["title"]:
        base["title"] = record["title"]
    return ([base] if base.get("name") or base.get("title") else []) + rest


def _build_birthdays(record, current, region):
    value = record["birthday"]
    if not value:
        return []
    if value.startswith("--"):
        month, day = value[2:].split("-")
        date = {"month": int(month), "day": int(day)}
    else:
        year, month, day = value.split("-")
        date = {"year": int(year), "month": int(month), "day": int(day)}
    return [{"date": date}]


def _build_biographies(record, current, region):
    return [{"value": record["notes"], "contentType": "TEXT_PLAIN"}] if record["notes"] else []


_FIELD_BUILDERS = {
    "names": _build_names,
    "emailAddresses": _build_emails,
    "phoneNumbers": _build_phones,
    "addresses": _build_addresses,
    "organizations": _build_organizations,
    "birthdays": _build_birthdays,
    "biographies": _build_biographies,
}


def _client_data(current: list, crm_id: str | None) -> list:
    """Other applications' clientData entries kept; ours set (or kept when no id is given)."""
    out = [_without(e) for e in current if e.get("key") != CRM_ID_KEY or crm_id is None]
    if crm_id is not None:
        out.append({"key": CRM_ID_KEY, "value": str(crm_id)})
    return out


def changed_person_fields(record: Record, existing: dict, region: str | None = None) -> list[str]:
    """The Google fields whose mapped value differs between the record and the current person."""
    current = person_to_record(existing, region)
    return [f for f in _FIELD_BUILDERS if not _same(record, current, f)]


# --- contacts: metadata --------------------------------------------------------------------------------


@dataclass(frozen=True)
class PersonInfo:
    resource_name: str
    etag: str | None
    deleted: bool
    crm_id: str | None
    previous_resource_names: tuple[str, ...]
    groups: frozenset[str] = field(default_factory=frozenset)
    modified: datetime | None = None


def crm_id_of(person: dict) -> str | None:
    for entry in person.get("clientData") or []:
        if entry.get("key") == CRM_ID_KEY and entry.get("value"):
            return entry["value"]
    return None


def person_info(person: dict) -> PersonInfo:
    metadata = person.get("metadata") or {}
    memberships = [m.get("contactGroupMembership") or {} for m in person.get("memberships") or []]
    groups = frozenset(m["contactGroupResourceName"] for m in memberships if m.get("contactGroupResourceName"))
    times = [parse_time(s.get("updateTime")) for s in metadata.get("sources") or []
             if s.get("type") in (None, "CONTACT") and s.get("updateTime")]
    return PersonInfo(
        resource_name=person.get("resourceName", ""),
        etag=person.get("etag"),
        deleted=bool(metadata.get("deleted")),
        crm_id=crm_id_of(person),
        previous_resource_names=tuple(metadata.get("previousResourceNames") or ()),
        groups=groups,
        modified=max((t for t in times if t), default=None),
    )


def person_change(person: dict, group: str | None = None, region: str | None = None) -> Change:
    """What the core sees of a listed person: `Seen`, `DELETED`, or `OUT_OF_SCOPE` (not in `group`)."""
    info = person_info(person)
    if info.deleted:
        return DELETED
    if group is not None and group not in info.groups:
        return OUT_OF_SCOPE
    return Seen(person_to_record(person, region), modified=info.modified, back_ref=info.crm_id,
                previous_ids=info.previous_resource_names, etag=info.etag)


# --- events --------------------------------------------------------------------------------------------


def event_to_record(event: dict, calendar_zone: str | None = None) -> Record:
    """The core's activity record of an event (a timed event without a zone takes the calendar's zone)."""
    private = (event.get("extendedProperties") or {}).get("private") or {}
    when = when_from_google(event.get("start") or {}, event.get("end"), calendar_zone)
    return make_record(
        ACTIVITIES, title=event.get("summary"), description=event.get("description"),
        location=event.get("location"), status="cancelled" if event.get("status") == "cancelled" else "confirmed",
        type=private.get(TYPE_KEY), participants=_participant_items(event.get("attendees")), **when)


NO_ANSWER = "needsAction"  # Google's responseStatus of an attendee who has not answered (its default)


def _is_mapped_attendee(entry: dict) -> bool:
    """Attendees that are participants: not the calendar's own entry (the organizer's copy, `self`), not a
    room or other resource, and with an e-mail (Google requires one when an attendee is added)."""
    return bool((entry.get("email") or "").strip()) and not entry.get("self") and not entry.get("resource")


def _participant_items(attendees: list | None) -> list[Item]:
    return [Item(normalize_email(a["email"]), (a.get("displayName"), a.get("responseStatus") or NO_ANSWER))
            for a in attendees or [] if _is_mapped_attendee(a)]


def _build_attendees(wanted_items, current: list) -> list:
    """The event's attendees holding the record's participants. Entries we do not map (our own, resources)
    and every kept attendee's other fields (comment, optional, additionalGuests, its response) stay as Google
    has them; a new participant is invited unanswered: the CRM never answers for someone else."""
    wanted = {item.key: item.value for item in wanted_items}
    out, seen = [], set()
    for entry in current:
        if not _is_mapped_attendee(entry):
            out.append(copy.deepcopy(entry))
            continue
        key = normalize_email(entry["email"])
        if key not in wanted or key in seen:
            continue
        seen.add(key)
        kept = copy.deepcopy(entry)
        name = (wanted[key] or (None,))[0]
        if name != normalize_text(kept.get("displayName")):
            if name:
                kept["displayName"] = name
            else:
                kept.pop("displayName", None)
        out.append(kept)
    for key in sorted(set(wanted) - seen):
        name = (wanted[key] or (None,))[0]
        out.append({"email": key, **({"displayName": name} if name else {}), "responseStatus": NO_ANSWER})
    return out


_WHEN_FIELDS = ("start", "end", "all_day", "timezone")


def record_to_event(record: Record, existing: dict | None = None, *, crm_id: str | None = None,
                    installation_id: str | None = None, event_id: str | None = None,
                    calendar_zone: str | None = None) -> dict:
    """An Event body for insert or update (PUT): the current event with the record's fields written in.

    Everything we do not map (reminders, recurrence, conference data, colours...) is carried over from
    `existing`; unchanged start/end objects and attendees are kept as Google wrote them; the extended
    properties of other applications are kept.
    """
    event = copy.deepcopy(existing) if existing else {}
    if event_id and not event.get("id"):
        event["id"] = event_id
    for key, name in (("summary", "title"), ("description", "description"), ("location", "location")):
        if record[name]:
            event[key] = record[name]
        else:
            event.pop(key, None)
    current = _event_when(existing, calendar_zone) if existing else None
    if current != {name: record[name] for name in _WHEN_FIELDS}:
        event["start"], event["end"] = when_to_google(record["start"], record["end"], bool(record["all_day"]),
                                                      record["timezone"])
    current_participants = make_record(ACTIVITIES, participants=_participant_items(
        (existing or {}).get("attendees")))["participants"]
    if record["participants"] != current_participants:
        attendees = _build_attendees(record["participants"], (existing or {}).get("attendees") or [])
        if attendees:
            event["attendees"] = attendees
        else:
            event.pop("attendees", None)
    if record["status"] == "cancelled":
        event["status"] = "cancelled"
    elif event.get("status") not in ("confirmed", "tentative"):
        event["status"] = "confirmed"
    private = dict((event.get("extendedProperties") or {}).get("private") or {})
    for key, value in ((CRM_ID_KEY, crm_id), (INSTALLATION_KEY, installation_id)):
        if value is not None:
            private[key] = str(value)
    if record["type"]:
        private[TYPE_KEY] = record["type"]
    else:
        private.pop(TYPE_KEY, None)
    event.setdefault("extendedProperties", {})["private"] = private
    return event


def _event_when(event: dict, calendar_zone):
    try:
        return when_from_google(event.get("start") or {}, event.get("end"), calendar_zone)
    except ValueError:
        return None


@dataclass(frozen=True)
class EventInfo:
    id: str
    etag: str | None
    deleted: bool
    crm_id: str | None
    installation_id: str | None
    recurring_event_id: str | None
    original_start: dict | None
    modified: datetime | None


def event_info(event: dict) -> EventInfo:
    private = (event.get("extendedProperties") or {}).get("private") or {}
    return EventInfo(
        id=event.get("id", ""), etag=event.get("etag"), deleted=event.get("status") == "cancelled",
        crm_id=private.get(CRM_ID_KEY), installation_id=private.get(INSTALLATION_KEY),
        recurring_event_id=event.get("recurringEventId"), original_start=event.get("originalStartTime"),
        modified=parse_time(event.get("updated")))


def is_bare_cancelled_exception(event: dict) -> bool:
    """A cancelled instance of a recurring series as incremental listings give it: id, `recurringEventId`
    and `originalStartTime`, no content (`CalendarClient.list_events` fetches the content)."""
    return (event.get("status") == "cancelled" and bool(event.get("recurringEventId"))
            and bool(event.get("originalStartTime")) and not event.get("start"))


def event_change(event: dict, calendar_zone: str | None = None, installation_id: str | None = None) -> Change:
    """What the core sees of a listed event: `DELETED` for a cancelled one with no content (Google's form of
    a deleted event, or of an instance whose series was deleted), else `Seen` (a cancelled event with content,
    a cancelled instance of a live series included, is a cancelled activity)."""
    info = event_info(event)
    if info.deleted and not (event.get("start") and event.get("summary") is not None):
        return DELETED
    back_ref = info.crm_id if installation_id is None or info.installation_id in (None, installation_id) else None
    return Seen(event_to_record(event, calendar_zone), modified=info.modified, back_ref=back_ref, etag=info.etag)


def parse_time(value: str | None) -> datetime | None:
    """Google's RFC 3339 timestamps ("2026-01-02T03:04:05.678Z") as aware datetimes."""
    if not value:
        return None
    text = value[:-1] + "+00:00" if value.endswith("Z") else value
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
