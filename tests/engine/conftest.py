"""Fixtures for the engine: the app wired to the Google emulator over real HTTP, a user with a Google account
linked through the emulator's real OAuth flow (authorization code → refresh token), and helpers to drive
both sides and to run queued jobs with a real RQ worker."""
import pytest
import requests

from config import google_endpoints
from tests.apps import app_on_fresh_database
from wizard.extensions import db as _db

CLIENT_ID = "123456789012-enginetests.apps.googleusercontent.com"
CLIENT_SECRET = "GOCSPX-engine-tests-secret"
SITE = "http://localhost:5000"
SCOPES = ["openid", "email", "profile", "https://www.googleapis.com/auth/contacts",
          "https://www.googleapis.com/auth/calendar.events",
          "https://www.googleapis.com/auth/calendar.calendarlist.readonly"]


@pytest.fixture
def app(tmp_path, redis_server, emulator):
    """Overrides the shared `app`: Google endpoints point at the emulator, Google's pacing kept fast."""
    with app_on_fresh_database(INSTANCE_PATH=str(tmp_path / "instance"), REDIS_URL=redis_server.url,
                               GOOGLE_BACKOFF_BASE=0.01, GOOGLE_BACKOFF_MAX=0.05, GOOGLE_MAX_ATTEMPTS=8,
                               GOOGLE_PEOPLE_PER_MINUTE=100000, SYNC_FIRST_SYNC_PREVIEW=1000000,
                               INSTALLATION_ID="engine-tests", **google_endpoints(emulator.url)) as app:
        yield app


@pytest.fixture
def owner(make_user):
    return make_user(email="owner@example.com")


def redirect_uri():
    from wizard.settings.values import google_client_config

    return google_client_config().redirect_uri


@pytest.fixture
def google_client(app, emulator):
    """The install's OAuth client, registered both in our settings and in the emulator."""
    from wizard.settings.values import set_setting

    set_setting("SiteAddress", SITE)
    set_setting("GoogleClientId", CLIENT_ID)
    set_setting("GoogleClientSecret", CLIENT_SECRET)
    emulator.add_client(client_id=CLIENT_ID, client_secret=CLIENT_SECRET, redirect_uris=[redirect_uri()],
                        status="production")
    return CLIENT_ID


def grant_token(emulator, email) -> dict:
    """Walk Google's consent for `email` and exchange the code: a real access and refresh token."""
    params = {"client_id": CLIENT_ID, "redirect_uri": redirect_uri(), "response_type": "code",
              "scope": " ".join(SCOPES), "access_type": "offline", "prompt": "consent", "state": "s"}
    code = emulator.control("POST", "/authorize", json={"email": email, "params": params})["code"]
    response = requests.post(emulator.url + "/token", data={
        "grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri(),
        "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET}, timeout=10)
    response.raise_for_status()
    return response.json()


@pytest.fixture
def make_account(owner, emulator, google_client):
    from wizard.google.tokens import apply_token
    from wizard.crm import services
    from wizard.models.accounts import AccountSettings, AccountTagMapping, GoogleAccount

    def make(email="owner@gmail.com", tag="Личные контакты", label="CRM contacts", **settings):
        emulator.add_user(email)
        account = GoogleAccount(user_id=owner.id, google_sub=f"sub-{email}", email=email)
        apply_token(account, grant_token(emulator, email))
        account.settings = AccountSettings(**settings)
        _db.session.add(account)
        _db.session.flush()
        if tag:
            tag_row = services.get_or_create_tag(owner.id, tag, commit=False)
            _db.session.flush()
            account.tag_mappings.append(AccountTagMapping(tag_id=tag_row.id, google_label=label))
        _db.session.commit()
        return account

    return make


@pytest.fixture
def account(make_account):
    return make_account()
