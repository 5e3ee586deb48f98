"""The Russian navigation fits one row at 1280 px, a long user name included (cut with an ellipsis, whole in the
tooltip), for a user and for an administrator."""
import pytest

PASSWORD = "browser test password"
LONG_NAME = "Констанция Вольдемаровна Преображенская-Старокузнецкая"


def rows_of(page):
    """Distinct vertical centres of the bar's visible items, rounded: 1 means a single row."""
    return page.evaluate("""() => {
        const items = [...document.querySelectorAll('nav.navbar .navbar-brand, nav.navbar .nav-link')]
            .filter(e => e.offsetParent !== null);
        return [...new Set(items.map(e => { const r = e.getBoundingClientRect(); return Math.round((r.top + r.bottom) / 20); }))];
    }""")


@pytest.mark.browser
@pytest.mark.parametrize("role", ["user", "admin"])
def test_russian_navigation_is_one_row_at_1280(live_server, browser, role, screenshot):
    email = live_server.create_user(f"long.{role}.name.for.the.menu@example.com", PASSWORD, role=role)
    context = browser.new_context(locale="ru-RU", viewport={"width": 1280, "height": 800})
    page = context.new_page()
    try:
        page.goto(live_server.url + "/login")
        page.fill("input[name=email]", email)
        page.fill("input[name=password]", PASSWORD)
        page.click("#login-form [type=submit]")
        page.wait_for_url(live_server.url + "/")
        page.goto(live_server.url + "/profile")
        page.fill("input[name=name]", LONG_NAME)
        page.locator("form [type=submit]").last.click()
        page.goto(live_server.url + "/locale/ru?next=/contacts")
        assert page.locator("html").get_attribute("lang") == "ru"
        screenshot(page, f"nav-ru-1280-{role}")
        assert len(rows_of(page)) == 1, rows_of(page)
        user_menu = page.locator("#user-menu")
        assert user_menu.is_visible() and user_menu.get_attribute("title") == email
        assert page.locator("nav.navbar").bounding_box()["height"] < 70
    finally:
        context.close()
