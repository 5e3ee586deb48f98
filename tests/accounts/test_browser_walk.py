"""The user's part of the documented procedure in a real browser, in Russian, against the emulator:
tag three contacts with a personal tag → Действия → Синхронизировать контакты → "Добавить аккаунт для
синхронизации" → "Выберите сервис для синхронизации" → Gmail → Google's consent page → Действия →
Синхронизировать контакты → "Настроить..." with the documented fields → "Синхронизировать сейчас" → a real
worker runs it → the run shows on the health page and the three contacts are in Google."""
import subprocess
import sys

import pytest
import requests

from tests.accounts.helpers import CLIENT_ID, CLIENT_SECRET
from tests.plugins.browser import LiveServer

PASSWORD = "browser walk password"
CONTACTS = ["Ivan Petrov", "Maria Sidorova", "Oleg Ivanov", "Not Synced"]

MAKE_CONTACTS = """
import sys
from wizard import create_app
from wizard.crm import services
from wizard.models import User
app = create_app()
with app.app_context():
    user = User.query.filter_by(email=sys.argv[1]).one()
    for name in sys.argv[2:]:
        first, last = name.split()
        services.create_contact(user.id, {"first_name": first, "last_name": last})
"""


def google_contacts(emulator_url, email):
    token = requests.post(emulator_url + "/_emulator/tokens", timeout=10, json={
        "email": email, "scopes": ["https://www.googleapis.com/auth/contacts"]}).json()["access_token"]
    body = requests.get(emulator_url + "/v1/people/me/connections", timeout=10,
                        headers={"Authorization": f"Bearer {token}"},
                        params={"personFields": "names", "pageSize": 1000}).json()
    return sorted(p["names"][0]["displayName"] for p in body.get("connections", []) if p.get("names"))


def sync_menu(page, item_id):
    """Действия → Синхронизировать контакты → the item."""
    page.click("#crm-actions-button")
    # The submenu opens when the pointer enters it (a click right after the hover would toggle it shut).
    page.hover("#crm-sync-contacts")
    page.click(item_id)


@pytest.fixture
def live_with_google(tmp_path, redis_server, emulator):
    server = LiveServer(tmp_path, redis_server.url)
    server.env["GOOGLE_BASE_URL"] = emulator.url
    server.start()
    server.cli("settings", "set", "SiteAddress", server.url)
    server.cli("settings", "set", "GoogleClientId", CLIENT_ID)
    server.cli("settings", "set", "GoogleClientSecret", input=CLIENT_SECRET + "\n")
    emulator.add_client(client_id=CLIENT_ID, client_secret=CLIENT_SECRET,
                        redirect_uris=[server.url + "/oauth/google/callback"], javascript_origins=[server.url],
                        status="production")
    emulator.add_user("olga.google@gmail.com", "Olga Smirnova")
    yield server
    server.stop()


@pytest.mark.browser
def test_link_configure_and_sync_in_russian(live_with_google, browser, screenshot):
    live = live_with_google
    email = live.create_user("olga@example.com", PASSWORD)
    context = browser.new_context(locale="ru-RU", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15000)
    errors = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    try:
        page.goto(live.url + "/login")
        page.fill("input[name=email]", email)
        page.fill("input[name=password]", PASSWORD)
        page.click("#login-form [type=submit]")
        page.wait_for_url(live.url + "/")

        subprocess.run([sys.executable, "-c", MAKE_CONTACTS, email, *CONTACTS], env=live.env, check=True,
                       cwd=live.env.get("PWD") or None, capture_output=True)
        # 1. Tag three contacts with a personal tag.
        page.goto(live.url + "/contacts")
        for name in CONTACTS[:3]:
            page.locator("tr", has_text=name).locator("input[name=ids]").check()
        page.fill("#bulk-tag-name", "Личные контакты")
        with page.expect_navigation():
            page.click("#bulk-tag")
        # 2-3. Действия → Синхронизировать контакты → Добавить аккаунт для синхронизации → Gmail.
        sync_menu(page, "#crm-add-sync-account")
        page.wait_for_url("**/sync/accounts/add")
        assert page.locator("h1").inner_text() == "Выберите сервис для синхронизации"
        assert page.locator("#service-gmail img").evaluate("img => img.naturalWidth > 0")
        screenshot(page, "accounts-choose-service-ru")
        page.click("#service-gmail")

        # Google's (the emulator's) consent page.
        page.wait_for_url(live_with_google.env["GOOGLE_BASE_URL"] + "/o/oauth2/v2/auth*")
        screenshot(page, "accounts-google-consent")
        page.check("input[name=email][value='olga.google@gmail.com']")
        page.click("button[name=action][value=allow]")
        page.wait_for_url(live.url + "/sync")
        assert "Аккаунт Google olga.google@gmail.com добавлен." in page.content()
        assert page.locator("tr[data-status=connected]").count() == 1
        screenshot(page, "accounts-linked-ru")

        # 5. Действия → Синхронизировать контакты → Настроить...
        page.goto(live.url + "/contacts")
        sync_menu(page, "#crm-configure-sync")
        page.wait_for_url("**/settings")  # the only account's settings, straight away
        # Not ticked by the user: a new account syncs every personal tag.
        assert page.locator("[data-tag-id]", has_text="Личные контакты").locator("input[type=checkbox]").is_checked()
        page.check("#activities_auto")
        page.fill("#activities_period", "30")
        page.select_option("#activities_period_unit", "minutes")
        page.fill("#activities_sync_from", "2026-01-01")
        page.check("#contacts_auto")
        page.fill("#contacts_period", "2")
        page.select_option("#contacts_period_unit", "hours")
        assert page.get_by_text("Синхронизировать активности автоматически").is_visible()
        assert page.get_by_text("Синхронизировать начиная с").is_visible()
        assert page.get_by_text("Синхронизировать контакты автоматически").is_visible()
        with page.expect_navigation():
            page.click("#settings-form [type=submit]")
        assert "Настройки синхронизации сохранены." in page.content()
        assert page.input_value("#activities_sync_from") == "2026-01-01"
        screenshot(page, "accounts-settings-ru")

        # A bad period is refused with a Russian message next to the field.
        page.fill("#contacts_period", "3")
        page.select_option("#contacts_period_unit", "days")
        with page.expect_navigation():
            page.click("#settings-form [type=submit]")
        assert "не реже раза в сутки" in page.locator("[data-error-for=contacts_period]").inner_text()

        page.get_by_role("link", name="Состояние синхронизации").first.click()
        page.wait_for_url("**/health")
        with page.expect_navigation():
            page.click("#sync-now")
        assert "Синхронизация запущена." in page.content()
        page.locator("[data-object=contacts] .progress-bar").wait_for(state="visible")
        screenshot(page, "health-sync-started-ru")
        live.cli("worker", "--burst", "--no-scheduler", "sync", "sync-bulk")
        # The page polls the progress and reloads itself once the runs are over.
        page.locator("[data-object-health=contacts] [data-last-run]").wait_for(timeout=30000)
        contacts_card = page.locator("[data-object-health=contacts]")
        assert "Успешно" in contacts_card.inner_text()
        assert contacts_card.locator("tr[data-side=google] td").first.inner_text() == "3"  # created in Google
        screenshot(page, "health-after-run-ru")
        assert google_contacts(live.env["GOOGLE_BASE_URL"], "olga.google@gmail.com") == sorted(CONTACTS[:3])
        # No CSP violation, no script error. (Resource loads are not scripts: the refused settings form is
        # answered 422 on purpose, and the consent page asks the emulator for a favicon it does not have.)
        assert [e for e in errors if "Failed to load resource" not in e] == []
    finally:
        context.close()
