"""Every message the Google adapters define has a Russian translation in their own catalogue."""
import inspect
from pathlib import Path

from babel.messages.pofile import read_po

from wizard.google import errors

CATALOGUE = Path(__file__).resolve().parents[2] / "wizard/translations/ru/LC_MESSAGES/google.po"


def test_every_domain_error_message_is_translated(app):
    with CATALOGUE.open("rb") as fh:
        catalogue = read_po(fh, locale="ru")
    translated = {m.id: m.string for m in catalogue if m.id and m.string and not m.fuzzy}
    classes = [c for _, c in inspect.getmembers(errors, inspect.isclass) if issubclass(c, errors.GoogleError)]
    from wizard.messages import _CATALOGUE

    with app.test_request_context():  # default locale: the English msgid
        for cls in classes:
            english = str(_CATALOGUE[cls.code])
            assert english in translated, f"{cls.__name__}: {english!r} has no Russian translation"
    assert all(s.strip() for s in translated.values())
