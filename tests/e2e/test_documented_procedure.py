"""The whole documented procedure in Debian chromium, against the Google emulator, in English and in Russian.

From a fresh database: the first administrator's one-time page → the setup wizard end to end (the OAuth client
registered in the emulated Google Cloud console, its downloaded JSON uploaded, probe, round trip through the
consent page, summary) → a user tags contacts and adds activities → links the Gmail account → configures the
sync with the documented fields → "Sync now", a real worker runs it → the contacts and the activities are in
the emulated Google → a contact edited "in Google" (the emulator's data page) comes back to the CRM after the
next run → the same field edited on both sides waits as a conflict on the health page; "Keep Google" applies.

Every step is photographed into test-artifacts/e2e-<language>-NN-<step>.png. With UPDATE_GUIDE_SCREENSHOTS=1
the same pictures are also written to docs/screenshots/<step>-<language>.png, the illustrations of the guides
(docs/guide-*.md), so the guides never show a page the product no longer has.
"""
import datetime
import os
import subprocess
import sys

import pytest
import requests

from config import PROJECT_ROOT
from tests.accounts.test_browser_walk import CONTACTS, MAKE_CONTACTS, google_contacts, sync_menu
from tests.plugins.browser import ARTIFACTS, LiveServer
from tests.setup.test_browser_walk import TEXT, Walk, walk_to_credentials

PASSWORD = "e2e procedure password"
ADMIN, USER, GMAIL = "admin@example.com", "olga@example.com", "olga.google@gmail.com"
GUIDE_SCREENSHOTS = PROJECT_ROOT / "docs" / "screenshots"
VIEWPORT = {"width": 1280, "height": 800}  # the width the guides promise; the navigation fits one row there

ISSUE_TOKEN = """
from wizard import create_app
from wizard.auth import first_admin
app = create_app()
with app.app_context():
    print(first_admin.issue_token())
"""

WORDS = {
    "en": {"tag": "Personal contacts", "configure": "Configure...", "health": "Sync health",
           "saved": "Sync settings saved.", "started": "Sync started.", "success": "Succeeded",
           "admin_ready": "The administrator account is ready", "keep_google": "Keep Google"},
    "ru": {"tag": "Личные контакты", "configure": "Настроить...", "health": "Состояние синхронизации",
           "saved": "Настройки синхронизации сохранены.", "started": "Синхронизация запущена.",
           "success": "Успешно", "admin_ready": "Учетная запись администратора создана",
           "keep_google": "Оставить Google"},
}


class Camera:
    """Numbered screenshots of one walk; also the guides' pictures when asked to refresh them."""

    def __init__(self, page, language):
        self.page, self.language, self.count = page, language, 0
        self.update_guides = os.environ.get("UPDATE_GUIDE_SCREENSHOTS") == "1"
        ARTIFACTS.mkdir(exist_ok=True)
        for old in ARTIFACTS.glob(f"e2e-{language}-*.png"):  # an earlier walk's numbering would interleave
            old.unlink()

    def __call__(self, step, full_page=True):
        self.count += 1
        png = self.page.screenshot(full_page=full_page)
        (ARTIFACTS / f"e2e-{self.language}-{self.count:02d}-{step}.png").write_bytes(png)
        if self.update_guides:
            GUIDE_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            (GUIDE_SCREENSHOTS / f"{step}-{self.language}.png").write_bytes(png)


@pytest.fixture
def fresh_site(tmp_path, redis_server, emulator):
    server = LiveServer(tmp_path, redis_server.url)
    server.env["GOOGLE_BASE_URL"] = emulator.url
    server.start()
    yield server
    server.stop()


def run_python(site, code, *args):
    """Run code in the product's environment (its database, its Redis); its standard output."""
    return subprocess.run([sys.executable, "-c", code, *args], env=site.env, check=True, cwd=PROJECT_ROOT,
                          capture_output=True, text=True).stdout


def emulator_token(emulator, scope):
    return emulator.token(GMAIL, [f"https://www.googleapis.com/auth/{scope}"])


def google_events(emulator):
    body = requests.get(emulator.url + "/calendar/v3/calendars/primary/events", timeout=10,
                        headers={"Authorization": "Bearer " + emulator_token(emulator, "calendar")}).json()
    return sorted(e.get("summary", "") for e in body.get("items", []) if e.get("status") != "cancelled")


def google_guests(emulator, summary):
    body = requests.get(emulator.url + "/calendar/v3/calendars/primary/events", timeout=10,
                        headers={"Authorization": "Bearer " + emulator_token(emulator, "calendar")}).json()
    event = next(e for e in body.get("items", []) if e.get("summary") == summary)
    return [(a["email"], a.get("displayName")) for a in event.get("attendees") or []]


def login(page, site, email, language):
    page.goto(site.url + "/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("#login-form [type=submit]")
    page.wait_for_url(site.url + "/")
    page.goto(site.url + f"/locale/{language}?next=/")
    assert page.locator("html").get_attribute("lang") == language


def logout(page):
    page.click("#user-menu")
    with page.expect_navigation():
        page.locator(".logout-form [type=submit]").first.click()


def first_administrator(page, site, shoot, w):
    token = run_python(site, ISSUE_TOKEN).strip()
    page.goto(site.url + f"/setup/first-admin/{token}")
    page.fill("#first-admin-form input[name=email]", ADMIN)
    for name in ("password", "confirm"):
        field = page.locator(f"#first-admin-form input[name={name}]")
        if field.count():
            field.fill(PASSWORD)
    shoot("first-admin")
    page.click("#first-admin-form [type=submit]")
    page.wait_for_url(site.url + "/admin/setup/address")  # the message's "Next: the setup wizard" is where it lands
    assert w["admin_ready"] in page.content()


def register_in_google_console(page, emulator, site, shoot, tmp_path):
    """Step 3's checklist done in the (emulated) Google Cloud console; the downloaded client_secret JSON."""
    page.goto(emulator.url + "/")
    page.fill("form[action='/console/projects'] input[name=name]", "CRM sync")
    with page.expect_navigation():
        page.click("form[action='/console/projects'] [type=submit]")
    for api in ("people", "calendar"):
        with page.expect_navigation():
            page.click(f"form[action$='/apis/{api}'] button[value=enable]")
    consent = page.locator("form[action$='/consent']")
    consent.locator("input[name=app_name]").fill("CRM sync")
    consent.locator("input[name=support_email]").fill(ADMIN)
    consent.locator("select[name=user_type]").select_option("external")
    consent.locator("select[name=status]").select_option("production")
    consent.locator("textarea[name=scopes]").fill("\n".join(
        ["https://www.googleapis.com/auth/contacts", "https://www.googleapis.com/auth/calendar.events",
         "https://www.googleapis.com/auth/calendar.calendarlist.readonly", "openid", "email", "profile"]))
    with page.expect_navigation():
        consent.locator("[type=submit]").click()
    client = page.locator("form[action$='/clients']")
    client.locator("textarea[name=javascript_origins]").fill(site.url)
    client.locator("textarea[name=redirect_uris]").fill(site.url + "/oauth/google/callback")
    shoot("google-console")
    with page.expect_navigation():
        client.locator("[type=submit]").click()
    with page.expect_download() as download:
        page.click("a[href^='/console/download/']")
    path = tmp_path / download.value.suggested_filename
    download.value.save_as(path)
    return path


def setup_wizard(page, site, emulator, shoot, tmp_path, language):
    t = TEXT[language]
    emulator.add_user("owner@example.com", "Owner")
    page.goto(site.url + "/admin/setup")
    page.wait_for_url(site.url + "/admin/setup/address")
    shoot("wizard-address")
    walk = Walk(page, site)
    # The walk's own checks of steps 1-3; the pictures of those steps are taken on the way back below.
    walk_to_credentials(walk, t)
    page.goto(site.url + "/admin/setup/values")
    shoot("wizard-values")
    page.goto(site.url + "/admin/setup/console")
    shoot("wizard-console")
    client_file = register_in_google_console(page, emulator, site, shoot, tmp_path)
    page.goto(site.url + "/admin/setup/credentials")
    shoot("wizard-credentials")
    with page.expect_navigation():  # choosing the file sends it, and Google checks it at once
        page.set_input_files("#client_file", str(client_file))
    page.wait_for_url(site.url + "/admin/setup/verify")
    page.wait_for_selector("#probe-result[data-status=accepted]")
    page.get_by_role("button", name=t["signin"]).click()
    page.wait_for_url(emulator.url + "/**")
    page.click("button[value=allow]")
    page.wait_for_url(site.url + "/admin/setup/verify*")
    page.wait_for_selector("#roundtrip-result[data-status=ok]")
    shoot("wizard-verify")
    page.goto(site.url + "/admin/setup/summary")
    assert t["ready"] in page.locator("#ready").inner_text()
    shoot("wizard-summary")
    return walk


def tag_contacts_and_add_activities(page, site, shoot, w, tomorrow):
    page.goto(site.url + "/contacts")
    for name in CONTACTS[:3]:
        page.locator("tr", has_text=name).locator("input[name=ids]").check()
    page.fill("#bulk-tag-name", w["tag"])
    shoot("contacts-tagging")
    with page.expect_navigation():
        page.click("#bulk-tag")
    assert page.locator("tr", has_text=CONTACTS[0]).get_by_text(w["tag"]).count() >= 1
    for title, hour in (("Call Ivan Petrov", "10"), ("Meeting with Maria", "15")):
        page.goto(site.url + "/activities/new")
        page.fill("#title", title)
        page.fill("#start_at", f"{tomorrow}T{hour}:00")
        page.fill("#end_at", f"{tomorrow}T{hour}:30")
        page.fill("#timezone", "Europe/Moscow")
        if title.startswith("Meeting"):
            page.fill("#participant_emails", "Maria Sidorova <maria@example.com>")  # a guest of the event
            shoot("activity-form")
        with page.expect_navigation():
            page.click("#save-activity")
    page.goto(site.url + "/activities")
    assert page.get_by_text("Meeting with Maria").count() >= 1
    shoot("activities")


def link_gmail(page, site, emulator, shoot):
    page.goto(site.url + "/contacts")
    sync_menu(page, "#crm-add-sync-account")
    page.wait_for_url("**/sync/accounts/add")
    shoot("add-account")
    page.click("#service-gmail")
    page.wait_for_url(emulator.url + "/o/oauth2/v2/auth*")
    page.check(f"input[name=email][value='{GMAIL}']")
    shoot("google-consent")
    page.click("button[name=action][value=allow]")
    page.wait_for_url(site.url + "/sync")
    assert page.locator("tr[data-status=connected]").count() == 1
    shoot("accounts")


def configure(page, site, shoot, w):
    page.goto(site.url + "/contacts")
    sync_menu(page, "#crm-configure-sync")
    page.wait_for_url("**/settings")  # the only account's settings, straight away
    # The tag is not ticked: a new account syncs every personal tag (the documented procedure names no tick).
    assert page.locator("[data-tag-id]", has_text=w["tag"]).locator("input[type=checkbox]").is_checked()
    page.check("#activities_auto")
    page.fill("#activities_period", "30")
    page.select_option("#activities_period_unit", "minutes")
    page.fill("#activities_sync_from", "2026-01-01")
    page.check("#contacts_auto")
    page.fill("#contacts_period", "2")
    page.select_option("#contacts_period_unit", "hours")
    page.click("#settings-form [type=submit]")
    assert w["saved"] in page.content()
    shoot("settings")


def edit_in_google(page, emulator, family, new_family, phone=None, shoot=None):
    """Edit a contact on the emulator's data page, as a user would in Google Contacts."""
    page.goto(emulator.url + f"/_emulator/ui/{GMAIL}")
    row = page.locator("form[action*='/contacts/']", has=page.locator(f"input[name=family][value={family}]"))
    row.locator("input[name=family]").fill(new_family)
    if phone:
        row.locator("input[name=phone]").fill(phone)
    if shoot:
        shoot("google-data")
    with page.expect_navigation():
        row.locator("button[type=submit]").click()


def sync_now(page, site, w):
    """Press "Sync now" on the health page, let one real worker process run the queue, wait for the reload."""
    page.get_by_role("link", name=w["health"]).first.click()
    before = page.locator("[data-object-health=contacts] [data-last-run]").get_attribute("data-last-run") \
        if page.locator("[data-object-health=contacts] [data-last-run]").count() else None
    with page.expect_navigation():  # the form posts and the page reloads; read it once it has
        page.click("#sync-now")
    assert w["started"] in page.content()
    site.cli("worker", "--burst", "--no-scheduler", "sync", "sync-bulk")
    page.wait_for_function(
        "before => { const e = document.querySelector('[data-object-health=contacts] [data-last-run]');"
        " return e && e.getAttribute('data-last-run') !== before; }", arg=before, timeout=30000)
    page.wait_for_load_state()


@pytest.mark.browser
@pytest.mark.parametrize("language", ["en", "ru"])
def test_documented_procedure(fresh_site, emulator, browser, tmp_path, language):
    site, w = fresh_site, WORDS[language]
    emulator.add_user(GMAIL, "Olga Smirnova")
    context = browser.new_context(locale={"en": "en-US", "ru": "ru-RU"}[language], viewport=VIEWPORT)
    page = context.new_page()
    page.set_default_timeout(15000)
    errors = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    shoot = Camera(page, language)
    try:
        # The administrator: the one-time page, then the wizard.
        first_administrator(page, site, shoot, w)
        page.goto(site.url + f"/locale/{language}?next=/")
        walk = setup_wizard(page, site, emulator, shoot, tmp_path, language)
        assert walk.failures == []
        logout(page)

        # The user: contacts exist in the CRM (made in-process; the CRM's own forms are tested in tests/crm).
        site.create_user(USER, PASSWORD)
        login(page, site, USER, language)
        run_python(site, MAKE_CONTACTS, USER, *CONTACTS)
        tomorrow = (datetime.date.today() + datetime.timedelta(days=1)).isoformat()
        tag_contacts_and_add_activities(page, site, shoot, w, tomorrow)
        link_gmail(page, site, emulator, shoot)
        configure(page, site, shoot, w)

        sync_now(page, site, w)
        contacts_card = page.locator("[data-object-health=contacts]")
        assert w["success"] in contacts_card.inner_text()
        shoot("health")
        assert google_contacts(emulator.url, GMAIL) == sorted(CONTACTS[:3])
        assert google_events(emulator) == ["Call Ivan Petrov", "Meeting with Maria"]
        assert google_guests(emulator, "Meeting with Maria") == [("maria@example.com", "Maria Sidorova")]
        assert all(not m["recipients"] for m in emulator.control("GET", "/mail")["messages"])  # nobody mailed

        # "In Google": the emulator's data page shows them; an edit there comes back to the CRM.
        page.goto(emulator.url + f"/_emulator/ui/{GMAIL}")
        edit_in_google(page, emulator, "Petrov", "Petrov-Vodkin", phone="+7 495 123-45-67", shoot=shoot)
        assert "Petrov-Vodkin" in google_contacts(emulator.url, GMAIL)[0]

        page.goto(site.url + "/sync")
        sync_now(page, site, w)
        shoot("health-after-google-edit")
        page.goto(site.url + "/contacts")
        page.get_by_role("link", name="Ivan Petrov-Vodkin").first.click()
        card = page.locator("main").inner_text()
        assert "Petrov-Vodkin" in card and "+74951234567" in card  # normalised to E.164 on the way in
        shoot("contact-from-google")

        # The same field changed on both sides: with "Ask me", a conflict waits on the health page.
        page.goto(site.url + "/contacts")
        page.get_by_role("link", name="Maria Sidorova").first.click()
        page.locator("a[href$='/edit']").first.click()
        page.fill("#last_name", "Sidorova-CRM")
        with page.expect_navigation():
            page.click("#save-contact")
        edit_in_google(page, emulator, "Sidorova", "Sidorova-Google")
        page.goto(site.url + "/sync")
        sync_now(page, site, w)
        conflict = page.locator("#conflicts [data-conflict-id]")
        assert conflict.count() == 1 and "Sidorova-Google" in conflict.inner_text()
        shoot("conflict")
        with page.expect_navigation():
            conflict.get_by_role("button", name=w["keep_google"]).click()
        site.cli("worker", "--burst", "--no-scheduler", "sync", "sync-bulk")
        assert "Sidorova-Google" in " ".join(google_contacts(emulator.url, GMAIL))
        page.goto(site.url + "/contacts")
        assert page.get_by_text("Maria Sidorova-Google").count() >= 1
        assert [e for e in errors if "Failed to load resource" not in e] == []
    finally:
        context.close()
