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


def add_guard(account, object="contacts"):
    from wizard.extensions import db
    from wizard.models.sync import GuardKind, PendingGuard

    guard = PendingGuard(account_id=account.id, object=object, run_id=None, kind=GuardKind.MASS_DELETE,
                         code="sync.guard.mass_delete", params={"removals": 12, "pairs": 40},
                         counts={"crm": {"untag": 12}})
    db.session.add(guard)
    db.session.commit()
    return guard.id


def test_a_waiting_run_is_listed_confirmed_or_dismissed(api, alice, bob):
    from wizard.extensions import db
    from wizard.models.sync import PendingGuard, SyncRun

    account = add_account(alice, "alice@gmail.com")
    first, second = add_guard(account), add_guard(account, "activities")
    listed = api("GET", f"/accounts/{account.id}/guards").json["items"]
    assert [g["id"] for g in listed] == [first, second] and listed[0]["message"] and listed[0]["open"]
    confirmed = api("POST", f"/accounts/{account.id}/guards/{first}/confirm")
    assert confirmed.status_code == 202, confirmed.json
    run = db.session.get(SyncRun, confirmed.json["queued_run_id"])
    assert run.forced and run.object == "contacts" and db.session.get(PendingGuard, first).confirmed_at
    dismissed = api("POST", f"/accounts/{account.id}/guards/{second}/dismiss")
    assert dismissed.status_code == 200 and dismissed.json["open"] is False
    assert api("POST", f"/accounts/{account.id}/guards/{second}/confirm").status_code == 409
    assert [g["id"] for g in api("GET", f"/accounts/{account.id}/guards").json["items"]] == [first]
    theirs = add_account(bob, "bob@gmail.com")
    other = add_guard(theirs)
    assert api("POST", f"/accounts/{account.id}/guards/{other}/dismiss").status_code == 404
    assert api("GET", f"/accounts/{theirs.id}/guards").status_code == 404
    assert db.session.get(PendingGuard, other).closed_at is None


def test_an_accounts_json_says_what_its_link_is_missing(api, alice):
    from wizard.google import scopes

    contacts_only = " ".join(sorted(scopes.normalise(["openid", "email", "profile", scopes.CONTACTS])))
    account = add_account(alice, "alice@gmail.com", scopes_granted=contacts_only, status=NEEDS_RECONNECT,
                          reason_code="invalid_grant")
    body = api("GET", f"/accounts/{account.id}").json
    assert scopes.CONTACTS in body["scopes_granted"]
    assert "activities" in body["missing_features"] and "contacts" not in body["missing_features"]
    assert body["needs_reconnect"] is True
    assert body["connection"] == "personal"


def test_a_public_tag_can_be_created(api):
    public = api("POST", "/tags", json={"name": "Shared", "personal": False})
    assert public.status_code == 201 and public.json["personal"] is False
    assert api("POST", "/tags", json={"name": "Mine"}).json["personal"] is True
    assert api("POST", "/tags", json={"name": "Bad", "personal": "no"}).status_code == 422
    names = {t["name"]: t["personal"] for t in api("GET", "/tags").json["items"]}
    assert names == {"Shared": False, "Mine": True}


def test_the_openapi_document_describes_the_new_endpoints(client):
    document = client.get("/api/v1/openapi.json").json
    paths = document["paths"]
    assert {"/accounts/{account_id}/guards", "/accounts/{account_id}/guards/{guard_id}/confirm",
            "/accounts/{account_id}/guards/{guard_id}/dismiss"} <= set(paths)
    account = document["components"]["schemas"]["Account"]["properties"]
    assert {"scopes_granted", "missing_features", "needs_reconnect"} <= set(account)
    assert "personal" in document["components"]["schemas"]["TagInput"]["properties"]
