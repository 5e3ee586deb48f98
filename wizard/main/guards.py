"""Guards every request passes, whatever area answers it:

- an `<int:...>` in a URL beyond what an id column holds (INTEGER: 2^31 - 1 on PostgreSQL) is a 404, never an
  overflow in the database driver;
- JSON bodies nested deeper than MAX_JSON_DEPTH (or deep enough to exhaust Python's recursion) read as invalid
  JSON, so every caller's ordinary "not JSON" answer (400) covers them;
- `Cache-Control: no-store` on every answer but static files: pages and API answers carry a user's data (and
  once, a new API token or one-time link), which no browser or proxy cache may keep;
- the instance folder is readable by the service user only (0700), and so is a SQLite database file (0600).
"""
import logging
import os
import stat
from pathlib import Path

from flask import request
from flask.json.provider import DefaultJSONProvider
from sqlalchemy.engine import make_url
from werkzeug.exceptions import NotFound
from werkzeug.routing import IntegerConverter

log = logging.getLogger(__name__)

MAX_DB_INT = 2**31 - 1  # every id column is an INTEGER (32-bit on PostgreSQL)
MAX_JSON_DEPTH = 64
CACHEABLE_ENDPOINTS = {"static", "bootstrap.static"}


class BoundedIntegerConverter(IntegerConverter):
    """Werkzeug's `int`, answering 404 for a number no id column can hold. (A `max` would
    only make the rule not match, and the request would fall through to another rule: a 405, or a catch-all.)"""

    def to_python(self, value):
        number = super().to_python(value)
        if number > MAX_DB_INT:
            raise NotFound()
        return number


def json_depth(value) -> int:
    """How deep lists and objects nest (iterative: a hostile document must not recurse the checker)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, (list, dict)):
            deepest = max(deepest, depth)
            if depth > MAX_JSON_DEPTH:
                break
            stack.extend((child, depth + 1) for child in (item.values() if isinstance(item, dict) else item))
    return deepest


class GuardedJSONProvider(DefaultJSONProvider):
    def loads(self, s, **kwargs):
        try:
            value = super().loads(s, **kwargs)
        except RecursionError:
            raise ValueError("JSON nested too deeply") from None
        if json_depth(value) > MAX_JSON_DEPTH:
            raise ValueError("JSON nested too deeply")
        return value


def no_store(response):
    if request.endpoint not in CACHEABLE_ENDPOINTS:
        response.headers["Cache-Control"] = "no-store"
        response.headers.setdefault("Pragma", "no-cache")  # HTTP/1.0 caches in old proxies
    return response


def _private(path: Path, mode: int) -> None:
    try:
        if path.exists() and stat.S_IMODE(path.stat().st_mode) != mode:
            os.chmod(path, mode)
    except PermissionError:
        log.warning("cannot make %s private (mode %o): it belongs to another user", path, mode)


def sqlite_file(uri: str) -> Path | None:
    url = make_url(uri)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:" \
            or url.database.startswith("file:"):
        return None
    return Path(url.database)


def protect_files(app) -> None:
    """Make the instance folder 0700 and the SQLite file 0600, creating the file empty (so SQLite never makes it
    with the umask's looser mode); journals SQLite makes later copy the database file's mode."""
    _private(Path(app.instance_path), 0o700)
    database = sqlite_file(app.config.get("SQLALCHEMY_DATABASE_URI") or "")
    if database is None:
        return
    if not database.exists() and database.parent.is_dir():
        os.close(os.open(database, os.O_CREAT | os.O_WRONLY, 0o600))
    _private(database, 0o600)


def init_app(app):
    app.url_map.converters["int"] = BoundedIntegerConverter
    app.json = GuardedJSONProvider(app)
    app.after_request(no_store)
    protect_files(app)
