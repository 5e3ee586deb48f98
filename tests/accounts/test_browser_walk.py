"""The user's part of the documented procedure in a real browser, in Russian, against the emulator:
"Добавить аккаунт для синхронизации" → "Выберите сервис для синхронизации" → Gmail → Google's consent page →
"Настроить..." with the documented fields → "Синхронизировать сейчас" → the run shows on the health page."""
import pytest

from tests.accounts.helpers import CLIENT_ID, CLIENT_SECRET
from tests.plugins.browser import LiveServer

PASSWORD = "browser walk password"


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

        page.goto(live.url + "/sync")
        page.get_by_role("link", name="Добавить аккаунт для синхронизации").click()
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

        page.get_by_role("link", name="Настроить...").click()
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
        page.click("#settings-form [type=submit]")
        assert "Настройки синхронизации сохранены." in page.content()
        assert page.input_value("#activities_sync_from") == "2026-01-01"
        screenshot(page, "accounts-settings-ru")

        # A bad period is refused with a Russian message next to the field.
        page.fill("#contacts_period", "3")
        page.select_option("#contacts_period_unit", "days")
        page.click("#settings-form [type=submit]")
        assert "не реже раза в сутки" in page.locator("[data-error-for=contacts_period]").inner_text()

        page.get_by_role("link", name="Состояние синхронизации").first.click()
        page.click("#sync-now")
        assert "Синхронизация запущена." in page.content()
        page.locator("[data-object=contacts] .progress-bar").wait_for(state="visible")
        screenshot(page, "health-sync-started-ru")
        # No CSP violation, no script error. (Resource loads are not scripts: the refused settings form is
        # answered 422 on purpose, and the consent page asks the emulator for a favicon it does not have.)
        assert [e for e in errors if "Failed to load resource" not in e] == []
    finally:
        context.close()
