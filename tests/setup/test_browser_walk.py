"""Debian chromium walks the whole wizard against the Google emulator, in English and in Russian:
address → values → checklist → credentials by JSON upload → verify (probe and round trip) → summary; and a
walk where the uploaded JSON's redirect URI differs. Afterwards the client secret is searched for in the
database file, the server's log and every page the browser saw."""
import json
import secrets

import pytest

from tests.plugins import browser as browser_plugin
from tests.plugins.browser import LiveServer

PASSWORD = "wizard walk password"
CLIENT_ID = "424242424242-browserwalkclient0123456789abcdef.apps.googleusercontent.com"

TEXT = {
    "en": {"next": "Next", "save": "Save", "probe": "Test the credentials", "signin": "Sign in with Google",
           "copied": "Copied", "ready": "Google is configured", "step1": "Site address",
           "people": "Google People API", "differs": "do not include"},
    "ru": {"next": "Далее", "save": "Сохранить", "probe": "Проверить ключи", "signin": "Войти через Google",
           "copied": "Скопировано", "ready": "Google настроен", "step1": "Адрес сайта",
           "people": "Google People API", "differs": "нет"},
}


@pytest.fixture
def site(tmp_path, redis_server, emulator, monkeypatch):
    """A fresh product server (waitress, demo configuration) whose Google is the emulator, logging at DEBUG
    level so the search of its log for the secret covers everything the app logs."""
    monkeypatch.setattr(browser_plugin, "SERVE", "import logging; logging.basicConfig(level=logging.DEBUG)\n"
                        + browser_plugin.SERVE)
    server = LiveServer(tmp_path, redis_server.url)
    server.env["GOOGLE_BASE_URL"] = emulator.url
    server.start()
    yield server
    server.stop()


class Walk:
    """The browser, plus every page's HTML it saw (for the secret search)."""

    def __init__(self, page, site):
        self.page, self.site, self.urls, self.failures = page, site, [], []
        page.on("response", self._note)

    def _note(self, response):
        if not response.url.startswith(self.site.url):
            return  # the emulator's own page has no favicon, as Google's does; not ours to judge
        if response.status >= 400:
            self.failures.append((response.status, response.url))
        if "text/html" in response.headers.get("content-type", ""):
            self.urls.append(response.url)

    def script_errors(self):
        """Console errors other than failed loads (those are checked per URL in `failures`)."""
        return [e for e in self.page.console_errors if not e.startswith("Failed to load resource")]

    def pages_seen(self):
        """Every HTML page of the site the browser saw (GET again with the same session), and the current one."""
        texts = [self.page.content()]
        for url in dict.fromkeys(self.urls):
            texts.append(self.page.context.request.get(url).text())
        return texts

    def url(self, path):
        return self.site.url + path

    def login(self, email, language):
        self.page.goto(self.url("/login"))
        self.page.fill("input[name=email]", email)
        self.page.fill("input[name=password]", PASSWORD)
        self.page.click("#login-form [type=submit]")
        self.page.wait_for_url(self.url("/"))
        self.page.goto(self.url(f"/locale/{language}?next=/admin/setup"))
        self.page.wait_for_url(self.url("/admin/setup/address"))
        assert self.page.locator("html").get_attribute("lang") == language


def write_client_file(tmp_path, secret, redirect_uris, origins):
    path = tmp_path / f"client_secret_{CLIENT_ID.split('-')[0]}.json"
    path.write_text(json.dumps({"web": {
        "client_id": CLIENT_ID, "project_id": "crm-sync-424242", "client_secret": secret,
        "auth_uri": "https://accounts.google.com/o/oauth2/auth", "token_uri": "https://oauth2.googleapis.com/token",
        "redirect_uris": redirect_uris, "javascript_origins": origins}}))
    return path


def walk_to_credentials(walk, t):
    page, site = walk.page, walk.site
    # 1. Site address: prefilled from the request
    assert page.locator("#step-title").inner_text().endswith(t["step1"])
    assert page.input_value("#site_address") == site.url
    page.click(f"#address-form [type=submit]")
    # Accepted: straight to step 3, which repeats the values; step 2 stays reachable for the legacy form.
    page.wait_for_url(walk.url("/admin/setup/console"))
    assert page.input_value("#console-redirect") == site.url + "/oauth/google/callback"
    page.click("[data-step=values]")
    # 2. Values: computed, checked, copyable
    page.wait_for_url(walk.url("/admin/setup/values"))
    assert page.input_value("#origin-value") == site.url
    assert page.input_value("#redirect-value") == site.url + "/oauth/google/callback"
    assert page.locator("#values-ok").is_visible()
    assert page.locator(".host-note").is_visible()  # localhost: only a browser on the server
    page.check("#callback_form-1")  # legacy: the shown value follows before saving
    assert page.input_value("#redirect-value").endswith("/0/ViewPage.aspx?Id=3b22f0ff-034a-48da-8758-a0660e5a26ff")
    page.check("#callback_form-0")
    assert page.input_value("#redirect-value") == site.url + "/oauth/google/callback"
    page.locator(".copy-button").first.click()
    page.wait_for_function("document.querySelector('.copy-button').textContent.trim() === %s" % json.dumps(t["copied"]))
    page.click(f"#values-form [type=submit]")
    # 3. Console checklist
    page.wait_for_url(walk.url("/admin/setup/console"))
    assert page.locator("#checklist li").count() == 6
    assert t["people"] in page.locator("#checklist").inner_text()
    assert page.locator("#testing-warning").is_visible()
    page.select_option("#publishing_status", "production")
    page.click("#console-form [type=submit]")
    page.wait_for_url(walk.url("/admin/setup/credentials"))


@pytest.mark.browser
@pytest.mark.parametrize("language", ["en", "ru"])
def test_whole_wizard(site, emulator, page, screenshot, tmp_path, language):
    t = TEXT[language]
    secret = "GOCSPX-" + secrets.token_urlsafe(21)
    callback = site.url + "/oauth/google/callback"
    emulator.add_user("owner@example.com", "Owner")
    emulator.add_client(client_id=CLIENT_ID, client_secret=secret, redirect_uris=[callback],
                        javascript_origins=[site.url], status="production")
    walk = Walk(page, site)
    walk.login(site.create_user("admin@example.com", PASSWORD, role="admin"), language)
    walk_to_credentials(walk, t)
    screenshot(page, f"wizard-{language}-credentials")

    # 4. Credentials by JSON upload
    with page.expect_navigation():  # choosing the file sends it: no button to press
        page.set_input_files("#client_file", str(write_client_file(tmp_path, secret, [callback], [site.url])))
    page.wait_for_url(walk.url("/admin/setup/verify"))
    # 5. Verify: the probe already ran with the upload; the round trip through the emulator's consent page
    page.wait_for_selector("#probe-result[data-status=accepted]")
    page.get_by_role("button", name=t["signin"]).click()
    page.wait_for_url(emulator.url + "/**")
    page.click("button[value=allow]")
    page.wait_for_url(walk.url("/admin/setup/verify") + "*")
    page.wait_for_selector("#roundtrip-result[data-status=ok]")
    assert "owner@example.com" in page.locator("#roundtrip-result").inner_text()
    screenshot(page, f"wizard-{language}-verify")
    # 6. Summary
    page.goto(walk.url("/admin/setup/summary"))
    assert t["ready"] in page.locator("#ready").inner_text()
    screenshot(page, f"wizard-{language}-summary")
    assert walk.script_errors() == [] and walk.failures == []  # no CSP violation, no script error, no 4xx

    # The secret appears nowhere in clear.
    for html in walk.pages_seen():
        assert secret not in html
    site.stop()
    assert secret.encode() not in (tmp_path / "live.db").read_bytes()
    assert CLIENT_ID.encode() in (tmp_path / "live.db").read_bytes()  # the right file was searched
    log = (tmp_path / "server.log").read_text()
    assert "GoogleClientSecret set by admin@example.com" in log  # the log is really written
    assert "oauth2" in log or "/token" in log  # HTTP calls to Google are logged (urllib3 at DEBUG)
    assert secret not in log


@pytest.mark.browser
@pytest.mark.parametrize("language", ["en", "ru"])
def test_uploaded_file_with_another_redirect_uri(site, emulator, page, screenshot, tmp_path, language):
    t = TEXT[language]
    secret = "GOCSPX-" + secrets.token_urlsafe(21)
    walk = Walk(page, site)
    walk.login(site.create_user("admin@example.com", PASSWORD, role="admin"), language)
    walk_to_credentials(walk, t)
    # A 10 MB file is refused by the server's body limit (CSRF on): the message sits next to the field.
    big = tmp_path / "client_secret_big.json"
    big.write_bytes(b"{" + b" " * (10 * 1024 * 1024) + b"}")
    with page.expect_navigation():
        page.set_input_files("#client_file", str(big))
    page.wait_for_selector("#client_file-error")
    assert "10.0 MB" in page.locator("#client_file-error").inner_text()
    walk.failures = [f for f in walk.failures if f[0] != 413]
    wrong = site.url + "/oauth2callback"
    with page.expect_navigation():
        page.set_input_files("#client_file", str(write_client_file(tmp_path, secret, [wrong], [site.url])))
    differences = page.locator("#differences")
    differences.wait_for()
    text = differences.inner_text()
    assert site.url + "/oauth/google/callback" in text and wrong in text and t["differs"] in text
    screenshot(page, f"wizard-{language}-differs")
    for html in walk.pages_seen():
        assert secret not in html
    assert walk.script_errors() == [] and walk.failures == []
