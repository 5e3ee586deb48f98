"""English pages (Google's are), Russian when the browser asks for it: the emulator reads its own catalogue
`translations/ru/LC_MESSAGES/emulator.po` directly, since it runs outside the product's Flask app."""
import contextvars
from functools import lru_cache
from pathlib import Path

from babel.messages.pofile import read_po
from markupsafe import Markup, escape

CATALOGUE = Path(__file__).resolve().parent.parent / "translations" / "ru" / "LC_MESSAGES" / "emulator.po"
LANGUAGES = ("en", "ru")
current_locale = contextvars.ContextVar("emulator_locale", default="en")
# Entries carry this msgctxt: the product merges every area's catalogue into one, and the context keeps the
# emulator's "Save" or "Name" from replacing another area's translation of the same word.
CONTEXT = "emulator"


@lru_cache(maxsize=1)
def russian() -> dict:
    if not CATALOGUE.exists():
        return {}
    with CATALOGUE.open("rb") as fh:
        catalog = read_po(fh, locale="ru")
    return {m.id: m.string for m in catalog
            if m.id and m.string and not m.fuzzy and isinstance(m.id, str) and m.context == CONTEXT}


def gettext(message, **params):
    text = russian().get(message, message) if current_locale.get() == "ru" else message
    return text % params if params else text


def with_values(message, **params):
    """Translated HTML with each value in <code>: what the visitor typed (an ID, a domain) is data, not
    language, and is marked so (the pages' language checks skip <code>)."""
    values = {name: Markup("<code>{}</code>").format(value) for name, value in params.items()}
    text = escape(russian().get(message, message) if current_locale.get() == "ru" else message)
    return Markup(text % values) if params else text


def ngettext(singular, plural, n, **params):
    text = gettext(singular if n == 1 else plural)
    params.setdefault("num", n)
    return text % params


def select(request):
    locale = request.args.get("hl") or request.accept_languages.best_match(LANGUAGES) or "en"
    current_locale.set(locale if locale in LANGUAGES else "en")


def install(environment):
    environment.install_gettext_callables(gettext, ngettext, newstyle=True)
