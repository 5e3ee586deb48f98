"""Issue #18: in production config (SESSION_COOKIE_SECURE on) on plain http the browser never returns the
session cookie, so every form fails its CSRF check. The answer names the setting instead of "form expired"."""
import pytest

from config import TestingConfig
from tests.hardening.conftest import FreshClient
from wizard import create_app
from wizard.extensions import db


def app_with(tmp_path, redis_server, secure):
    return create_app(TestingConfig, INSTANCE_PATH=str(tmp_path / "instance"), REDIS_URL=redis_server.url,
                      WTF_CSRF_ENABLED=True, SESSION_COOKIE_SECURE=secure)


def login_without_the_cookie(app, base_url="http://localhost"):
    """The login page is read (its Secure cookie set), then the form comes back without that cookie, as a
    browser on http sends it."""
    with app.app_context():
        db.create_all()
        client = FreshClient(app, app.response_class, use_cookies=True)
        page = client.get("/login", base_url=base_url)
        assert page.status_code == 200
        token = page.get_data(as_text=True).split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
        cookie = page.headers.get("Set-Cookie", "")
        client.delete_cookie("session", domain="localhost")
        response = client.post("/login", data={"email": "a@example.com", "password": "x", "csrf_token": token},
                               base_url=base_url, headers={"Accept-Language": "en"})
        db.drop_all()
        return cookie, response


def test_a_secure_cookie_lost_over_http_names_the_setting(tmp_path, redis_server):
    cookie, response = login_without_the_cookie(app_with(tmp_path, redis_server, secure=True))
    assert "secure" in [a.strip().lower() for a in cookie.split(";")]
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "SESSION_COOKIE_SECURE" in body and "TRUSTED_PROXY_COUNT" in body
    assert "The form has expired" not in body


def test_the_page_is_in_russian_too(tmp_path, redis_server):
    app = app_with(tmp_path, redis_server, secure=True)
    with app.app_context():
        db.create_all()
        client = FreshClient(app, app.response_class, use_cookies=False)
        response = client.post("/login", data={"email": "a@example.com", "password": "x"},
                               headers={"Accept-Language": "ru"})
        db.drop_all()
    body = response.get_data(as_text=True)
    assert "Браузер не вернул cookie сессии" in body and "SESSION_COOKIE_SECURE=false" in body


@pytest.mark.parametrize("secure, base_url", [(False, "http://localhost"), (True, "https://localhost")])
def test_otherwise_a_missing_session_is_still_an_expired_form(tmp_path, redis_server, secure, base_url):
    _cookie, response = login_without_the_cookie(app_with(tmp_path, redis_server, secure=secure), base_url)
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "The form has expired" in body and "SESSION_COOKIE_SECURE" not in body
