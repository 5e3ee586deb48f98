"""Checking and normalising CRM input: one place for the pages, the API and the sync engine.

Input is a plain dict shaped like the API's JSON. Problems are collected per field (keys such as
`first_name` or `emails.0.value`) and raised together as one `ValidationError`, whose messages are lazy
translations rendered in the reader's language.
"""
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

import phonenumbers
from email_validator import EmailNotValidError, validate_email
from flask import current_app, has_app_context, has_request_context
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from wizard.models.crm import ACTIVITY_STATUSES, ACTIVITY_TYPES, CONTACT_FIELD_TYPES, RESPONSE_STATUSES
from wizard.sync.records import normalize_email  # one rule for the CRM and the core's matching keys

MAX_ITEMS = 20  # e-mails, phones or addresses per contact
ADDRESS_FIELDS = {"street": 300, "city": 100, "region": 100, "postcode": 20, "country": 100}
CONTACT_TEXT_FIELDS = {"first_name": 100, "middle_name": 100, "last_name": 100, "display_name": 300,
                       "company": 200, "job_title": 200, "notes": 10000}
CONTACT_FIELDS = set(CONTACT_TEXT_FIELDS) | {"birthday", "emails", "phones", "addresses", "tags"}
ACTIVITY_FIELDS = {"title", "type", "start_at", "end_at", "timezone", "all_day", "start_date", "end_date",
                   "location", "description", "status", "show_in_calendar", "participants"}
PARTICIPANT_FIELDS = {"contact_id", "email", "display_name", "response_status"}
MAX_ROW_ID = 2**31 - 1  # ids are 32-bit INTEGER columns on PostgreSQL
MAX_PARTICIPANTS = 200  # a meeting's guests; well under what Google Calendar accepts on one event


class ValidationError(Exception):
    def __init__(self, errors: dict):
        super().__init__("invalid input")
        self.errors = errors  # field key -> [lazy message, ...]

    def as_text(self) -> dict:
        if has_request_context():
            return {key: [str(m) for m in messages] for key, messages in self.errors.items()}
        # Outside a request (the sync engine, a CLI command) there is no reader: the default language.
        with force_locale(current_app.config.get("BABEL_DEFAULT_LOCALE", "en")):
            return {key: [str(m) for m in messages] for key, messages in self.errors.items()}


class Errors(dict):
    def add(self, key, message):
        self.setdefault(key, []).append(message)

    def raise_if_any(self):
        if self:
            raise ValidationError(dict(self))


def check_unknown(data, allowed, errors, prefix=""):
    for key in data:
        if key not in allowed:
            errors.add(prefix + str(key), _l("Unknown field."))


def is_storable(value: str) -> bool:
    """JSON can carry lone surrogates and NUL, which no database stores as text."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return "\x00" not in value


def text(data, key, max_len, errors, *, prefix="", required=False, default=""):
    value = data.get(key, default)
    if value is None:
        value = ""
    if not isinstance(value, str) or not is_storable(value):
        errors.add(prefix + key, _l("Must be text."))
        return default
    if len(value) > max_len:  # counted before trimming: the documented limit is on what is sent
        errors.add(prefix + key, _l("At most %(max)d characters.", max=max_len))
    value = value.strip()
    if required and not value:
        errors.add(prefix + key, _l("This field is required."))
    return value[:max_len]


def boolean(data, key, errors, default):
    value = data.get(key, default)
    if not isinstance(value, bool):
        errors.add(key, _l("Must be true or false."))
        return default
    return value


def choice(data, key, choices, errors, *, prefix="", default):
    if key not in data:
        return default
    value = data[key]
    if not isinstance(value, str) or value not in choices:  # "" and null are refused too: say what you mean
        errors.add(prefix + key, _l("Choose one of: %(choices)s.", choices=", ".join(choices)))
        return default
    return value


def item_list(data, key, errors, limit=MAX_ITEMS):
    value = data.get(key) or []
    if not isinstance(value, list):
        errors.add(key, _l("Must be a list."))
        return []
    if len(value) > limit:
        errors.add(key, _l("At most %(max)d entries.", max=limit))
        return []
    return value


# --- contacts -----------------------------------------------------------------------------------------------

def phone_region():
    return (current_app.config.get("PHONE_DEFAULT_REGION") if has_app_context() else None) or "RU"


def normalize_phone(value: str) -> str:
    """E.164 when the number parses as possible (local numbers read in the configured region), else digits."""
    try:
        number = phonenumbers.parse(value, phone_region())
        if phonenumbers.is_possible_number(number):
            return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    except phonenumbers.NumberParseException:
        pass
    return "".join(ch for ch in value if ch.isdigit())


def clean_emails(data, errors):
    cleaned = []
    for index, item in enumerate(item_list(data, "emails", errors)):
        prefix = f"emails.{index}."
        if not isinstance(item, dict):
            errors.add(f"emails.{index}", _l("Must be an object."))
            continue
        check_unknown(item, {"value", "type", "normalized"}, errors, prefix)
        value = text(item, "value", 254, errors, prefix=prefix, required=True)
        kind = choice(item, "type", CONTACT_FIELD_TYPES, errors, prefix=prefix, default="other")
        if value:
            try:
                validate_email(value, check_deliverability=False)
            except EmailNotValidError:
                errors.add(prefix + "value", _l("Not a valid e-mail address."))
        cleaned.append({"value": value, "normalized": normalize_email(value), "type": kind})
    return cleaned


def clean_phones(data, errors):
    cleaned = []
    for index, item in enumerate(item_list(data, "phones", errors)):
        prefix = f"phones.{index}."
        if not isinstance(item, dict):
            errors.add(f"phones.{index}", _l("Must be an object."))
            continue
        check_unknown(item, {"value", "type", "normalized"}, errors, prefix)
        value = text(item, "value", 50, errors, prefix=prefix, required=True)
        kind = choice(item, "type", CONTACT_FIELD_TYPES, errors, prefix=prefix, default="other")
        allowed = set("0123456789+-() .")
        if value and (not any(ch.isdigit() for ch in value) or set(value) - allowed):
            errors.add(prefix + "value", _l("Not a valid phone number."))
        cleaned.append({"value": value, "normalized": normalize_phone(value), "type": kind})
    return cleaned


def clean_addresses(data, errors):
    cleaned = []
    for index, item in enumerate(item_list(data, "addresses", errors)):
        prefix = f"addresses.{index}."
        if not isinstance(item, dict):
            errors.add(f"addresses.{index}", _l("Must be an object."))
            continue
        check_unknown(item, set(ADDRESS_FIELDS) | {"type"}, errors, prefix)
        address = {name: text(item, name, size, errors, prefix=prefix) for name, size in ADDRESS_FIELDS.items()}
        address["type"] = choice(item, "type", CONTACT_FIELD_TYPES, errors, prefix=prefix, default="other")
        if not any(address[name] for name in ADDRESS_FIELDS):
            errors.add(prefix + "street", _l("An address needs at least one filled field."))
        cleaned.append(address)
    return cleaned


def clean_birthday(data, errors):
    value = data.get("birthday")
    if value in (None, "", {}):
        return None
    if not isinstance(value, dict):
        errors.add("birthday", _l("Must be an object with day, month and an optional year."))
        return None
    check_unknown(value, {"day", "month", "year"}, errors, "birthday.")
    day, month, year = value.get("day"), value.get("month"), value.get("year")
    for key, part in (("day", day), ("month", month), ("year", year)):
        if part is not None and (not isinstance(part, int) or isinstance(part, bool)):
            errors.add(f"birthday.{key}", _l("Must be a whole number."))
            return None
    if day is None or month is None:
        errors.add("birthday", _l("A birthday needs a day and a month."))
        return None
    this_year = date.today().year
    if year is not None and not 1850 <= year <= this_year:
        errors.add("birthday.year", _l("The year must be between %(low)d and %(high)d.", low=1850, high=this_year))
        return None
    try:
        date(year or 2000, month, day)  # 2000 is a leap year: 29 February without a year is fine
    except (ValueError, OverflowError):
        errors.add("birthday", _l("No such date."))
        return None
    return {"day": day, "month": month, "year": year}


def clean_tag_names(data, errors):
    value = data.get("tags")
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        errors.add("tags", _l("Must be a list of tag names."))
        return None
    names = []
    for index, name in enumerate(value):
        name = " ".join(name.split())
        if not name or len(name) > 100:
            errors.add(f"tags.{index}", _l("A tag name has 1 to 100 characters."))
        elif name.casefold() not in {n.casefold() for n in names}:
            names.append(name)
    return names


def clean_contact(data) -> dict:
    """A complete, normalised contact from input; raises ValidationError listing every problem."""
    errors = Errors()
    if not isinstance(data, dict):
        raise ValidationError({"": [_l("Must be an object.")]})
    check_unknown(data, CONTACT_FIELDS, errors)
    contact = {name: text(data, name, size, errors) for name, size in CONTACT_TEXT_FIELDS.items()}
    contact["birthday"] = clean_birthday(data, errors)
    contact["emails"] = clean_emails(data, errors)
    contact["phones"] = clean_phones(data, errors)
    contact["addresses"] = clean_addresses(data, errors)
    contact["tags"] = clean_tag_names(data, errors)
    if not errors and not (compose_display_name(contact) or contact["phones"]):
        errors.add("first_name", _l("Give the contact a name, a company, an e-mail or a phone."))
    errors.raise_if_any()
    return contact


def compose_display_name(contact: dict) -> str:
    if contact.get("display_name"):
        return contact["display_name"]
    name = " ".join(p for p in (contact.get("first_name"), contact.get("middle_name"), contact.get("last_name")) if p)
    if name:
        return name[:300]
    if contact.get("company"):
        return contact["company"]
    if contact.get("emails"):
        return contact["emails"][0]["value"]
    return ""


# --- activities ---------------------------------------------------------------------------------------------

_ZONES = None


def zone_of(user) -> str:
    """The user's time zone, or UTC when none (or an unknown one) is stored."""
    zone = getattr(user, "timezone", None) or "UTC"
    return zone if valid_zone(zone) else "UTC"


def valid_zone(name) -> bool:
    global _ZONES
    if _ZONES is None:
        _ZONES = available_timezones() | {"UTC"}
    return isinstance(name, str) and name in _ZONES


def clean_instant(value, zone_name, key, errors):
    """An aware UTC datetime from a datetime or ISO 8601 text; a value without offset is read in the zone."""
    if value in (None, ""):
        return None
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.strip().replace("Z", "+00:00").replace("z", "+00:00"))
        except ValueError:
            errors.add(key, _l("Not a valid date and time."))
            return None
    if not isinstance(value, datetime):
        errors.add(key, _l("Not a valid date and time."))
        return None
    if value.tzinfo is None:
        try:
            value = value.replace(tzinfo=ZoneInfo(zone_name))
        except (ZoneInfoNotFoundError, ValueError):
            value = value.replace(tzinfo=timezone.utc)
    try:
        result = value.astimezone(timezone.utc)
    except (OverflowError, ValueError):
        errors.add(key, _l("Not a valid date and time."))
        return None
    if not 1900 <= result.year <= 2999:
        errors.add(key, _l("The year must be between %(low)d and %(high)d.", low=1900, high=2999))
        return None
    return result


def parse_date(value, key, errors):
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        result = value
    elif isinstance(value, str):
        try:
            result = date.fromisoformat(value.strip())
        except ValueError:
            errors.add(key, _l("Not a valid date."))
            return None
    else:
        errors.add(key, _l("Not a valid date."))
        return None
    if not 1900 <= result.year <= 2999:
        errors.add(key, _l("The year must be between %(low)d and %(high)d.", low=1900, high=2999))
        return None
    return result


def valid_attendee_email(value: str) -> bool:
    """A participant's address: what Google Calendar takes as an attendee. Looser than a contact's e-mail
    (an intranet host without a dot, a test domain), as the sync must store every attendee Google lists."""
    try:
        validate_email(value, check_deliverability=False, globally_deliverable=False, test_environment=True)
    except EmailNotValidError:
        return False
    return True


def clean_participant(item, prefix, errors) -> dict | None:
    """One participant: a contact (`contact_id`, its e-mail found by the services when none is given) or an
    e-mail. `response_status` None means "keep what Google last reported"."""
    if not isinstance(item, dict):
        errors.add(prefix.rstrip("."), _l("Must be an object."))
        return None
    check_unknown(item, PARTICIPANT_FIELDS, errors, prefix)
    contact_id = item.get("contact_id")
    if contact_id is not None and (isinstance(contact_id, bool) or not isinstance(contact_id, int)
                                   or not 0 < contact_id <= MAX_ROW_ID):
        errors.add(prefix + "contact_id", _l("No such contact."))
        contact_id = None
    email = text(item, "email", 254, errors, prefix=prefix, required=contact_id is None)
    if email and not valid_attendee_email(email):
        errors.add(prefix + "email", _l("Not a valid e-mail address: %(value)s", value=email))
    return {"contact_id": contact_id, "email": email, "normalized": normalize_email(email) if email else "",
            "display_name": text(item, "display_name", 300, errors, prefix=prefix),
            "response_status": choice(item, "response_status", RESPONSE_STATUSES, errors, prefix=prefix,
                                      default=None)}


def clean_participants(data, errors) -> list[dict]:
    """The participants in their order; a person listed twice (same e-mail) counts once."""
    cleaned, seen = [], set()
    if data["participants"] is not None and not isinstance(data["participants"], list):
        errors.add("participants", _l("Must be a list."))  # {} or "" would read as an empty list below
        return []
    for index, item in enumerate(item_list(data, "participants", errors, MAX_PARTICIPANTS)):
        participant = clean_participant(item, f"participants.{index}.", errors)
        if participant is None:
            continue
        key = participant["normalized"] or f"contact:{participant['contact_id']}"
        if key not in seen:
            seen.add(key)
            cleaned.append(participant)
    return cleaned


def clean_activity(data, default_zone="UTC") -> dict:
    """A complete activity from input. Timed: start/end instants (end defaults to an hour later).
    All-day: start/end dates, the end inclusive (defaults to the start)."""
    errors = Errors()
    if not isinstance(data, dict):
        raise ValidationError({"": [_l("Must be an object.")]})
    check_unknown(data, ACTIVITY_FIELDS, errors)
    result = {
        "title": text(data, "title", 300, errors, required=True),
        "type": choice(data, "type", ACTIVITY_TYPES, errors, default="task"),
        "status": choice(data, "status", ACTIVITY_STATUSES, errors, default="planned"),
        "location": text(data, "location", 300, errors),
        "description": text(data, "description", 10000, errors),
        "all_day": boolean(data, "all_day", errors, False),
        "show_in_calendar": boolean(data, "show_in_calendar", errors, True),
    }
    zone = data.get("timezone") or default_zone
    if not valid_zone(zone):
        errors.add("timezone", _l("Not a known time zone."))
        zone = "UTC"
    result["timezone"] = zone
    if "participants" in data:
        result["participants"] = clean_participants(data, errors)
    if result["all_day"]:
        start = parse_date(data.get("start_date"), "start_date", errors)
        end = parse_date(data.get("end_date"), "end_date", errors) or start
        if start is None and "start_date" not in errors:
            errors.add("start_date", _l("This field is required."))
        if start and end and end < start:
            errors.add("end_date", _l("The end cannot be before the start."))
        result.update(start_date=start, end_date=end, start_at=None, end_at=None)
    else:
        start = clean_instant(data.get("start_at"), zone, "start_at", errors)
        end = clean_instant(data.get("end_at"), zone, "end_at", errors)
        if start is None and "start_at" not in errors:
            errors.add("start_at", _l("This field is required."))
        if start and end is None and "end_at" not in errors:
            end = start + timedelta(hours=1)
        if start and end and end < start:
            errors.add("end_at", _l("The end cannot be before the start."))
        result.update(start_at=start, end_at=end, start_date=None, end_date=None)
    errors.raise_if_any()
    return result
