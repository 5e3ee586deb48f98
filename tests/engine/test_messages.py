"""Every code the engine and the core emit renders in Russian from the engine catalogue."""
from babel.messages.pofile import read_po
from flask_babel import force_locale

from wizard.messages import known_codes, render
from wizard.sync.errors import TEMPLATES

ENGINE_CODES = [c for c in TEMPLATES] + [
    "sync.run.succeeded", "sync.run.partial", "sync.run.already_running", "sync.run.account_unlinked",
    "sync.run.needs_reconnect", "sync.run.not_configured", "sync.run.abandoned", "sync.run.crashed",
    "sync.issue.crm_write_failed", "sync.issue.google_write_failed"]


def test_core_and_engine_codes_are_registered():
    assert set(ENGINE_CODES) <= known_codes()


def test_catalogue_is_complete():
    from pathlib import Path

    import wizard

    path = Path(wizard.__file__).parent / "translations/ru/LC_MESSAGES/engine.po"
    with path.open("rb") as fh:
        catalogue = read_po(fh, locale="ru")
    ids = [m.id for m in catalogue if m.id]
    assert ids and all(catalogue[i].string and not catalogue[i].fuzzy for i in ids)


def test_rendered_in_russian(app):
    params = {"issues": 2, "detail": "x", "removals": 30, "pairs": 100, "side": "google", "to_google": 1,
              "to_crm": 2, "matched": 3, "field": "title", "google_id": "g", "crm_id": "1", "item": "i"}
    with app.test_request_context(), force_locale("ru"):
        for code in ENGINE_CODES:
            text = render(code, **params)
            assert text != code and any("а" <= ch <= "я" for ch in text.lower()), (code, text)
