"""The scopes the product asks for, and what a granted set lets it do.

Google reports granted scopes in the token response's `scope` field, may add earlier grants
(include_granted_scopes) and expands the short identity names (`email` becomes the userinfo.email URL), so
comparisons happen on normalised sets.
"""
from flask_babel import lazy_gettext as _l

CONTACTS = "https://www.googleapis.com/auth/contacts"
CALENDAR_EVENTS = "https://www.googleapis.com/auth/calendar.events"
CALENDAR_LIST = "https://www.googleapis.com/auth/calendar.calendarlist.readonly"
IDENTITY = ("openid", "email", "profile")

REQUESTED = (CONTACTS, CALENDAR_EVENTS, CALENDAR_LIST) + IDENTITY

_ALIASES = {
    "email": "https://www.googleapis.com/auth/userinfo.email",
    "profile": "https://www.googleapis.com/auth/userinfo.profile",
}


class Feature:
    def __init__(self, code, label, scope):
        self.code, self.label, self.scope = code, label, scope


# What each scope serves, in the order the pages list them.
FEATURES = (
    Feature("contacts", _l("Contacts"), CONTACTS),
    Feature("activities", _l("Activities (calendar events)"), CALENDAR_EVENTS),
    Feature("calendar_list", _l("Choosing the target calendar"), CALENDAR_LIST),
)


def normalise(scopes) -> set[str]:
    if isinstance(scopes, str):
        scopes = scopes.split()
    return {_ALIASES.get(s, s) for s in (scopes or ()) if s}


def missing(granted) -> list[str]:
    """Requested product scopes (not identity) absent from the granted set, in request order."""
    have = normalise(granted)
    return [f.scope for f in FEATURES if f.scope not in have]


def feature_states(granted) -> list[tuple[Feature, bool]]:
    have = normalise(granted)
    return [(f, f.scope in have) for f in FEATURES]


def has(granted, scope) -> bool:
    return normalise(scope) <= normalise(granted)


def identity_and(scopes) -> list[str]:
    """Identity scopes (to recognise the account at the callback) plus the given ones."""
    return list(scopes) + [s for s in IDENTITY if s not in scopes]
