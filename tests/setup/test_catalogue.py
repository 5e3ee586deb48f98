"""Every string the setup area marks for translation has a Russian translation in setup.po."""
import pytest
from babel.messages.pofile import read_po

from tests.test_i18n import marked_strings
from wizard.i18n import TRANSLATIONS

SETUP_PO = TRANSLATIONS / "ru" / "LC_MESSAGES" / "setup.po"
# The wizard's domain path (domain-wide delegation) keeps its strings in a catalogue of its own.
WORKSPACE_PO = TRANSLATIONS / "ru" / "LC_MESSAGES" / "workspace.po"
SETUP_SOURCES = ["wizard/google_rules.py", "wizard/setup", "wizard/cli/setup.py", "templates/setup"]


def test_setup_sources_are_all_translated():
    with SETUP_PO.open("rb") as fh:
        catalogue = read_po(fh, locale="ru")
    assert len(catalogue) > 200
    with WORKSPACE_PO.open("rb") as fh:
        for message in read_po(fh, locale="ru"):
            if message.id and message.id not in catalogue:
                catalogue[message.id] = message
    missing = []
    for path, message in marked_strings(SETUP_SOURCES):
        key = message if isinstance(message, str) else message[0]
        entry = catalogue.get(key)
        if entry is None or not entry.string or entry.fuzzy:
            missing.append((path.name, key))
    assert missing == []


@pytest.mark.parametrize("code", sorted(__import__("wizard.google.rules", fromlist=["x"]).rule_codes()))
def test_every_rule_explained_in_russian(app, code):
    from wizard.google.rules import Problem

    params = {"host": "crm.local", "value": "x", "scheme": "ftp", "fragment": "x", "param": "next", "path": "/x",
              "query": "a=1"}
    with app.test_request_context(headers={"Accept-Language": "ru"}):
        problem = Problem(code, params)
        assert any("а" <= c <= "я" for c in problem.message.lower()), problem.message
        assert any("а" <= c <= "я" for c in problem.fix.lower()), problem.fix
