"""The emulator's pages in real chromium: the consent page (granular consent), the console walk and the
domain-wide delegation walk (service account, key download, Admin console grant)."""
import json
from urllib.parse import parse_qs, urlencode, urlsplit

import google.auth.transport.requests
import pytest
from google.oauth2 import service_account

from tests.emulator.console_steps import (
    add_domain_users,
    authorize_delegation,
    create_project,
    create_service_account_key,
)

pytestmark = pytest.mark.browser
G = "https://www.googleapis.com/auth/"


def test_consent_page_in_a_browser(page, emulator, screenshot):
    emulator.add_user("ann@example.com", "Ann Smith")
    emulator.add_user("bob@example.com", "Bob Jones")
    redirect = emulator.url + "/callback-of-the-product"
    emulator.add_client("browser.apps.googleusercontent.com", "s", [redirect])
    query = {"client_id": "browser.apps.googleusercontent.com", "redirect_uri": redirect, "response_type": "code",
             "scope": f"openid email {G}contacts {G}calendar.events", "state": "st", "login_hint": "bob@example.com",
             "access_type": "offline"}
    page.goto(emulator.url + "/o/oauth2/v2/auth?" + urlencode(query))
    assert page.locator("input[name=email][value='bob@example.com']").is_checked()
    page.locator(f"input[name=scope][value='{G}calendar.events']").uncheck()
    screenshot(page, "emulator-consent")
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(redirect + "?*")
    params = parse_qs(urlsplit(page.url).query)
    assert params["state"] == ["st"] and params["code"]
    assert f"{G}calendar.events" not in params["scope"][0] and f"{G}contacts" in params["scope"][0]


def test_console_walk_in_a_browser(page, emulator, screenshot):
    create_project(page, emulator, apis=("calendar", "people"))
    assert page.get_by_role("button", name="Disable API").count() == 2
    page.get_by_label("App name").fill("CRM")
    page.get_by_label("User support email").fill("admin@example.com")
    page.locator("form[action$='/consent'] button").click()
    page.get_by_label("Authorized JavaScript origins (one per line)").fill("https://crm.example.com")
    page.get_by_label("Authorized redirect URIs (one per line)").fill("http://192.168.1.45:5678/0/ViewPage.aspx")
    page.locator("form[action$='/clients'] button").click()
    assert "Invalid Redirect: must end with a public top-level domain" in page.content()
    page.get_by_label("Authorized redirect URIs (one per line)").fill("https://crm.example.com/oauth/google/callback")
    page.locator("form[action$='/clients'] button").click()
    client_id = page.locator("#client-id").inner_text()
    screenshot(page, "emulator-console-client-created")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download JSON").click()
    assert download.value.suggested_filename == f"client_secret_{client_id}.json"
    assert emulator.control("GET", "/clients")["clients"][0]["enabled_apis"] == ["calendar", "people"]


def test_service_account_and_delegation_walk_in_a_browser(page, emulator, screenshot):
    """Google's steps for domain-wide delegation in chromium: a service account, its JSON key (a real
    download), the Workspace user and the Admin console grant; the downloaded file then signs in as the
    user through google-auth."""
    create_project(page, emulator)
    client_id, download = create_service_account_key(page)
    with open(download.path()) as saved:
        key_file = json.load(saved)
    assert download.suggested_filename.endswith(".json") and key_file["client_id"] == client_id
    page.reload()
    assert key_file["private_key_id"] in page.content()
    screenshot(page, "emulator-service-account")

    add_domain_users(page, emulator, "example.com", [("Ann", "Smith", "ann")])
    assert "ann@example.com" in page.content()
    authorize_delegation(page, emulator, client_id, f"{G}contacts,{G}calendar")
    screenshot(page, "emulator-domain-wide-delegation")

    creds = service_account.Credentials.from_service_account_info(
        key_file, scopes=[f"{G}contacts", f"{G}calendar"]).with_subject("ann@example.com")
    creds.refresh(google.auth.transport.requests.Request())
    assert creds.token.startswith("ya29.")
