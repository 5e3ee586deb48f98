"""Shared fixtures: a real redis-server for the session, an app on a fresh database, users, clients."""
import pytest
import redis

from tests.apps import app_on_fresh_database
from wizard.extensions import db as _db
from wizard.redis import EmbeddedRedis

pytest_plugins = ["tests.plugins.emulator", "tests.plugins.browser"]


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory):
    server = EmbeddedRedis(tmp_path_factory.mktemp("redis"), persist=False).start()
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def empty_redis(redis_server):
    """Every test starts on an empty Redis, as on a fresh database. The server is shared by the session, and
    not every test's fixtures flush it afterwards (the live servers, a test that ends in a failure): a job, a
    bulk slot or a scheduled run a previous test left would otherwise be taken up by the next test's worker
    (account ids and so job ids repeat from one fresh database to the next)."""
    with redis.Redis.from_url(redis_server.url) as client:
        client.flushall()


@pytest.fixture
def app(tmp_path, redis_server):
    with app_on_fresh_database(INSTANCE_PATH=str(tmp_path / "instance"), REDIS_URL=redis_server.url) as app:
        yield app


@pytest.fixture
def client(app):
    # The fixture keeps one app context open for the whole test, so `g` would outlive a request; in
    # production every request has its own. Forget the logged-in user between requests, as production does.
    @app.teardown_request
    def forget_login(_exc):
        from flask import g

        g.pop("_login_user", None)

    return app.test_client()


@pytest.fixture
def make_user(app):
    from wizard.models import User

    def make(email="user@example.com", password="correct horse battery", role="user", **fields):
        user = User(email=User.normalize_email(email), role=role, **fields)
        user.set_password(password)
        _db.session.add(user)
        _db.session.commit()
        return user

    return make


@pytest.fixture
def login(client):
    """Log a user in through the real login form."""

    def do(user, password="correct horse battery"):
        response = client.post("/login", data={"email": user.email, "password": password})
        assert response.status_code in (302, 303), response.get_data(as_text=True)[:500]
        return response

    return do
