"""/metrics: Prometheus text for a monitoring system holding METRICS_TOKEN; absent without the setting."""
import re

import pytest

from tests.monitor.conftest import queue_crashing_sync, work
from wizard.extensions import db
from wizard.models.accounts import NEEDS_RECONNECT
from wizard.models.sync import RunStatus, SyncRun, utcnow
from wizard.jobs.queue import enqueue_sync
from wizard.redis import get_redis
from wizard.jobs.worker import make_worker

TOKEN = "metrics-token-for-tests-0123456789"


@pytest.fixture
def scraping(app):
    app.config["METRICS_TOKEN"] = TOKEN
    return {"Authorization": f"Bearer {TOKEN}"}


def samples(text):
    return {m.group(1): float(m.group(2)) for m in re.finditer(r"^([a-z_0-9]+(?:\{[^}]*\})?) (\S+)$", text, re.M)}


def test_absent_without_a_token_setting(app, client, as_admin):
    app.config["METRICS_TOKEN"] = None
    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", headers={"Authorization": "Bearer anything"}).status_code == 404


def test_the_token_is_required(client, scraping):
    assert client.get("/metrics").status_code == 401
    for header in ("Bearer wrong", f"Basic {TOKEN}", TOKEN, f"Bearer {TOKEN}x", "Bearer "):
        response = client.get("/metrics", headers={"Authorization": header})
        assert response.status_code == 401, header
        assert "syncwizard_" not in response.get_data(as_text=True)
    assert client.get("/metrics", headers=scraping).status_code == 200


def test_an_admin_session_is_not_enough(as_admin, scraping):
    assert as_admin.get("/metrics").status_code == 401


def test_figures(app, client, scraping, account, make_account):
    make_account("broken@gmail.com", status=NEEDS_RECONNECT)
    queue_crashing_sync(account, "contacts")
    work()
    enqueue_sync(account.id, "activities")
    db.session.add_all([SyncRun(account_id=account.id, object="contacts", status=s, finished_at=utcnow())
                        for s in (RunStatus.SUCCEEDED, RunStatus.SUCCEEDED, RunStatus.FAILED)])
    db.session.commit()
    worker = make_worker(app)
    worker.register_birth()
    try:
        worker.heartbeat()
        response = client.get("/metrics", headers=scraping)
    finally:
        worker.register_death()
    assert response.mimetype == "text/plain"
    text = response.get_data(as_text=True)
    got = samples(text)
    assert got['syncwizard_queue_depth{queue="sync-bulk"}'] == 1  # a first sync
    assert got['syncwizard_queue_depth{queue="sync"}'] == 0
    assert got['syncwizard_queue_depth{queue="default"}'] == 0
    assert 0 <= got['syncwizard_queue_oldest_job_age_seconds{queue="sync-bulk"}'] < 60
    assert got['syncwizard_jobs_failed{queue="sync"}'] == 1
    assert got["syncwizard_workers"] == 1 and got["syncwizard_workers_alive"] == 1
    assert got['syncwizard_runs_last_24h{outcome="succeeded"}'] == 2
    assert got['syncwizard_runs_last_24h{outcome="failed"}'] == 1
    assert got['syncwizard_runs_last_24h{outcome="needs_reconnect"}'] == 0
    assert got["syncwizard_accounts_needing_reconnect"] == 1
    for name in ("syncwizard_queue_depth", "syncwizard_jobs_failed", "syncwizard_workers_alive",
                 "syncwizard_runs_last_24h", "syncwizard_accounts_needing_reconnect",
                 "syncwizard_queue_oldest_job_age_seconds"):
        assert f"# TYPE {name} gauge" in text and f"# HELP {name} " in text
    # Reading the figures changed nothing in Redis.
    assert get_redis().llen("rq:queue:sync-bulk") == 1
