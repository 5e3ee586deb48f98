"""The contacts section in Debian chromium, in Russian: create contacts through the card form (adding a
second e-mail row with the JS button), tag three in bulk, open Actions → Sync contacts, add an activity in
the week view; no console errors (a CSP violation by an inline script would show up there)."""
import pytest

PASSWORD = "correct horse battery"


@pytest.mark.browser
def test_contacts_bulk_tag_actions_menu_and_week_in_russian(live_server, browser, screenshot):
    email = live_server.create_user("crm-walk@example.com", PASSWORD)
    context = browser.new_context(locale="ru-RU", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15000)
    errors = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    try:
        page.goto(live_server.url + "/login")
        page.fill("input[name=email]", email)
        page.fill("input[name=password]", PASSWORD)
        page.click("#login-form [type=submit]")
        page.wait_for_url(live_server.url + "/")

        names = [("Мария", "Иванова"), ("Пётр", "Сидоров"), ("Ольга", "Смирнова"), ("Иван", "Петров")]
        for first, last in names:
            page.goto(live_server.url + "/contacts/new")
            page.fill("#first_name", first)
            page.fill("#last_name", last)
            page.fill("#emails-0-value", f"{last.lower()}@example.com".replace("ё", "е"))
            if first == "Мария":
                page.click("[data-crm-add-row=emails]")
                page.locator("#emails-1-value").wait_for()
                page.fill("#emails-1-value", "maria.home@example.com")
                page.select_option("#emails-1-type", "home")
                assert page.input_value("#emails-1-value") == "maria.home@example.com"
            with page.expect_navigation():
                page.click("#save-contact")
            assert page.locator("#contact-name").inner_text() == f"{first} {last}"
            if first == "Мария":
                assert page.locator("a[href='mailto:maria.home@example.com']").count() == 1, page.content()
        page.goto(live_server.url + "/contacts?q=мария")
        assert page.locator("#contacts-table tbody tr").count() == 1

        page.goto(live_server.url + "/contacts")
        assert page.locator("h1").inner_text() == "Контакты"
        for first, last in names[:3]:
            page.locator("tr", has_text=f"{first} {last}").locator("input[name=ids]").check()
        assert page.locator("#selected-count").inner_text() == "Выбрано: 3"
        page.fill("#bulk-tag-name", "Личные контакты")
        with page.expect_navigation():
            page.click("#bulk-tag")
        assert "Тег «Личные контакты» добавлен 3 контактам." in page.content()
        page.select_option("#tag-filter", label="Личные контакты")
        page.wait_for_url("**/contacts?*tag=*")
        assert page.locator("#contacts-table tbody tr").count() == 3

        page.click("#crm-actions-button")
        page.click("#crm-sync-contacts")
        add = page.get_by_role("link", name="Добавить аккаунт для синхронизации")
        configure = page.get_by_role("link", name="Настроить...")
        assert add.is_visible() and configure.is_visible()
        assert add.get_attribute("href") == "/sync/accounts/add" and configure.get_attribute("href") == "/sync/settings"
        screenshot(page, "crm-actions-menu-ru")

        page.goto(live_server.url + "/activities/week?start=2026-03-09")
        page.locator("[data-day='2026-03-11'] >> text=+ Добавить").click()
        page.fill("#title", "Встреча с клиентом")
        page.select_option("#type", "meeting")
        page.fill("#start_at", "2026-03-11T15:00")
        page.check("#all_day")
        assert not page.locator("#start_at").is_visible() and page.locator("#start_date").is_visible()
        page.uncheck("#all_day")
        with page.expect_navigation():
            page.click("#save-activity")
        page.goto(live_server.url + "/activities/week?start=2026-03-09")
        day = page.locator("[data-day='2026-03-11']")
        assert "Встреча с клиентом" in day.inner_text() and "15:00" in day.inner_text()
        screenshot(page, "crm-week-ru")
        assert errors == []
    finally:
        context.close()
