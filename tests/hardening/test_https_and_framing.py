"""Behind an https reverse proxy (TRUSTED_PROXY_COUNT=1, X-Forwarded-Proto: https): HSTS and Secure cookies;
and the OAuth and settings pages can never be framed (clickjacking)."""
import pytest

from config import TestingConfig
from tests.hardening.conftest import PASSWORD, FreshClient, signed_in
from wizard import create_app
from wizard.extensions import db

HTTPS = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.7", "X-Forwarded-Host": "crm.example.com"}


@pytest.fixture
def proxied_app(tmp_path, redis_server):
    app = create_app(TestingConfig, INSTANCE_PATH=str(tmp_path / "proxied"), REDIS_URL=redis_server.url,
                     TRUSTED_PROXY_COUNT=1)
    with app.app_context():
        db.create_all()
        yield app
        db.session.remove()
        db.drop_all()


def set_cookies(response):
    return [v for k, v in response.headers.items() if k.lower() == "set-cookie"]


def test_login_behind_https_proxy_sets_secure_cookies_and_hsts(proxied_app):
    from wizard.models import User

    user = User(email="user@example.com", role="user")
    user.set_password(PASSWORD)
    db.session.add(user)
    db.session.commit()
    client = FreshClient(proxied_app, proxied_app.response_class, use_cookies=True)
    response = client.post("/login", data={"email": user.email, "password": PASSWORD, "remember": "y"},
                           headers=HTTPS)
    assert response.status_code == 302
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    cookies = set_cookies(response)
    assert cookies, "login must set the session cookie"
    for cookie in cookies:
        attrs = [a.strip().lower() for a in cookie.split(";")]
        assert "secure" in attrs, cookie
        assert "httponly" in attrs, cookie
        assert "samesite=lax" in attrs, cookie
    # The redirect stays on the public https address the proxy forwarded.
    assert not response.headers["Location"].startswith("http://")


def test_plain_http_without_a_trusted_proxy_gets_no_hsts_and_cannot_fake_https(app, client):
    # TRUSTED_PROXY_COUNT=0 (the default): a client's own X-Forwarded-Proto is not believed.
    response = client.get("/login", headers=HTTPS)
    assert "Strict-Transport-Security" not in response.headers


def test_hsts_on_every_kind_of_answer_over_https(proxied_app):
    client = FreshClient(proxied_app, proxied_app.response_class, use_cookies=True)
    for url in ("/login", "/contacts", "/no/such/page", "/healthz"):
        response = client.get(url, headers=HTTPS)
        assert response.headers.get("Strict-Transport-Security", "").startswith("max-age="), url


def frame_protected(response):
    csp = response.headers.get("Content-Security-Policy", "")
    return response.headers.get("X-Frame-Options") == "DENY" and "frame-ancestors 'none'" in csp


def test_oauth_and_settings_pages_cannot_be_framed(app, world):
    account = world["account"].id
    user = signed_in(app, world["user"])
    admin = signed_in(app, world["admin"])
    answers = {
        "/sync": user.get("/sync"),
        "/sync/add": user.get("/sync/add"),
        "/sync/connect/google": user.post("/sync/connect/google"),
        "callback": user.get("/oauth/google/callback?state=forged&code=x"),
        "legacy callback": user.get("/0/ViewPage.aspx?Id=3b22f0ff-034a-48da-8758-a0660e5a26ff&state=x&code=y"),
        "account settings": user.get(f"/sync/accounts/{account}/settings"),
        "admin settings": admin.get("/admin/settings"),
        "setting card": admin.get("/admin/settings/GoogleClientSecret"),
        "wizard": admin.get("/admin/setup/credentials"),
        "forbidden": user.get("/admin/settings"),
    }
    for name, response in answers.items():
        assert response.status_code < 500, name
        assert frame_protected(response), (name, dict(response.headers))
    assert answers["forbidden"].status_code == 403
