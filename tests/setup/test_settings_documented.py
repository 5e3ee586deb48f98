"""The documents list the same defaults as the settings registry (README, the admin guide and the registry
reference in docs/admin-setup.md)."""
import re
from pathlib import Path

import pytest

from wizard.settings.registry import SETTINGS, SYNC

ROOT = Path(__file__).resolve().parents[2]
SYNC_DEFAULTS = {d.code: str(d.default) for d in SETTINGS if d.group is SYNC}


def table_defaults(path, column):
    """{code: the default column's first word} of the Markdown table rows naming a setting."""
    out = {}
    for line in (ROOT / path).read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        match = re.fullmatch(r"`(\w+)`", cells[0]) if len(cells) > column else None
        if match and match.group(1) in SYNC_DEFAULTS:
            out[match.group(1)] = cells[column].split()[0].strip("`")
    return out


@pytest.mark.parametrize("path, column", [("docs/admin-setup.md", 3), ("docs/guide-admin.en.md", 1),
                                          ("docs/guide-admin.ru.md", 1)])
def test_the_documents_list_the_registry_defaults(path, column):
    assert table_defaults(path, column) == SYNC_DEFAULTS


def test_the_readme_states_the_guard_defaults():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    share, minimum, preview = (SYNC_DEFAULTS[c] for c in ("MassDeleteShare", "MassDeleteMinimum",
                                                          "FirstSyncPreviewThreshold"))
    assert f"the registry's defaults, {share} %, {minimum} and {preview}" in readme
