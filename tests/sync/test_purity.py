"""The core stays pure: every module of wizard.sync imports only the standard library and wizard.sync."""
import ast
import importlib
import pkgutil
import sys
from pathlib import Path

import wizard.sync

SYNC_DIR = Path(wizard.sync.__file__).parent


def imported_modules(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, 0
        elif isinstance(node, ast.ImportFrom):
            yield node.module or "", node.level


def forbidden_imports(path: Path) -> list[str]:
    offenders = []
    for name, level in imported_modules(path):
        if level > 0:
            continue  # relative import inside wizard.sync (see the next test)
        if name == "wizard.sync" or name.startswith("wizard.sync."):
            continue
        top = name.split(".")[0]
        if top == "__future__" or top in sys.stdlib_module_names:
            continue
        offenders.append(f"{path.name}: {name}")
    return offenders


def test_every_module_imports_only_stdlib_and_the_core_itself():
    files = sorted(SYNC_DIR.rglob("*.py"))
    assert len(files) >= 8
    assert [o for path in files for o in forbidden_imports(path)] == []


def test_the_check_catches_third_party_and_app_imports(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("import json\nfrom flask import g\nimport sqlalchemy.orm\nfrom wizard.models import User\n"
                   "from wizard.sync.records import Record\n")
    assert forbidden_imports(bad) == ["bad.py: flask", "bad.py: sqlalchemy.orm", "bad.py: wizard.models"]


def test_relative_imports_do_not_leave_the_package():
    for path in SYNC_DIR.rglob("*.py"):
        depth = len(path.relative_to(SYNC_DIR).parts)  # 1 for a module directly in wizard/sync
        for _name, level in imported_modules(path):
            assert level <= depth, f"{path.name} climbs out of wizard.sync with level {level}"


def test_every_module_imports_cleanly():
    names = [m.name for m in pkgutil.walk_packages(wizard.sync.__path__, "wizard.sync.")]
    assert {"wizard.sync.planner", "wizard.sync.merge", "wizard.sync.records", "wizard.sync.times"} <= set(names)
    for name in names:
        importlib.import_module(name)
