"""Done when, in chromium, in English and Russian: an administrator sets up domain-wide delegation against the
emulator — a project with both APIs, a service account, its JSON key (a real download), the Workspace users,
the Admin console grant with the scopes copied from the wizard — uploads the key, verifies; three CRM users of
the domain then tag contacts (their only action: no settings page, no consent page) and their contacts and
activities arrive in their Google accounts after a real worker runs. Every request the browser made is
watched: none reached Google's consent page."""
import os
import subprocess
import sys
import time

import pytest
import requests

from config import PROJECT_ROOT
from tests.e2e.test_documented_procedure import PASSWORD, login
from tests.emulator.console_steps import (
    add_domain_users,
    authorize_delegation,
    create_project,
    create_service_account_key,
)
from tests.plugins.browser import LiveServer
from wizard.google import workspace

GUIDE_SCREENSHOTS = PROJECT_ROOT / "docs" / "screenshots"
USERS = ("ann@example.com", "bob@example.com", "cat@example.com")
TEXT = {"en": {"saved": "The key and the domain were saved.", "ok": "calendar list and contacts were read",
               "connected": "Connected", "tag": "Clients"},
        "ru": {"saved": "Ключ и домен сохранены.", "ok": "список календарей и контакты", "connected": "Подключён",
               "tag": "Клиенты"}}

MAKE_DATA = """
import sys
from datetime import date, timedelta
from wizard import create_app
from wizard.crm import services
from wizard.models import User
app = create_app()
with app.app_context():
    user = User.query.filter_by(email=sys.argv[1]).one()
    name = sys.argv[1].split("@")[0].capitalize()
    for first in ("Ivan", "Maria", "Untagged"):
        services.create_contact(user.id, {"first_name": first, "last_name": name})
    day = (date.today() + timedelta(days=1)).isoformat()
    services.create_activity(user.id, {"title": "Call " + name, "start_at": day + "T10:00",
                                       "timezone": "Europe/Moscow"})
"""

SCHEDULER_TICK = """
import sys
from datetime import timedelta
from wizard import create_app
from wizard.jobs.schedule import dispatch_due
from wizard.models.clock import utcnow
with create_app().app_context():
    print(dispatch_due(utcnow() + timedelta(seconds=int(sys.argv[1]))))
"""


def scheduler_tick(site, seconds_on=0) -> int:
    """The worker's scheduler, as it runs every minute: how many runs it queued."""
    done = subprocess.run([sys.executable, "-c", SCHEDULER_TICK, str(seconds_on)], env=site.env, check=True,
                          capture_output=True, text=True)
    return int(done.stdout.strip())


@pytest.fixture
def site(tmp_path, redis_server, emulator):
    server = LiveServer(tmp_path, redis_server.url)
    server.env["GOOGLE_BASE_URL"] = emulator.url
    server.start()
    yield server
    server.stop()


def as_user(emulator_url, email, path, params):
    token = requests.post(emulator_url + "/_emulator/tokens", timeout=10, json={
        "email": email, "scopes": list(workspace.SCOPES)}).json()["access_token"]
    return requests.get(emulator_url + path, params=params, timeout=10,
                        headers={"Authorization": f"Bearer {token}"}).json()


def google_contacts(emulator_url, email):
    body = as_user(emulator_url, email, "/v1/people/me/connections", {"personFields": "names", "pageSize": 100})
    return sorted(p["names"][0]["displayName"] for p in body.get("connections", []) if p.get("names"))


def google_events(emulator_url, email):
    body = as_user(emulator_url, email, "/calendar/v3/calendars/primary/events", {"maxResults": 50})
    return sorted(e.get("summary", "") for e in body.get("items", []))


class Shooter:
    """Screenshots into test-artifacts/; with UPDATE_GUIDE_SCREENSHOTS=1 also the guides' pictures
    (docs/screenshots/<step>-<language>.png), as tests/e2e/test_documented_procedure.py does."""

    def __init__(self, page, screenshot, language):
        self.page, self.screenshot, self.language = page, screenshot, language

    def __call__(self, step):
        path = self.screenshot(self.page, f"{step}-{self.language}")
        if os.environ.get("UPDATE_GUIDE_SCREENSHOTS") == "1":
            (GUIDE_SCREENSHOTS / f"{step}-{self.language}.png").write_bytes(path.read_bytes())


def google_side(page, emulator, scopes_line, shoot):
    """The administrator in Google's consoles (the emulator's): project with both APIs, service account, JSON
    key, the domain's users and the Admin console's grant. Returns the downloaded key file's path."""
    create_project(page, emulator, apis=("calendar", "people"))
    client_id, key = create_service_account_key(page)
    add_domain_users(page, emulator, "example.com",
                     [(email.split("@")[0].capitalize(), "Example", email.split("@")[0]) for email in USERS])
    authorize_delegation(page, emulator, client_id, scopes_line)
    shoot("domain-admin-console")
    return key.path(), client_id


@pytest.mark.browser
@pytest.mark.parametrize("language", ["en", "ru"])
def test_domain_setup_and_three_users_who_only_tag(site, emulator, browser, screenshot, language):
    t = TEXT[language]
    admin = site.create_user("admin@example.org", PASSWORD, role="admin")
    for email in USERS:  # the company's CRM already holds their contacts and meetings
        site.create_user(email, PASSWORD)
        subprocess.run([sys.executable, "-c", MAKE_DATA, email], env=site.env, check=True, capture_output=True)
    context = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 800})
    page = context.new_page()
    shoot = Shooter(page, screenshot, language)
    page.set_default_timeout(20000)
    consent_requests, errors = [], []
    page.on("request", lambda r: consent_requests.append(r.url) if "/o/oauth2/" in r.url else None)
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    try:
        # The administrator: the mode, then the domain path with Google's steps.
        login(page, site, admin, language)
        page.goto(site.url + "/admin/setup")
        page.click("#choose-mode")
        shoot("domain-mode")
        page.check("input[name=mode][value=domain]")
        with page.expect_navigation():
            page.click("#mode-form [type=submit]")
        assert page.url.endswith("/admin/setup/domain")
        scopes_line = page.input_value("#delegation-scopes")
        assert scopes_line == ",".join(workspace.SCOPES)
        shoot("domain-steps")
        key_path, client_id = google_side(page, emulator, scopes_line, shoot)

        page.goto(site.url + "/admin/setup/domain")
        page.set_input_files("#key_file", key_path)
        page.fill("#domain", "example.com")
        with page.expect_navigation():
            page.click("#domain-key-form [type=submit]")
        assert t["saved"] in page.content()
        assert page.input_value("#delegation-client-id") == client_id
        assert "PRIVATE KEY" not in page.content()
        page.fill("#address", "ann@example.com")
        with page.expect_navigation():
            page.click("#domain-verify-form [type=submit]")
        page.wait_for_selector("#domain-verify-result[data-status=ok]")
        assert t["ok"] in page.locator("#domain-verify-result").inner_text()
        shoot("domain-verified")
        page.click("#domain-users-link")
        page.wait_for_url("**/admin/domain/users")
        assert page.locator("tr[data-state=on]").count() == 3
        assert page.locator("tr[data-state=on]").first.inner_text().count(t["connected"]) == 1
        shoot("domain-users")
        page.context.clear_cookies()
        # Verification connected the users and queued their first runs; a worker takes them at once, before
        # anyone has tagged anything: the meetings arrive, no contact is selected yet.
        site.cli("worker", "--burst", "--no-scheduler", "sync", "sync-bulk")
        scheduler_tick(site)  # its regular tick: the next runs are set an hour on
        site.cli("worker", "--burst", "--no-scheduler", "sync", "sync-bulk")
        assert [google_contacts(emulator.url, email) for email in USERS] == [[], [], []]
        assert scheduler_tick(site, 61) == 0  # nothing due a minute on

        # Three users of the domain: they tag contacts, nothing else.
        for email in USERS:
            login(page, site, email, language)
            page.goto(site.url + "/contacts")
            for first in ("Ivan", "Maria"):
                page.locator("tr", has_text=first).locator("input[name=ids]").check()
            page.fill("#bulk-tag-name", t["tag"])
            with page.expect_navigation():
                page.click("#bulk-tag")
            page.context.clear_cookies()
        # Tagging brought their contacts runs to within a minute: the scheduler's tick a minute on queues them.
        assert scheduler_tick(site, 61) == 3  # one contacts run per tagging user
        # A changed scope is a bulk run; one that found every bulk slot taken for a moment is put back on RQ's
        # scheduler for 10 s later. Workers run the scheduler (a burst worker enqueues what is due as it starts).
        for _ in range(4):
            site.cli("worker", "--burst", "sync", "sync-bulk")
            if all(google_contacts(emulator.url, email) for email in USERS):
                break
            time.sleep(11)
        for email in USERS:
            name = email.split("@")[0].capitalize()
            assert google_contacts(emulator.url, email) == [f"Ivan {name}", f"Maria {name}"]
            assert google_events(emulator.url, email) == [f"Call {name}"]
        assert consent_requests == []  # nobody was sent to a consent page
        stats = emulator.control("GET", "/stats")["by_endpoint"]
        assert not [e for e in stats if "/o/oauth2" in e], stats
        assert [e for e in errors if "Failed to load resource" not in e] == []
    finally:
        context.close()
