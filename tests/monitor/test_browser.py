"""A real browser on the jobs page: it refreshes itself without reloading, pauses and resumes on request,
deletes a failed job through its form, and reads in English and Russian. Screenshots: test-artifacts/."""
import threading
import time

import pytest
import redis
from playwright.sync_api import expect
from rq import Queue, SimpleWorker, Worker

from wizard.jobs.heartbeat import heartbeat_key

PASSWORD = "monitor browser password"
DEPTH = '[data-queue="default"] [data-depth]'


@pytest.fixture
def live_worker(live_redis):
    """A worker registered in the live server's Redis and beating as wizard.jobs.worker does (not consuming):
    every few seconds, since a worker silent for WORKER_HEARTBEAT_MAX_AGE (35 s) counts as gone."""
    worker = Worker([Queue("sync", connection=live_redis)], connection=live_redis, name="monitor-browser.4242")
    worker.register_birth()
    worker.heartbeat()
    stop = threading.Event()

    def beat():
        while True:
            live_redis.set(heartbeat_key(worker.name), repr(time.time()), ex=120)
            if stop.wait(5):
                return

    beating = threading.Thread(target=beat, daemon=True)
    beating.start()
    yield worker
    stop.set()
    beating.join()
    worker.register_death()
    live_redis.delete(heartbeat_key(worker.name))


@pytest.fixture
def live_redis(live_server):
    connection = redis.Redis.from_url(live_server.env["REDIS_URL"])
    queue = Queue("default", connection=connection)
    queue.empty()
    yield connection
    queue.empty()
    for job_id in Queue("default", connection=connection).failed_job_registry.get_job_ids():
        Queue("default", connection=connection).failed_job_registry.remove(job_id, delete_job=True)


def depth_is(page, n):
    # A locator assertion, not wait_for_function: that one evaluates a string, which the CSP forbids.
    expect(page.locator(DEPTH)).to_have_text(str(n), timeout=15000)


@pytest.mark.browser
def test_jobs_page_refreshes_itself_and_pauses(live_server, live_redis, live_worker, page, screenshot):
    live_server.create_user("monitor-admin@example.com", PASSWORD, role="admin")
    queue = Queue("default", connection=live_redis)
    # A job that fails for real (a burst worker in this process), its error holding a token-like string.
    queue.enqueue("tests.monitor.jobs.explode", 0, "contacts", 0, job_id="browser-failed-job",
                  description="a job that fails")
    SimpleWorker([queue], connection=live_redis).work(burst=True)

    page.goto(live_server.url + "/login")
    page.fill("input[name=email]", "monitor-admin@example.com")
    page.fill("input[name=password]", PASSWORD)
    page.click("#login-form [type=submit]")
    page.wait_for_url(live_server.url + "/")
    page.click("#system-designer")
    page.get_by_role("link", name="Jobs", exact=True).click()
    page.wait_for_url(live_server.url + "/admin/jobs")
    assert page.locator("h1").inner_text() == "Jobs"
    failed = page.locator('[data-failed-job="browser-failed-job"]')
    assert "access_token=***" in failed.inner_text() and "PLANTED" not in page.content()

    page.goto(live_server.url + "/admin/jobs?refresh=2")
    page.evaluate("window.notReloaded = true")
    depth_is(page, 0)
    queue.enqueue("tests.monitor.jobs.noop")
    depth_is(page, 1)  # appeared by itself
    assert page.evaluate("window.notReloaded") is True  # updated in place, not by reloading the page
    assert int(page.locator("#jobs-live").get_attribute("data-refreshes")) >= 1
    assert page.locator('[data-worker="monitor-browser.4242"]').get_attribute("data-silent") == "no"
    screenshot(page, "monitor-jobs-en")

    # Paused: nothing changes any more, even when the queue does.
    page.click("#jobs-refresh-toggle")
    assert page.locator("#jobs-refresh-toggle").inner_text() == "Resume auto refresh"
    refreshes = page.locator("#jobs-live").get_attribute("data-refreshes")
    queue.enqueue("tests.monitor.jobs.noop")
    page.wait_for_timeout(5000)
    assert page.locator(DEPTH).inner_text() == "1"
    assert page.locator("#jobs-live").get_attribute("data-refreshes") == refreshes
    # The choice survives a reload; resuming brings the page up to date.
    page.reload()
    assert page.locator("#jobs-refresh-toggle").inner_text() == "Resume auto refresh"
    page.click("#jobs-refresh-toggle")
    depth_is(page, 2)

    # Deleting the failed job goes through its form (CSRF token) after a confirmation.
    page.once("dialog", lambda dialog: dialog.accept())
    page.click('[data-failed-job="browser-failed-job"] [data-action="delete"]')
    page.wait_for_selector(".alert-success")
    assert "The failed job is deleted." in page.locator(".alert-success").inner_text()
    assert page.locator('[data-failed-job="browser-failed-job"]').count() == 0

    page.click("#language-menu")
    page.click("button[data-locale=ru]")
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Задания"
    assert page.locator("#jobs-refresh-toggle").inner_text() == "Приостановить автообновление"
    screenshot(page, "monitor-jobs-ru")
    assert page.console_errors == []  # no CSP violation, no script error
