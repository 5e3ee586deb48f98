"""Building a test app on a database of its own (fixtures share this; conftest modules are not imported)."""
from contextlib import contextmanager

from config import TestingConfig
from wizard import create_app
from wizard.extensions import db


@contextmanager
def app_on_fresh_database(config=TestingConfig, **overrides):
    """The app inside its context, on emptied tables, then its tables dropped and its Redis database flushed.

    Tables are dropped first too: a shared server database (PostgreSQL) may hold another app's tables."""
    app = create_app(config, **overrides)
    with app.app_context():
        db.drop_all()
        db.create_all()
        yield app
        db.session.remove()
        db.drop_all()
    redis = app.extensions.get("redis")
    if redis:
        redis[1].flushdb()


def session_login(user) -> str:
    """What a logged-in browser's cookie session holds for `user`: a new live login session (the server checks
    it on each request; a bare user id no longer logs anyone in)."""
    from wizard.auth.sessions import open_row

    return f"{user.id}:{open_row(user)}"
