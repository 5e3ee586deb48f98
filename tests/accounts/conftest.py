"""Fixtures for linking accounts against the Google emulator over real HTTP."""
import re
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from flask import g
from flask.testing import FlaskClient

from config import google_endpoints
from tests.accounts.helpers import CLIENT_ID, CLIENT_SECRET, configure_google_client

SITE = "http://localhost"
CLEAN_CALLBACK = SITE + "/oauth/google/callback"
LEGACY_CALLBACK = SITE + "/0/ViewPage.aspx?Id=3b22f0ff-034a-48da-8758-a0660e5a26ff"


class FreshUserClient(FlaskClient):
    """The shared `app` fixture keeps one app context open for the whole test, and Flask reuses it for every
    request, so `g` (where Flask-Login caches the current user) would leak from one web's request into
    another's. Each request here starts without that cache, as it does in production."""

    def open(self, *args, **kwargs):
        g.pop("_login_user", None)
        return super().open(*args, **kwargs)


@pytest.fixture
def client(app):
    return FreshUserClient(app, app.response_class, use_cookies=True)


@pytest.fixture
def google(app, emulator):
    """The app pointed at a fresh emulator, with a registered client and two Google users."""
    app.config.update(google_endpoints(emulator.url))
    emulator.add_client(client_id=CLIENT_ID, client_secret=CLIENT_SECRET,
                        redirect_uris=[CLEAN_CALLBACK, LEGACY_CALLBACK], javascript_origins=[SITE],
                        status="production")
    emulator.add_user("anna@gmail.com", "Anna Ivanova")
    emulator.add_user("boris@gmail.com", "Boris Petrov")
    configure_google_client(SITE)
    return emulator


class Browser:
    """A user's web: the app's test client for our pages, requests for Google's (the emulator's) pages."""

    def __init__(self, client, emulator):
        self.client = client
        self.emulator = emulator
        self.http = requests.Session()
        self.last_auth_url = None

    def start(self, path="/sync/connect/google"):
        response = self.client.post(path)
        assert response.status_code == 302, response.get_data(as_text=True)[:300]
        self.last_auth_url = response.headers["Location"]
        return self.last_auth_url

    def auth_params(self, url=None):
        return {k: v[0] for k, v in parse_qs(urlsplit(url or self.last_auth_url).query).items()}

    def consent(self, url=None, email="anna@gmail.com", untick=(), action="allow"):
        """Drive the emulator's consent page; return Google's redirect back to us (a URL)."""
        page = self.http.get(url or self.last_auth_url, timeout=10)
        assert page.status_code == 200, page.text[:300]
        txn = re.search(r'name="txn" value="([^"]+)"', page.text).group(1)
        offered = re.findall(r'name="scope" value="([^"]+)"', page.text)
        data = {"txn": txn, "email": email, "action": action, "scope": [s for s in offered if s not in untick]}
        answer = self.http.post(self.emulator.url + "/o/oauth2/v2/auth/consent", data=data,
                                allow_redirects=False, timeout=10)
        assert answer.status_code == 302, answer.text[:300]
        return answer.headers["Location"]

    def back_to_app(self, location):
        parts = urlsplit(location)
        return self.client.get(parts.path + ("?" + parts.query if parts.query else ""))

    def link(self, email="anna@gmail.com", untick=(), start_path="/sync/connect/google"):
        self.start(start_path)
        return self.back_to_app(self.consent(email=email, untick=untick))


@pytest.fixture
def web(client, google):
    return Browser(client, google)


@pytest.fixture
def other_web(app, google):
    """Another person's web (own cookies)."""
    return Browser(FreshUserClient(app, app.response_class, use_cookies=True), google)


def login_with(test_client, user, password="correct horse battery"):
    response = test_client.post("/login", data={"email": user.email, "password": password})
    assert response.status_code in (302, 303)
