"""Every string of the accounts and health areas has a Russian translation in accounts.po."""
from babel.messages.pofile import read_po

from tests.accounts.catalogue import ROOT, extracted_ids

PO = ROOT / "wizard/translations/ru/LC_MESSAGES/accounts.po"
# Users under domain-wide delegation (accounts/domain.py, the domain's banners) keep their own catalogue.
WORKSPACE_PO = ROOT / "wizard/translations/ru/LC_MESSAGES/workspace.po"
# The conflicts table's "Participants" field shares the participants' catalogue with the activity pages.
PARTICIPANTS_PO = ROOT / "wizard/translations/ru/LC_MESSAGES/participants.po"


def test_every_string_is_translated_to_russian():
    translated = set()
    for path in (PO, WORKSPACE_PO, PARTICIPANTS_PO):
        with path.open("rb") as fh:
            translated |= {m.id for m in read_po(fh, locale="ru") if m.id and m.string and not m.fuzzy}
    missing = sorted(extracted_ids() - translated)
    assert not missing, missing


def test_catalogue_header_declares_utf8_and_russian_plurals():
    head = PO.read_text(encoding="utf-8")[:1200]
    assert '"Content-Type: text/plain; charset=UTF-8\\n"' in head
    assert "nplurals=3" in head


def test_seed_labels_are_used():
    """The documented procedure's Russian labels appear as our Russian UI strings."""
    with PO.open("rb") as fh:
        strings = {m.string for m in read_po(fh, locale="ru")}
    for label in ("Добавить аккаунт для синхронизации", "Выберите сервис для синхронизации", "Настроить...",
                  "Синхронизировать активности автоматически", "Синхронизировать начиная с",
                  "Синхронизировать контакты автоматически"):
        assert label in strings
