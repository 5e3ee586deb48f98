"""The user's half of the documented procedure (../shared/seed/), followed literally, in Russian, in chromium.

Steps 1-8 and nothing else: tag contacts with a personal tag; Действия → Синхронизировать контакты → Добавить
аккаунт для синхронизации; the Gmail icon; allow access on Google's (the emulator's) page; Действия →
Синхронизировать контакты → Настроить...; the documented fields (activities automatically and their period,
"Синхронизировать начиная с", contacts automatically and their period); save. No tag is ticked on the
settings page and "Sync now" is not pressed: the seed names neither. The worker's scheduler then runs (here:
one dispatch of due syncs and a burst worker, what `syncwizard run` does every minute) and every tagged
contact and every activity must be in the emulated Google, the health page saying so in green.

The Google client is registered beforehand (the administrator's half is the wizard's walk,
tests/e2e/test_documented_procedure.py).
"""
import datetime

import pytest

from tests.accounts.helpers import CLIENT_ID, CLIENT_SECRET
from tests.accounts.test_browser_walk import google_contacts, sync_menu
from tests.e2e.test_documented_procedure import GMAIL, PASSWORD, USER, google_events, login, run_python
from tests.plugins.browser import LiveServer

TAGGED = [f"Контакт{n:02d} Синхронный" for n in range(1, 16)]  # "0 of 15" in the issue
UNTAGGED = ["Остается Вцрм", "Тоже Вцрм"]
TAG = "Личные контакты"

MAKE_DATA = """
import datetime, sys
from wizard import create_app
from wizard.crm import services
from wizard.models import User
app = create_app()
with app.app_context():
    user = User.query.filter_by(email=sys.argv[1]).one()
    for name in sys.argv[2:]:
        first, last = name.split()
        services.create_contact(user.id, {"first_name": first, "last_name": last})
    day = datetime.date.today() + datetime.timedelta(days=1)
    for n, (title, hour) in enumerate([("Звонок", 9), ("Встреча", 10), ("Обед", 13), ("Созвон", 15),
                                       ("Отчет", 17)]):
        services.create_activity(user.id, {"title": title, "start_at": f"{day}T{hour:02d}:00",
                                           "end_at": f"{day}T{hour:02d}:30", "timezone": "Europe/Moscow"})
    services.create_activity(user.id, {"title": "Конференция", "all_day": True, "start_date": str(day)})
    services.create_activity(user.id, {"title": "Вчерашняя задача", "start_at": f"{day - datetime.timedelta(days=2)}T12:00",
                                       "timezone": "Europe/Moscow", "status": "done"})
"""
ACTIVITIES = ["Вчерашняя задача", "Встреча", "Звонок", "Конференция", "Обед", "Отчет", "Созвон"]

DISPATCH = """
from wizard import create_app
from wizard.jobs.schedule import dispatch_due
app = create_app()
with app.app_context():
    print(dispatch_due())
"""


@pytest.fixture
def site(tmp_path, redis_server, emulator):
    server = LiveServer(tmp_path, redis_server.url)
    server.env["GOOGLE_BASE_URL"] = emulator.url
    server.start()
    server.cli("settings", "set", "SiteAddress", server.url)
    server.cli("settings", "set", "GoogleClientId", CLIENT_ID)
    server.cli("settings", "set", "GoogleClientSecret", input=CLIENT_SECRET + "\n")
    emulator.add_client(client_id=CLIENT_ID, client_secret=CLIENT_SECRET,
                        redirect_uris=[server.url + "/oauth/google/callback"], javascript_origins=[server.url],
                        status="production")
    emulator.add_user(GMAIL, "Olga Smirnova")
    yield server
    server.stop()


def step_1_tag(page, site):
    page.goto(site.url + "/contacts")
    page.check("#select-page")
    for name in UNTAGGED:
        page.locator("tr", has_text=name).locator("input[name=ids]").uncheck()
    page.fill("#bulk-tag-name", TAG)
    with page.expect_navigation():
        page.click("#bulk-tag")


def steps_2_to_4_link_gmail(page, site, emulator):
    sync_menu(page, "#crm-add-sync-account")
    page.wait_for_url("**/sync/accounts/add")
    assert page.locator("h1").inner_text() == "Выберите сервис для синхронизации"
    page.click("#service-gmail")
    page.wait_for_url(emulator.url + "/o/oauth2/v2/auth*")
    page.check(f"input[name=email][value='{GMAIL}']")
    page.click("button[name=action][value=allow]")
    page.wait_for_url(site.url + "/sync")


def steps_5_to_8_configure(page, sync_from):
    sync_menu(page, "#crm-configure-sync")  # 5: straight to the settings of the only account
    page.wait_for_url("**/sync/accounts/*/settings")
    page.check("#activities_auto")  # 6
    page.fill("#activities_period", "30")
    page.select_option("#activities_period_unit", "minutes")
    page.fill("#activities_sync_from", sync_from)  # 7
    page.check("#contacts_auto")  # 8
    page.fill("#contacts_period", "2")
    page.select_option("#contacts_period_unit", "hours")
    with page.expect_navigation():
        page.click("#settings-form [type=submit]")
    assert "Настройки синхронизации сохранены." in page.content()


def scheduler_runs(site):
    """What `syncwizard run`'s worker does on its own every minute: queue the due syncs, work the queues."""
    run_python(site, DISPATCH)
    site.cli("worker", "--burst", "--no-scheduler", "sync", "sync-bulk")


@pytest.mark.browser
def test_the_seed_followed_literally_in_russian_syncs_everything(site, emulator, browser):
    site.create_user(USER, PASSWORD)
    run_python(site, MAKE_DATA, USER, *TAGGED, *UNTAGGED)
    context = browser.new_context(locale="ru-RU", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15000)
    errors = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    try:
        login(page, site, USER, "ru")
        step_1_tag(page, site)
        steps_2_to_4_link_gmail(page, site, emulator)
        sync_from = (datetime.date.today() - datetime.timedelta(days=7)).isoformat()
        steps_5_to_8_configure(page, sync_from)
        # The settings page tells which tags sync without the user having ticked one.
        assert page.locator("#sync_all_personal_tags").is_checked()
        assert page.locator("[data-tag-id]", has_text=TAG).locator("input[type=checkbox]").is_checked()
        assert page.locator("#no-tag-warning").count() == 0

        scheduler_runs(site)
        assert google_contacts(emulator.url, GMAIL) == sorted(TAGGED)
        assert google_events(emulator) == sorted(ACTIVITIES)

        page.goto(site.url + "/sync")
        page.get_by_role("link", name="Состояние синхронизации").first.click()
        contacts_card = page.locator("[data-object-health=contacts]")
        assert "Успешно" in contacts_card.inner_text()
        assert contacts_card.locator("tr[data-side=google] td").first.inner_text() == str(len(TAGGED))
        activities_card = page.locator("[data-object-health=activities]")
        assert activities_card.locator("tr[data-side=google] td").first.inner_text() == str(len(ACTIVITIES))
        assert [e for e in errors if "Failed to load resource" not in e] == []
    finally:
        context.close()
