"""A real browser logs in, switches the language to Russian and sees the Russian page."""
import pytest

PASSWORD = "browser test password"


@pytest.mark.browser
def test_login_switch_language_see_russian(live_server, page, screenshot):
    email = live_server.create_user("walker@example.com", PASSWORD, role="admin")

    page.goto(live_server.url + "/")
    assert page.url.startswith(live_server.url + "/login")
    screenshot(page, "login-en")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("#login-form [type=submit]")
    page.wait_for_url(live_server.url + "/")
    assert page.locator("h1").inner_text() == "Google Sync Wizard"
    assert page.get_by_role("link", name="Contacts").first.is_visible()
    screenshot(page, "home-en")

    page.click("#language-menu")
    page.click("button[data-locale=ru]")
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "ru"
    assert page.locator("h1").inner_text() == "Мастер синхронизации с Google"
    assert page.get_by_role("link", name="Контакты").first.is_visible()
    page.click("#system-designer")
    assert page.get_by_role("link", name="Системные настройки", exact=True).is_visible()
    screenshot(page, "home-ru")

    # The choice is saved on the profile: it survives logging out and in again.
    page.click("#user-menu")
    page.click("nav form[action='/logout'] button")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("#login-form [type=submit]")
    page.wait_for_url(live_server.url + "/")
    assert "Дизайнер системы" in page.content()
    assert page.console_errors == []  # no CSP violation, no script error
