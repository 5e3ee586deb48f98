"""The app on a database file (and Redis) that worker processes share: the default test database lives in
memory, invisible to a worker's forked work horse. Test modules that run real workers import these fixtures."""
import pytest

from config import google_endpoints
from tests.apps import app_on_fresh_database


def shared_overrides(tmp_path, redis_server, emulator) -> dict:
    return {"INSTANCE_PATH": str(tmp_path / "instance"), "REDIS_URL": redis_server.url,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'shared.db'}", "GOOGLE_BACKOFF_BASE": 0.01,
            "GOOGLE_BACKOFF_MAX": 0.05, "SYNC_FIRST_SYNC_PREVIEW": 1000000, "INSTALLATION_ID": "engine-tests",
            "SYNC_CONTACTS_BATCH": 4, "SYNC_RUNNING_LOCK_TTL": 3, **google_endpoints(emulator.url)}


@pytest.fixture
def overrides(tmp_path, redis_server, emulator):
    return shared_overrides(tmp_path, redis_server, emulator)


@pytest.fixture
def app(overrides):
    with app_on_fresh_database(**overrides) as app:
        yield app
