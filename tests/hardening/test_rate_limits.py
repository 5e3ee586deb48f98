"""Rate limits, counted in the real Redis: failed logins per account and per IP, and the JSON API per token."""
import pytest
import redis as redis_lib

from config import TestingConfig
from tests.hardening.conftest import PASSWORD, FreshClient
from wizard import create_app
from wizard.api.tokens import create_token
from wizard.extensions import db
from wizard.models import User


@pytest.fixture
def limited_app(tmp_path, redis_server):
    app = create_app(TestingConfig, INSTANCE_PATH=str(tmp_path / "limited"), REDIS_URL=redis_server.url,
                     RATELIMIT_ENABLED=True, LOGIN_LIMIT_PER_ACCOUNT="3 per minute",
                     LOGIN_LIMIT_PER_IP="6 per minute", API_RATE_LIMIT="5 per minute")
    counters = redis_lib.Redis.from_url(redis_server.url)
    counters.flushdb()  # the limiter's counters live in the shared test Redis: start from none
    with app.app_context():
        db.create_all()
        yield app
        db.session.remove()
        db.drop_all()
    counters.flushdb()


def make_user(email, locale=None):
    user = User(email=email, role="user", locale=locale)
    user.set_password(PASSWORD)
    db.session.add(user)
    db.session.commit()
    return user


def new_client(app):
    return FreshClient(app, app.response_class, use_cookies=True)


def attempt(client, email, password, lang="en", ip="198.51.100.1"):
    return client.post("/login", data={"email": email, "password": password},
                       headers={"Accept-Language": lang}, environ_base={"REMOTE_ADDR": ip})


def test_failed_logins_lock_the_account_then_answer_429_in_russian(limited_app):
    user = make_user("victim@example.com")
    client = new_client(limited_app)
    assert [attempt(client, user.email, "wrong").status_code for _ in range(3)] == [200, 200, 200]
    blocked = attempt(client, user.email, PASSWORD, lang="ru")  # even the right password: counted before it
    assert blocked.status_code == 429
    assert "Слишком много попыток" in blocked.get_data(as_text=True)
    # Another account from another address is not affected.
    other = make_user("other@example.com")
    assert attempt(new_client(limited_app), other.email, PASSWORD, ip="198.51.100.2").status_code == 302


def test_failed_logins_from_one_address_across_accounts_are_limited(limited_app):
    client = new_client(limited_app)
    codes = [attempt(client, f"guess{i}@example.com", "wrong").status_code for i in range(7)]
    assert codes[:6] == [200] * 6 and codes[6] == 429
    # The same guesses from another address are still answered.
    assert attempt(new_client(limited_app), "guess0@example.com", "wrong", ip="198.51.100.9").status_code == 200


def test_successful_logins_do_not_count(limited_app):
    user = make_user("busy@example.com")
    for _ in range(8):
        client = new_client(limited_app)
        assert attempt(client, user.email, PASSWORD).status_code == 302


def api(client, token, lang="en"):
    return client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}", "Accept-Language": lang})


def test_api_is_limited_per_token_with_a_translated_json_429(limited_app):
    alice, bob = make_user("alice@example.com"), make_user("bob@example.com", locale="ru")
    _row, token_a = create_token(alice.id)
    _row, token_b = create_token(bob.id)
    client = new_client(limited_app)
    first = api(client, token_a)
    assert first.status_code == 200 and first.headers["X-RateLimit-Limit"] == "5"
    assert [api(client, token_a).status_code for _ in range(4)] == [200] * 4
    limited = api(client, token_a)
    assert limited.status_code == 429
    assert limited.json["error"]["code"] == "too_many_requests"
    assert limited.json["error"]["message"] == "Too many requests. Please wait a minute and try again."
    assert "Retry-After" in limited.headers
    # Another token from the same address has its own budget. The limit is checked before the token is
    # read, so the refusal follows the request's Accept-Language.
    assert [api(client, token_b).status_code for _ in range(5)] == [200] * 5
    over = api(client, token_b, lang="ru")
    assert over.status_code == 429 and over.json["error"]["message"].startswith("Слишком много запросов")


def test_api_without_a_token_is_limited_per_address(limited_app):
    client = new_client(limited_app)
    codes = [client.get("/api/v1/me").status_code for _ in range(6)]
    assert codes == [401] * 5 + [429]


def test_limit_follows_configuration(limited_app):
    limited_app.config["API_RATE_LIMIT"] = "2 per minute"  # read per request, as from the environment
    _row, token = create_token(make_user("carol@example.com").id)
    client = new_client(limited_app)
    assert [api(client, token).status_code for _ in range(3)] == [200, 200, 429]
