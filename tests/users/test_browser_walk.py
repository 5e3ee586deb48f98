"""Debian chromium walks the user administration pages in English and in Russian, as an administrator:
Дизайнер системы → Пользователи, search, invite (the one-time link), the person's page (role, disable with
its confirmation, enable, reset link), the last administrator refused, then the invited person's first visit
(a weak password refused, a good one accepted) and the own sessions and password pages. No console error (the
CSP holds), no 5xx. Screenshots at 1280 px go to test-artifacts/, and with UPDATE_GUIDE_SCREENSHOTS=1 to
docs/screenshots/users-<page>-<language>.png too."""
import os
import shutil

import pytest

from config import PROJECT_ROOT
from tests.plugins.browser import LiveServer

PASSWORD = "users walk passphrase"
GUIDE_SCREENSHOTS = PROJECT_ROOT / "docs" / "screenshots"
TEXT = {
    "en": {"designer": "System designer", "users": "Users", "invite": "Invite a user", "last": "last administrator",
           "disabled": "Disabled", "active": "Active", "common": "too common", "sessions": "Sessions and tokens",
           "password": "Change the password", "created": "Account created"},
    "ru": {"designer": "Дизайнер системы", "users": "Пользователи", "invite": "Пригласить пользователя",
           "last": "последний администратор", "disabled": "Отключён", "active": "Активен",
           "common": "слишком распространён", "sessions": "Сеансы и токены", "password": "Сменить пароль",
           "created": "Учётная запись создана"},
}


@pytest.fixture
def site(tmp_path, redis_server):
    server = LiveServer(tmp_path, redis_server.url)
    server.start()
    server.create_user("boss@example.com", PASSWORD, role="admin")
    server.create_user("anna@example.com", PASSWORD)
    yield server
    server.stop()


class Walk:
    def __init__(self, page, site, language, screenshot):
        self.page, self.site, self.language, self.take = page, site, language, screenshot
        self.text = TEXT[language]
        self.failures = []
        page.on("response", lambda r: self.failures.append((r.status, r.url)) if r.status >= 500 else None)
        page.on("dialog", lambda dialog: dialog.accept())  # the confirmations (data-confirm) say yes

    def url(self, path):
        return self.site.url + path

    def shot(self, name):
        path = self.take(self.page, f"users-{name}-{self.language}")
        if os.environ.get("UPDATE_GUIDE_SCREENSHOTS") == "1":
            GUIDE_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            shutil.copy(path, GUIDE_SCREENSHOTS / f"users-{name}-{self.language}.png")

    def login(self, email, password=PASSWORD):
        self.page.goto(self.url("/login"))
        self.page.fill("input[name=email]", email)
        self.page.fill("input[name=password]", password)
        self.page.click("#login-form [type=submit]")
        self.page.wait_for_url(self.url("/"))
        self.page.goto(self.url(f"/locale/{self.language}?next=/"))
        assert self.page.locator("html").get_attribute("lang") == self.language

    def submit(self, form_id):
        with self.page.expect_navigation():
            self.page.click(f"#{form_id} [type=submit]")


def test_user_administration_in_chromium(site, page, screenshot, browser, language):
    walk = Walk(page, site, language, screenshot)
    text = walk.text
    walk.login("boss@example.com")
    # Дизайнер системы → Пользователи, from the menu
    page.click("#system-designer")
    page.get_by_role("link", name=text["users"], exact=True).click()
    page.wait_for_url(walk.url("/admin/users"))
    assert page.locator("h1").inner_text() == text["users"]
    assert page.locator("[data-user='anna@example.com']").count() == 1
    walk.shot("list")
    page.fill("#q", "anna")
    walk.submit("user-search")
    assert page.locator("#users-table tbody tr").count() == 1

    # Invite someone: the one-time link is shown once
    page.goto(walk.url("/admin/users/new"))
    assert page.locator("h1").inner_text() == text["invite"]
    page.fill("input[name=email]", f"new-{language}@example.com")
    page.fill("input[name=name]", "Nina")
    page.select_option("select[name=role]", "user")
    walk.shot("invite")
    walk.submit("invite-form")
    link = page.locator("#one-time-link-value").inner_text().strip()
    assert link.startswith(site.url + "/account/link/")
    walk.shot("link")

    # The person's page: role, disable (confirmed), enable, audit log
    page.goto(walk.url("/admin/users?q=anna"))
    page.click("#users-table a:text(\"anna@example.com\")")
    page.select_option("#role-form select", "admin")
    walk.submit("role-form")
    walk.submit("disable-form")
    assert page.locator("#person-status").inner_text() == text["disabled"]
    walk.submit("enable-form")
    assert page.locator("#person-status").inner_text() == text["active"]
    assert page.locator("#audit-table tbody tr").count() == 3
    walk.shot("person")
    page.select_option("#role-form select", "user")
    walk.submit("role-form")

    # The last administrator cannot disable themselves
    page.goto(walk.url("/admin/users?q=boss"))
    page.click("#users-table a:text(\"boss@example.com\")")
    walk.submit("disable-form")
    assert text["last"] in page.locator(".alert-danger").inner_text().lower()
    walk.shot("last-admin")

    # Own pages
    page.goto(walk.url("/profile/sessions"))
    assert page.locator("h1").inner_text() == text["sessions"]
    assert page.locator("#sessions-table tbody tr").count() >= 1
    walk.shot("sessions")
    page.goto(walk.url("/profile/password"))
    assert page.locator("h1").inner_text() == text["password"]
    walk.shot("password")

    # The invited person's first visit, in a browser of their own (same language)
    context = browser.new_context(locale="ru-RU" if language == "ru" else "en-US",
                                  viewport={"width": 1280, "height": 900})
    newcomer = context.new_page()
    newcomer.goto(link)
    newcomer.fill("input[name=password]", "password123")
    newcomer.fill("input[name=confirm]", "password123")
    with newcomer.expect_navigation():
        newcomer.click("#set-password-form [type=submit]")
    assert text["common"] in newcomer.locator(".invalid-feedback").first.inner_text()
    walk.page, walk_page = newcomer, page
    walk.shot("set-password")
    newcomer.fill("input[name=password]", "violet tram at dawn")
    newcomer.fill("input[name=confirm]", "violet tram at dawn")
    with newcomer.expect_navigation():
        newcomer.click("#set-password-form [type=submit]")
    assert newcomer.url == site.url + "/"
    context.close()

    assert walk.failures == []
    assert [e for e in walk_page.console_errors if not e.startswith("Failed to load resource")] == []


@pytest.fixture(params=["en", "ru"])
def language(request):
    return request.param
