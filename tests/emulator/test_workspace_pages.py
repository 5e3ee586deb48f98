"""The console's service account pages and the Admin console's users and delegation pages, walked as an
administrator does (plain form posts), ending with Google's own client using the key file the page
downloaded. Refused input answers 400 with the reason and changes nothing."""
import google.auth.transport.requests
import pytest
import requests
from google.auth.exceptions import RefreshError
from google.oauth2 import service_account

from wizard.emulator.world import State

G = "https://www.googleapis.com/auth/"
DELEGATION = "/ac/owl/domainwidedelegation"


@pytest.fixture
def walk(emulator):
    http = requests.Session()
    project_url = http.post(emulator.url + "/console/projects", data={"name": "Sync"}, timeout=5).url.split("?")[0]
    return http, project_url


def create_account(http, project_url, **form):
    return http.post(project_url + "/serviceaccounts", data={"display_name": "CRM sync", **form}, timeout=5)


def token_for(key_file, subject, scopes):
    creds = service_account.Credentials.from_service_account_info(key_file, scopes=scopes).with_subject(subject)
    creds.refresh(google.auth.transport.requests.Request())
    return creds.token


def test_console_and_admin_console_walk_ends_in_a_working_key(walk, emulator):
    http, project_url = walk
    created = create_account(http, project_url)
    assert created.status_code == 200 and "saved=created" in created.url
    account_url = created.url.split("?")[0]
    assert account_url.endswith("/serviceaccounts/crm-sync@" + project_url.rsplit("/", 1)[1] +
                                ".iam.gserviceaccount.com")
    unique_id = emulator.control("GET", "/service-accounts")["service_accounts"][0]["unique_id"]
    assert unique_id in created.text
    download = http.post(account_url + "/keys", data={"key_type": "json"}, timeout=5)
    assert download.headers["Content-Disposition"].startswith('attachment; filename="')
    key_file = download.json()
    assert key_file["private_key_id"] in http.get(account_url, timeout=5).text
    assert key_file["private_key"].split("\n")[1] not in http.get(account_url, timeout=5).text

    assert http.post(emulator.url + "/ac/domains", data={"name": "Example.com"}, timeout=5).status_code == 200
    added = http.post(emulator.url + "/ac/users", timeout=5, data={
        "domain": "example.com", "first_name": "Ann", "last_name": "Smith", "username": "ann"})
    assert "ann@example.com" in added.text and emulator.state.users["ann@example.com"]["name"] == "Ann Smith"
    granted = http.post(emulator.url + DELEGATION, timeout=5, data={
        "domain": "example.com", "client_id": unique_id, "scopes": f"{G}contacts, {G}calendar"})
    assert granted.status_code == 200 and f"{G}calendar" in granted.text and "CRM sync" in granted.text
    assert token_for(key_file, "ann@example.com", [G + "contacts", G + "calendar"])

    edited = http.post(f"{emulator.url}{DELEGATION}/{unique_id}/edit", data={"domain": "example.com",
                                                                            "scopes": G + "calendar"}, timeout=5)
    assert edited.status_code == 200
    with pytest.raises(RefreshError) as excinfo:
        token_for(key_file, "ann@example.com", [G + "contacts"])
    assert excinfo.value.args[1]["error"] == "unauthorized_client"
    assert token_for(key_file, "ann@example.com", [G + "calendar"])

    http.post(f"{account_url}/keys/{key_file['private_key_id']}/delete", timeout=5)
    with pytest.raises(RefreshError) as excinfo:
        token_for(key_file, "ann@example.com", [G + "calendar"])
    assert excinfo.value.args[1]["error_description"] == "Invalid JWT Signature."

    http.post(f"{emulator.url}{DELEGATION}/{unique_id}/delete", data={"domain": "example.com"}, timeout=5)
    assert emulator.control("GET", "/domains")["domains"][0]["delegations"] == []


def test_refusals_change_nothing(walk, emulator):
    http, project_url = walk
    for form in ({"account_id": "Bad_Id"}, {"account_id": "short"}):
        refused = create_account(http, project_url, **form)
        assert refused.status_code == 400 and 'role="alert"' in refused.text
    create_account(http, project_url, account_id="crm-sync")
    again = create_account(http, project_url, account_id="crm-sync")
    assert again.status_code == 400 and "already exists" in again.text
    assert len(emulator.state.service_accounts) == 1

    assert http.post(emulator.url + "/ac/domains", data={"name": "not a domain"}, timeout=5).status_code == 400
    assert http.post(emulator.url + "/ac/users", data={"username": "ann", "first_name": "A", "last_name": "B"},
                     timeout=5).status_code == 400  # no domain yet
    http.post(emulator.url + "/ac/domains", data={"name": "example.com"}, timeout=5)
    outside = http.post(emulator.url + "/ac/users", timeout=5, data={
        "domain": "example.com", "first_name": "Ann", "last_name": "Smith", "username": "ann@gmail.com"})
    assert outside.status_code == 400 and "ann@gmail.com" not in emulator.state.users
    unique_id = next(iter(emulator.state.service_accounts.values()))["unique_id"]
    for form in ({"client_id": "crm-sync@x.iam.gserviceaccount.com", "scopes": G + "contacts"},
                 {"client_id": unique_id, "scopes": ""},
                 {"client_id": str(int(unique_id) + 1), "scopes": G + "contacts"},
                 {"client_id": unique_id, "scopes": "contacts"}):
        refused = http.post(emulator.url + DELEGATION, data={"domain": "example.com", **form}, timeout=5)
        assert refused.status_code == 400, form
    assert emulator.state.domains["example.com"]["delegations"] == {}
    http.post(emulator.url + DELEGATION, data={"domain": "example.com", "client_id": unique_id,
                                                "scopes": G + "contacts"}, timeout=5)
    duplicate = http.post(emulator.url + DELEGATION, timeout=5, data={
        "domain": "example.com", "client_id": unique_id, "scopes": G + "calendar"})
    assert duplicate.status_code == 400
    assert emulator.state.domains["example.com"]["delegations"][unique_id]["scopes"] == [G + "contacts"]
    overwritten = http.post(emulator.url + DELEGATION, timeout=5, data={
        "domain": "example.com", "client_id": unique_id, "scopes": G + "calendar", "overwrite": "1"})
    assert overwritten.status_code == 200
    assert emulator.state.domains["example.com"]["delegations"][unique_id]["scopes"] == [G + "calendar"]


def test_googles_console_paths_lead_to_the_service_accounts(walk, emulator):
    http, project_url = walk
    landed = http.get(emulator.url + "/iam-admin/serviceaccounts", timeout=5)
    assert landed.url.startswith(project_url) and 'id="service-accounts"' in landed.text
    assert http.get(emulator.url + "/ac/owl", timeout=5).status_code == 200


def test_the_state_file_keeps_accounts_keys_and_grants(emulator, tmp_path):
    key_file = emulator.control("POST", "/service-accounts", json={"name": "crm-sync", "key": True})["key_file"]
    emulator.control("POST", "/domains", json={"domain": "example.com", "users": ["ann"]})
    emulator.control("POST", "/domains/example.com/delegations",
                     json={"client_id": key_file["client_id"], "scopes": [G + "contacts"]})
    emulator.state.state_file = tmp_path / "state.json"
    try:
        emulator.state.save()
    finally:
        emulator.state.state_file = None
    reloaded = State(state_file=tmp_path / "state.json")
    assert set(reloaded.service_accounts) == {key_file["client_email"]}
    assert reloaded.domains["example.com"]["delegations"][key_file["client_id"]]["scopes"] == [G + "contacts"]
