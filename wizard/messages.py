"""Messages as codes with parameters, translated only when shown.

Domain code (the sync core, adapters, jobs) records `Message(code, params)`; pages and the API render them
in the reader's language. Each area defines its codes with `define()` at import time, next to its code:

    define("contacts.sync.etag_stale", _l("Contact %(name)s changed in Google meanwhile; merged again."))
"""
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l

_CATALOGUE: dict = {}


@dataclass(frozen=True)
class Message:
    code: str
    params: dict = field(default_factory=dict)

    def render(self) -> str:
        return render(self.code, **self.params)


def define(code: str, text) -> str:
    _CATALOGUE[code] = text
    return code


def render(code: str, **params) -> str:
    text = _CATALOGUE.get(code)
    if text is None:
        return code
    try:
        return str(text) % params if params else str(text)
    except (KeyError, TypeError, ValueError):
        return str(text)


def known_codes():
    return set(_CATALOGUE)


define("error.unexpected", _l("Something went wrong. Please try again; if it persists, tell your administrator."))
