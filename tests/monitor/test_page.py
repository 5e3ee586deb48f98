"""What the jobs page shows, read from real RQ queues, a real worker's heartbeat and the sync tables."""
import re
import time
from datetime import timedelta

from rq import Queue

from tests.hardening.pages import scan, script_src
from tests.monitor.conftest import queue_crashing_sync
from wizard.extensions import db
from wizard.models.accounts import NEEDS_RECONNECT
from wizard.models.sync import RunStatus, SyncRun, SyncSchedule, utcnow
from wizard.jobs.queue import enqueue_sync, job_id_for
from wizard.redis import get_redis
from wizard.jobs.worker import heartbeat_key, make_worker


def row(html, attribute, value):
    match = re.search(rf'<tr {attribute}="{re.escape(str(value))}".*?</tr>', html, re.S)
    assert match, f"no row {attribute}={value}"
    return match.group(0)


def test_a_queued_sync_shows_in_its_queue_and_as_a_run(as_admin, account):
    run_id = enqueue_sync(account.id, "activities", trigger="manual")
    html = as_admin.get("/admin/jobs").get_data(as_text=True)
    assert re.search(r"<td data-depth>1</td>", row(html, "data-queue", "sync-bulk"))  # a first sync
    run = row(html, "data-run", run_id)
    assert "owner@gmail.com" in run and "Activities" in run and 'data-run-status="queued"' in run
    assert "data-job-gone" not in run  # its job is alive in the queue
    data = as_admin.get("/admin/jobs.json").get_json()
    sync = next(q for q in data["queues"] if q["name"] == "sync-bulk")
    assert sync["depth"] == 1 and sync["oldest_age"] is not None and sync["oldest_age"] < 60
    assert [r["run_id"] for r in data["active_runs"]] == [run_id]


def test_a_running_run_shows_its_progress_and_duration(as_admin, account):
    run_id = enqueue_sync(account.id, "contacts")
    run = db.session.get(SyncRun, run_id)
    run.status, run.started_at = RunStatus.RUNNING, utcnow() - timedelta(seconds=42)
    run.progress_done, run.progress_total = 150, 600
    db.session.commit()
    html = row(as_admin.get("/admin/jobs").get_data(as_text=True), "data-run", run_id)
    assert re.search(r"<td>4[2-9] s</td>", html)  # how long it has run
    assert "150 / 600" in html and 'data-percent="25"' in html and 'data-run-status="running"' in html


def test_a_crashed_sync_is_listed_with_the_last_line_of_its_error(as_admin, failed_sync):
    html = as_admin.get("/admin/jobs").get_data(as_text=True)
    failed = row(html, "data-failed-job", failed_sync.job_id)
    assert f"sync contacts of account {failed_sync.account_id} (run {failed_sync.id})" in failed
    assert "RuntimeError: Google refused:" in failed
    assert "Traceback" not in html and "explode" not in html  # no frames of the traceback
    assert re.search(r'class="text-danger fw-bold">1</td>', row(html, "data-queue", "sync"))
    assert 'data-summary="failed"' in html and 'id="retry-all"' in html
    # The run's job is gone (failed), so the run still marked queued is flagged.
    assert "data-job-gone" in row(html, "data-run", failed_sync.id)


def test_workers_show_their_heartbeat_and_turn_silent_without_it(app, as_admin):
    worker = make_worker(app)
    worker.register_birth()
    try:
        worker.heartbeat()
        html = as_admin.get("/admin/jobs").get_data(as_text=True)
        line = row(html, "data-worker", worker.name)
        assert 'data-silent="no"' in line and str(worker.pid) in line and worker.hostname in line
        assert "data-worker-silent" not in line and "no-workers" not in html
        assert as_admin.get("/admin/jobs.json").get_json()["workers_alive"] == 1
        # The heartbeat key expires when the worker stops beating (killed, frozen, cut off from Redis).
        get_redis().delete(heartbeat_key(worker.name))
        line = row(as_admin.get("/admin/jobs").get_data(as_text=True), "data-worker", worker.name)
        assert 'data-silent="yes"' in line and "data-worker-silent" in line and "silent" in line
        assert as_admin.get("/admin/jobs.json").get_json()["workers_alive"] == 0
    finally:
        worker.register_death()
    assert 'id="no-workers"' in as_admin.get("/admin/jobs").get_data(as_text=True)


def test_the_dispatcher_and_the_next_due_runs_are_shown(as_admin, account, make_account):
    from wizard.jobs.entry import ensure_periodic_jobs

    other = make_account("other@gmail.com", status=NEEDS_RECONNECT)
    ensure_periodic_jobs(get_redis())
    db.session.add_all([SyncSchedule(account_id=account.id, object="contacts"),
                        SyncSchedule(account_id=other.id, object="contacts", paused_reason="needs_reconnect")])
    db.session.commit()
    html = as_admin.get("/admin/jobs").get_data(as_text=True)
    assert "The dispatcher checks for due syncs every 60 s" in html and "data-dispatcher-missing" not in html
    assert "owner@gmail.com" in row(html, "data-due", f"{account.id}-contacts")
    assert "Paused until the account is reconnected." in row(html, "data-due", f"{other.id}-contacts")
    assert get_redis().exists(f"rq:job:{job_id_for(account.id, 'contacts')}") == 0  # reading queued nothing


def test_outcomes_of_the_last_day_per_account(as_admin, account, make_account):
    broken = make_account("broken@gmail.com", status=NEEDS_RECONNECT)
    now = utcnow()

    def finished(acc, status, hours_ago):
        db.session.add(SyncRun(account_id=acc.id, object="contacts", status=status,
                               finished_at=now - timedelta(hours=hours_ago)))

    for status in (RunStatus.SUCCEEDED, RunStatus.SUCCEEDED, RunStatus.FAILED):
        finished(account, status, 1)
    finished(account, RunStatus.FAILED, 30)  # older than a day: not counted
    finished(broken, RunStatus.NEEDS_RECONNECT, 2)
    db.session.commit()
    html = as_admin.get("/admin/jobs").get_data(as_text=True)
    mine = row(html, "data-account-outcomes", account.id)
    assert re.search(r'data-outcome="succeeded">2<', mine) and re.search(r'data-outcome="failed"[^>]*>1<', mine)
    theirs = row(html, "data-account-outcomes", broken.id)
    assert "Needs reconnecting" in theirs and re.search(r'data-outcome="needs_reconnect"[^>]*>1<', theirs)
    data = as_admin.get("/admin/jobs.json").get_json()
    assert data["outcome_totals"]["succeeded"] == 2 and data["outcome_totals"]["failed"] == 1
    assert data["needs_reconnect"] == 1
    # The account needing reconnect comes first: it is what the administrator acts on.
    assert [o["account_email"] for o in data["outcomes"]][0] == "broken@gmail.com"


def test_page_in_english_and_in_russian(as_admin, failed_sync):
    english = as_admin.get("/admin/jobs", headers={"Accept-Language": "en"}).get_data(as_text=True)
    for text in ("Jobs", "Queues", "Workers", "Runs in progress", "Failed jobs", "Scheduled syncs",
                 "Runs in the last 24 hours", "Requeue", "Retry all failed", "Pause auto refresh"):
        assert text in english
    as_admin.post("/locale/ru")
    russian = as_admin.get("/admin/jobs").get_data(as_text=True)
    for text in ("Задания", "Очереди", "Исполнители", "Текущие запуски", "Задания с ошибкой",
                 "Синхронизации по расписанию", "Запуски за последние 24 часа", "В очередь снова",
                 "Повторить все с ошибкой", "Приостановить автообновление", "Контакты"):
        assert text in russian, text
    for text in ("Runs in progress", "Requeue", "Pause auto refresh", "No worker is running"):
        assert text not in russian, text


def test_page_runs_no_inline_script(as_admin, failed_sync):
    response = as_admin.get("/admin/jobs")
    src = script_src(response.headers["Content-Security-Policy"])
    assert "'unsafe-inline'" not in src
    found = scan(response.get_data(as_text=True))
    assert not found.inline_scripts and not found.handlers and not found.js_urls
    assert '<script src="/static/monitor.js">' in response.get_data(as_text=True)
    assert as_admin.get("/static/monitor.js").status_code == 200


def test_the_refresh_interval_can_be_chosen_within_bounds(as_admin):
    def interval(query):
        html = as_admin.get("/admin/jobs" + query).get_data(as_text=True)
        return int(re.search(r'data-refresh-ms="(\d+)"', html).group(1))

    assert interval("") == 10000
    assert interval("?refresh=3") == 3000
    assert interval("?refresh=0") == 2000 and interval("?refresh=99999") == 300000
    assert interval("?refresh=abc") == 10000


def test_queue_names_follow_the_configured_worker_queues(app, as_admin):
    app.config["RQ_QUEUES"] = ["sync", "default", "sync-bulk"]
    Queue("sync-bulk", connection=get_redis()).enqueue("tests.monitor.jobs.noop")
    data = as_admin.get("/admin/jobs.json").get_json()
    assert {q["name"]: q["depth"] for q in data["queues"]} == {"sync": 0, "default": 0, "sync-bulk": 1}


def test_a_second_crashed_sync_of_another_object_is_listed_too(as_admin, account, failed_sync):
    queue_crashing_sync(account, "activities")
    from tests.monitor.conftest import work

    work()
    data = as_admin.get("/admin/jobs.json").get_json()
    assert sorted(j["id"] for j in data["failed_jobs"]) == sorted(
        [job_id_for(account.id, "activities"), job_id_for(account.id, "contacts")])
    assert data["failed_total"] == 2


def test_bulk_slots_used_are_shown_against_the_limit(app, as_admin):
    """Issue #18: long runs went one at a time and nothing on the page said why; the limit follows the live
    workers (SYNC_BULK_SLOTS=0), so it moves with their heartbeats."""
    from wizard.jobs.fairness import release_slot, take_slot

    connection = get_redis()
    for name in ("host.1", "host.2", "host.3"):
        connection.set(heartbeat_key(name), repr(time.time()), ex=60)
    assert take_slot(connection, "syncwizard-sync-1-contacts", 2)
    html = as_admin.get("/admin/jobs").get_data(as_text=True)
    card = re.search(r'data-summary="bulk".*?data-value>([^<]*)<', html, re.S).group(1)
    assert card == "1 / 2"
    assert as_admin.get("/admin/jobs.json").get_json()["bulk_slots"] == {
        "used": 1, "limit": 2, "jobs": ["syncwizard-sync-1-contacts"]}
    release_slot(connection, "syncwizard-sync-1-contacts")
    connection.delete(heartbeat_key("host.3"))
    html = as_admin.get("/admin/jobs").get_data(as_text=True)
    assert re.search(r'data-summary="bulk".*?data-value>([^<]*)<', html, re.S).group(1) == "0 / 1"
