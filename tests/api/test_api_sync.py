"""The API's accounts, settings, "sync now" and sync-run endpoints (over the accounts and engine services)."""
import pytest

from tests.accounts.helpers import add_account
from wizard.api.tokens import create_token
from wizard.models.accounts import NEEDS_RECONNECT


@pytest.fixture
def api(client, alice):
    token = create_token(alice.id)[1]

    def call(method, path, **kwargs):
        return client.open("/api/v1" + path, method=method, headers={"Authorization": f"Bearer {token}"}, **kwargs)

    return call


def test_accounts_and_settings(api, alice, bob):
    mine = add_account(alice, "alice@gmail.com")
    theirs = add_account(bob, "bob@gmail.com")
    listed = api("GET", "/accounts").json["items"]
    assert [a["email"] for a in listed] == ["alice@gmail.com"]
    assert "token" not in str(listed).lower()
    assert api("GET", f"/accounts/{mine.id}").json["features"]["contacts"] is True
    settings = api("GET", f"/accounts/{mine.id}/settings").json
    assert settings["contacts_auto"] is True and settings["notify_attendees"] == "none"
    changed = api("PATCH", f"/accounts/{mine.id}/settings", json={"contacts_period_minutes": 1440})
    assert changed.status_code == 200 and changed.json["contacts_period_minutes"] == 1440
    bad = api("PATCH", f"/accounts/{mine.id}/settings", json={"contacts_period_minutes": 1441})
    assert bad.status_code == 422 and "contacts_period_minutes" in bad.json["error"]["fields"]
    assert api("PATCH", f"/accounts/{mine.id}/settings", json={"x": 1}).json["error"]["fields"]["x"]
    assert api("GET", f"/accounts/{mine.id}/settings").json["contacts_period_minutes"] == 1440
    for method, path in [("GET", f"/accounts/{theirs.id}"), ("GET", f"/accounts/{theirs.id}/settings"),
                         ("PATCH", f"/accounts/{theirs.id}/settings"), ("POST", f"/accounts/{theirs.id}/sync")]:
        response = api(method, path, json={}) if method != "GET" else api(method, path)
        assert response.status_code == 404, (method, path)


def test_sync_now_returns_run_ids_and_runs_are_readable(api, client, alice, bob):
    account = add_account(alice, "alice@gmail.com")
    started = api("POST", f"/accounts/{account.id}/sync", json={"object": "contacts"})
    assert started.status_code == 202, started.json
    run_id = started.json["run_id"]
    run = api("GET", f"/sync-runs/{run_id}").json
    assert run["id"] == run_id and run["object"] == "contacts" and run["status"] == "queued"
    again = api("POST", f"/accounts/{account.id}/sync")  # no body: every granted object; contacts not queued twice
    assert run_id in again.json["run_ids"] and len(again.json["run_ids"]) == 2
    assert api("POST", f"/accounts/{account.id}/sync", json={"object": "mail"}).status_code == 422
    other = create_token(bob.id)[1]
    denied = client.get(f"/api/v1/sync-runs/{run_id}", headers={"Authorization": f"Bearer {other}"})
    assert denied.status_code == 404


def test_sync_of_an_account_needing_reconnect_is_409(api, alice):
    account = add_account(alice, "alice@gmail.com", status=NEEDS_RECONNECT, reason_code="invalid_grant")
    response = api("POST", f"/accounts/{account.id}/sync")
    assert response.status_code == 409 and response.json["error"]["message"]
