"""Fixtures for domain-wide delegation against the emulator over real HTTP: a service account with a JSON key
made by the emulator's console, the Workspace domain example.com with its users, the Admin console's grant of
the product's scopes, and the product configured in domain mode with that key."""
import json

import requests

import pytest

from config import google_endpoints
from tests.apps import app_on_fresh_database
from tests.engine.helpers import GoogleUser
from wizard.google import workspace

DOMAIN = "example.com"
USERS = ("ann@example.com", "bob@example.com", "cat@example.com")


@pytest.fixture
def app(tmp_path, redis_server, emulator):
    """Google endpoints point at the emulator; pacing kept fast (as tests/engine)."""
    with app_on_fresh_database(INSTANCE_PATH=str(tmp_path / "instance"), REDIS_URL=redis_server.url,
                               GOOGLE_BACKOFF_BASE=0.01, GOOGLE_BACKOFF_MAX=0.05, GOOGLE_MAX_ATTEMPTS=8,
                               GOOGLE_PEOPLE_PER_MINUTE=100000, SYNC_FIRST_SYNC_PREVIEW=1000000,
                               INSTALLATION_ID="workspace-tests", **google_endpoints(emulator.url)) as app:
        yield app


@pytest.fixture
def service_account(emulator):
    """The emulator's service account and its first key file (Google's JSON format)."""
    return emulator.control("POST", "/service-accounts", json={"name": "crm-sync", "key": True})


@pytest.fixture
def domain(emulator, service_account):
    """example.com with three users and the Admin console's grant of exactly the product's scopes."""
    emulator.control("POST", "/domains", json={"domain": DOMAIN, "users": list(USERS)})
    emulator.control("POST", f"/domains/{DOMAIN}/delegations",
                     json={"client_id": service_account["unique_id"], "scopes": ",".join(workspace.SCOPES)})
    return DOMAIN


@pytest.fixture
def configured(app, domain, service_account):
    """The product in domain mode with the emulator's key, as the wizard saves it."""
    from wizard.settings.values import set_setting

    set_setting("ServiceAccountKey", json.dumps(service_account["key_file"]))
    set_setting("WorkspaceDomain", domain)
    set_setting("GoogleConnectionMode", "domain")
    return service_account


def token_requests(emulator) -> int:
    """How many requests the emulator's token endpoint has answered."""
    stats = emulator.control("GET", "/stats")
    return sum(n for endpoint, n in stats["by_endpoint"].items() if endpoint.endswith("/token"))


class DomainUser(GoogleUser):
    """A domain user's Google side, read with a token the emulator hands the test directly."""

    def __init__(self, emulator, email):
        self.emulator, self.email = emulator, email
        self.http = requests.Session()
        self.http.headers["Authorization"] = "Bearer " + emulator.token(email, workspace.SCOPES)
        self.people = emulator.url + "/v1/"
