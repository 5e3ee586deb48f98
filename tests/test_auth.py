"""Login, logout, safe redirects, throttling, the first administrator's link, the profile, the session cookie."""
import time

import pytest

from config import TestingConfig
from wizard import create_app
from wizard.auth import first_admin
from wizard.extensions import db
from wizard.models import User

PASSWORD = "correct horse battery"


def test_login_then_logout(client, make_user):
    user = make_user()
    response = client.post("/login", data={"email": "USER@example.com ", "password": PASSWORD})
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert client.get("/").status_code == 200
    response = client.post("/logout")
    assert response.status_code == 302
    assert client.get("/").status_code == 302  # back to the login page
    assert user.id


def test_wrong_password_is_refused_without_saying_which_part(client, make_user):
    make_user()
    wrong_password = client.post("/login", data={"email": "user@example.com", "password": "nope"})
    unknown_user = client.post("/login", data={"email": "ghost@example.com", "password": "nope"})
    assert wrong_password.status_code == unknown_user.status_code == 200
    assert "Wrong e-mail or password." in wrong_password.get_data(as_text=True)
    assert "Wrong e-mail or password." in unknown_user.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_inactive_user_cannot_log_in(client, make_user):
    make_user(active=False)
    response = client.post("/login", data={"email": "user@example.com", "password": PASSWORD})
    assert response.status_code == 200


def test_anonymous_visit_goes_to_login_with_next(client):
    response = client.get("/profile")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


@pytest.mark.parametrize("target", ["/profile", "/contacts?tag=3"])
def test_next_redirect_stays_on_site(client, make_user, target):
    make_user()
    response = client.post("/login", query_string={"next": target},
                           data={"email": "user@example.com", "password": PASSWORD})
    assert response.headers["Location"] == target


@pytest.mark.parametrize("target", [
    "https://evil.example/", "//evil.example/", "/\\evil.example", "\\\\evil.example", "javascript:alert(1)",
    "/\t/evil.example", "http:/evil.example", "evil.example",
])
def test_next_redirect_refuses_other_sites(client, make_user, target):
    make_user()
    response = client.post("/login", query_string={"next": target},
                           data={"email": "user@example.com", "password": PASSWORD})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_session_cookie_flags(client, make_user):
    make_user()
    response = client.post("/login", data={"email": "user@example.com", "password": PASSWORD})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie


def test_session_cookie_secure_over_https(app, make_user):
    make_user()
    client = app.test_client()
    response = client.post("/login", base_url="https://localhost",
                           data={"email": "user@example.com", "password": PASSWORD})
    assert "Secure" in response.headers["Set-Cookie"]


# --- throttling ------------------------------------------------------------------------------------------

@pytest.fixture
def throttled_app(tmp_path, redis_server):
    app = create_app(TestingConfig, INSTANCE_PATH=str(tmp_path / "instance"), REDIS_URL=redis_server.url,
                     RATELIMIT_ENABLED=True, LOGIN_LIMIT_PER_ACCOUNT="3 per minute", LOGIN_LIMIT_PER_IP="5 per minute")
    with app.app_context():
        db.drop_all()  # a shared server database may hold another app's tables
        db.create_all()
        for email in ("a@example.com", "b@example.com", "c@example.com"):
            user = User(email=email, role="user")
            user.set_password(PASSWORD)
            db.session.add(user)
        db.session.commit()
        yield app
        db.session.remove()
    import redis

    redis.Redis.from_url(redis_server.url).flushdb()


def _attempt(client, email, password="wrong", ip="10.0.0.1"):
    return client.post("/login", data={"email": email, "password": password},
                       environ_overrides={"REMOTE_ADDR": ip})


def test_login_throttled_per_account(throttled_app):
    client = throttled_app.test_client()
    for _ in range(3):
        assert _attempt(client, "a@example.com").status_code == 200
    # Even the right password is refused once the account is throttled, from any address.
    assert _attempt(client, "a@example.com", PASSWORD, ip="10.0.0.9").status_code == 429
    page = _attempt(client, "a@example.com", PASSWORD, ip="10.0.0.9").get_data(as_text=True)
    assert "Too many attempts" in page
    # Another account is not affected.
    assert _attempt(client, "b@example.com", PASSWORD, ip="10.0.0.9").status_code == 302


def test_login_throttled_per_ip(throttled_app):
    client = throttled_app.test_client()
    for i in range(5):
        assert _attempt(client, f"nobody{i}@example.com").status_code == 200
    assert _attempt(client, "c@example.com", PASSWORD).status_code == 429
    assert _attempt(client, "c@example.com", PASSWORD, ip="10.0.0.2").status_code == 302


def test_successful_logins_are_not_counted(throttled_app):
    for _ in range(6):
        client = throttled_app.test_client()
        assert _attempt(client, "a@example.com", PASSWORD).status_code == 302


# --- CSRF ------------------------------------------------------------------------------------------------

def test_login_without_csrf_token_gets_form_expired_page(tmp_path, redis_server):
    app = create_app(TestingConfig, INSTANCE_PATH=str(tmp_path), REDIS_URL=redis_server.url, WTF_CSRF_ENABLED=True)
    with app.app_context():
        db.drop_all()  # a shared server database may hold another app's tables
        db.create_all()
        response = app.test_client().post("/login", data={"email": "a@example.com", "password": "x"},
                                          headers={"Accept-Language": "ru"})
        assert response.status_code == 400
        assert "Срок действия формы истёк" in response.get_data(as_text=True)


# --- first administrator ---------------------------------------------------------------------------------

def _first_admin_form(email="boss@example.com", password="a long password"):
    return {"email": email, "password": password, "confirm": password}


def test_first_admin_link_creates_admin_once(app, client):
    token = first_admin.issue_token()
    assert token not in (first_admin.get_redis().get(first_admin.TOKEN_KEY) or b"").decode()
    assert client.get(f"/setup/first-admin/{token}").status_code == 200
    response = client.post(f"/setup/first-admin/{token}", data=_first_admin_form())
    assert response.status_code == 302 and response.headers["Location"] == "/admin/setup"  # hands over to the wizard
    admin = db.session.scalar(db.select(User).where(User.email == "boss@example.com"))
    assert admin.is_admin and admin.check_password("a long password")
    assert client.get("/").status_code == 200  # logged in as the new administrator
    assert app.test_client().get(f"/setup/first-admin/{token}").status_code == 410
    assert app.test_client().post(f"/setup/first-admin/{token}", data=_first_admin_form("x@example.com")).status_code == 410
    assert db.session.scalar(db.select(db.func.count(User.id))) == 1


def test_first_admin_link_refuses_wrong_token(client):
    first_admin.issue_token()
    assert client.get("/setup/first-admin/not-the-token").status_code == 404
    assert client.post("/setup/first-admin/not-the-token", data=_first_admin_form()).status_code == 404


def test_first_admin_link_expires(app, client):
    app.config["SETUP_TOKEN_TTL"] = 1
    token = first_admin.issue_token()
    time.sleep(1.2)
    assert client.get(f"/setup/first-admin/{token}").status_code == 404


def test_first_admin_link_gone_when_an_admin_exists(client, make_user):
    token = first_admin.issue_token()
    make_user(role="admin")
    assert client.get(f"/setup/first-admin/{token}").status_code == 410


def test_first_admin_form_checks_the_password(client):
    token = first_admin.issue_token()
    response = client.post(f"/setup/first-admin/{token}", data=_first_admin_form(password="short"))
    assert response.status_code == 200
    mismatch = dict(_first_admin_form(), confirm="something else entirely")
    assert client.post(f"/setup/first-admin/{token}", data=mismatch).status_code == 200
    assert first_admin.token_is_valid(token)  # not consumed by a rejected form


def test_token_single_use_under_race(app):
    token = first_admin.issue_token()
    assert first_admin.consume_token(token) is True
    assert first_admin.consume_token(token) is False


# --- profile ---------------------------------------------------------------------------------------------

def test_profile_saves_locale_and_timezone(client, make_user, login):
    user = make_user()
    login(user)
    assert client.get("/profile").status_code == 200
    response = client.post("/profile", data={"name": "Ann", "locale": "ru", "timezone": "Europe/Moscow"})
    assert response.status_code == 302
    db.session.refresh(user)
    assert (user.name, user.locale, user.timezone) == ("Ann", "ru", "Europe/Moscow")
    assert "Профиль" in client.get("/profile").get_data(as_text=True)


def test_profile_refuses_unknown_timezone(client, make_user, login):
    user = make_user()
    login(user)
    response = client.post("/profile", data={"name": "", "locale": "en", "timezone": "Mars/Olympus"})
    assert response.status_code == 200
    db.session.refresh(user)
    assert user.timezone == "UTC"


def _login_through_proxy(tmp_path, redis_url, **overrides):
    app = create_app(TestingConfig, INSTANCE_PATH=str(tmp_path), REDIS_URL=redis_url, **overrides)
    with app.app_context():
        db.drop_all()  # a shared server database may hold another app's tables
        db.create_all()
        user = User(email="user@example.com")
        user.set_password(PASSWORD)
        db.session.add(user)
        db.session.commit()
        return app.test_client().post("/login", data={"email": "user@example.com", "password": PASSWORD},
                                      headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"})


def test_forwarded_https_counts_only_behind_a_trusted_proxy(tmp_path, redis_server):
    untrusted = _login_through_proxy(tmp_path / "a", redis_server.url)
    assert untrusted.status_code == 302 and "Secure" not in untrusted.headers["Set-Cookie"]
    trusted = _login_through_proxy(tmp_path / "b", redis_server.url, TRUSTED_PROXY_COUNT=1)
    assert trusted.status_code == 302 and "Secure" in trusted.headers["Set-Cookie"]
