"""A non-editable install is complete: the wheel (built offline, from a clean copy of the sources) carries
the templates, static files, catalogues, emulator pages and migrations, and the product runs from it in
another directory: pages render in both languages, static files are served, `db upgrade` applies the
migrations, and nothing is written into the installed package."""
import os
import shutil
import sqlite3
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from config import PROJECT_ROOT

pytestmark = pytest.mark.packaging

SOURCES = ["pyproject.toml", "README.md", "config.py", "wizard", "templates", "static"]
EXPECTED = [
    "config.py", "wizard/__init__.py", "wizard/templates/base.html", "wizard/templates/auth/login.html",
    "wizard/static/app.js", "wizard/static/app.css", "wizard/translations/ru/LC_MESSAGES/core.po",
    "wizard/translations/ru/LC_MESSAGES/emulator.po", "wizard/emulator/templates/consent.html",
    "wizard/migrations/alembic.ini", "wizard/migrations/script.py.mako", "wizard/migrations/env.py",
]
CHECK = r"""
import sys
from pathlib import Path
import wizard
assert Path(wizard.__file__).is_relative_to(sys.argv[1]), wizard.__file__
from config import TestingConfig
from wizard import create_app
app = create_app(TestingConfig, INSTANCE_PATH=sys.argv[2], SQLALCHEMY_DATABASE_URI="sqlite://")
client = app.test_client()
english = client.get("/login", headers={"Accept-Language": "en"})
russian = client.get("/login", headers={"Accept-Language": "ru"})
script = client.get("/static/app.js")
assert english.status_code == russian.status_code == script.status_code == 200
assert "Sign in" in english.get_data(as_text=True) or "Log in" in english.get_data(as_text=True)
assert "Войти" in russian.get_data(as_text=True), russian.get_data(as_text=True)[:500]
from werkzeug.test import Client
from wizard.emulator import create_emulator_app
missing = Client(create_emulator_app()).get("/no/such/page", headers={"Accept-Language": "ru"})
assert missing.status_code == 404 and "<html" in missing.get_data(as_text=True).lower()
print("ok")
"""


def copy_sources(target: Path):
    target.mkdir()
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.mo", "*.stamp", "*.tmp")
    for name in SOURCES:
        source = PROJECT_ROOT / name
        if source.is_dir():
            shutil.copytree(source, target / name, symlinks=True, ignore=ignore)
        else:
            shutil.copy2(source, target / name)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    work = tmp_path_factory.mktemp("wheel")
    copy_sources(work / "src")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index", "-q",
                    "-w", str(work / "dist"), str(work / "src")], check=True, capture_output=True, timeout=120)
    (built,) = (work / "dist").glob("*.whl")
    return built


def test_the_wheel_carries_everything_the_product_reads(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    missing = [name for name in EXPECTED if name not in names]
    assert not missing, missing
    for folder, source in (("wizard/templates/", PROJECT_ROOT / "templates"), ("wizard/static/", PROJECT_ROOT / "static")):
        files = {str(p.relative_to(source)) for p in source.rglob("*") if p.is_file()}
        assert {n[len(folder):] for n in names if n.startswith(folder)} == files
    versions = {f"wizard/migrations/versions/{p.name}" for p in (PROJECT_ROOT / "wizard/migrations/versions").glob("*.py")}
    assert versions and versions <= names
    catalogues = {p.name for p in (PROJECT_ROOT / "wizard/translations/ru/LC_MESSAGES").glob("*.po")}
    assert {n.rsplit("/", 1)[1] for n in names if n.endswith(".po")} == catalogues
    (entry_points,) = [n for n in names if n.endswith(".dist-info/entry_points.txt")]
    assert "syncwizard = wizard.cli:main" in zipfile.ZipFile(wheel).read(entry_points).decode()
    assert not [n for n in names if n.endswith((".mo", ".stamp")) or "/instance/" in n or n.startswith("instance/")]


def run_installed(site, cwd, *args):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SYNCWIZARD_", "DATABASE_URL"))}
    env["PYTHONPATH"] = str(site)
    return subprocess.run([sys.executable, *args], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=60)


def test_the_installed_product_runs_from_another_directory(wheel, tmp_path):
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)  # what pip's installer does with a pure-Python wheel
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    checked = run_installed(site, elsewhere, "-c", CHECK, str(site), str(tmp_path / "instance"))
    assert checked.returncode == 0 and checked.stdout.strip().endswith("ok"), checked.stderr[-3000:]
    upgraded = run_installed(site, elsewhere, "-c", "from wizard.cli import main; main()", "db", "upgrade")
    assert upgraded.returncode == 0, upgraded.stderr[-3000:]
    # Without SYNCWIZARD_INSTANCE, the instance folder is the working directory's, not site-packages'.
    with sqlite3.connect(elsewhere / "instance" / "syncwizard.db") as db:
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"alembic_version", "google_accounts", "sync_pairs"} <= tables
    # Nothing is written into the installed package (root installs it, a service user runs it): the
    # catalogues are compiled into the instance folder.
    assert (tmp_path / "instance" / "translations" / "ru" / "LC_MESSAGES" / "messages.mo").is_file()
    written = [p for p in site.rglob("*") if p.suffix in (".mo", ".stamp", ".db") or p.name == "instance"]
    assert not written, written
