"""The translatable strings of the accounts and health areas, extracted with Babel the way pybabel does."""
from pathlib import Path

from babel.messages.extract import extract_from_dir

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ["wizard/accounts", "wizard/health", "wizard/models/accounts.py", "templates/accounts",
           "templates/health", "templates/_banners.html"]
METHODS = [("**.py", "python"), ("**.html", "jinja2")]
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None}


def extracted_ids() -> set:
    ids = set()
    for source in SOURCES:
        path = ROOT / source
        if path.is_file():
            directory, methods = path.parent, [(path.name, METHODS[0][1] if path.suffix == ".py" else "jinja2")]
        else:
            directory, methods = path, METHODS
        for _file, _line, message, _comments, _context in extract_from_dir(
                directory, methods, keywords=KEYWORDS, options_map={"**.html": {"extensions": "jinja2.ext.i18n"}}):
            ids.add(message if isinstance(message, str) else message[0])
    return ids
