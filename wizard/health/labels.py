"""Readable, translated names for the sync core's field names (conflicts are shown per field)."""
from flask_babel import lazy_gettext as _l

FIELDS = {
    "contacts": {
        "given_name": _l("First name"), "family_name": _l("Last name"), "middle_name": _l("Middle name"),
        "emails": _l("E-mails"), "phones": _l("Phones"), "addresses": _l("Addresses"),
        "organization": _l("Company"), "title": _l("Job title"), "birthday": _l("Birthday"), "notes": _l("Notes"),
    },
    "activities": {
        "title": _l("Title"), "description": _l("Description"), "location": _l("Location"), "start": _l("Start"),
        "end": _l("End"), "all_day": _l("All day"), "timezone": _l("Time zone"), "status": _l("Status"),
        "type": _l("Type"), "participants": _l("Participants"),
    },
}


def field_label(object_name: str, fields: str) -> str:
    """`fields` is one field name or several joined by commas (a conflict over a unit of fields)."""
    names = FIELDS.get(object_name, {})
    return ", ".join(str(names.get(name, name)) for name in (fields or "").split(",") if name)
