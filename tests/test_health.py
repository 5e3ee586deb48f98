"""/healthz and /readyz, with a real RQ worker process beating into a real Redis."""
import os
import signal
import subprocess
import sys
import time

import pytest
import redis as redis_lib
from flask import current_app
from rq import Queue

from config import PROJECT_ROOT
from wizard.jobs.heartbeat import HEARTBEAT_PREFIX, last_heartbeat


def job_in_app_context():
    """Runs inside the worker's work horse: needs the app context and a working database session."""
    from sqlalchemy import text

    from wizard.extensions import db

    return current_app.config["ENV_NAME"], db.session.execute(text("SELECT 41 + 1")).scalar()


def test_healthz(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.get_json() == {"status": "ok"}


def test_readyz_without_worker_is_503(client):
    response = client.get("/readyz")
    body = response.get_json()
    assert response.status_code == 503
    assert body["checks"]["database"]["status"] == "ok"
    assert body["checks"]["redis"]["status"] == "ok"
    assert body["checks"]["worker"]["status"] == "fail"


def test_readyz_reports_a_dead_redis(app, client, redis_server):
    app.config["REDIS_URL"] = "redis://127.0.0.1:1/0"
    app.extensions.pop("redis", None)
    body = client.get("/readyz").get_json()
    assert body["checks"]["redis"]["status"] == "fail" and body["status"] == "fail"
    app.config["REDIS_URL"] = redis_server.url
    app.extensions.pop("redis", None)


def test_readyz_reports_a_stale_heartbeat(app, client):
    from wizard.redis import get_redis

    get_redis().set(HEARTBEAT_PREFIX + "old", repr(time.time() - 1000), ex=60)
    body = client.get("/readyz").get_json()
    assert body["checks"]["worker"]["status"] == "fail"


def test_last_heartbeat(redis_server):
    redis = redis_lib.Redis.from_url(redis_server.url, db=3)
    redis.flushdb()
    assert last_heartbeat(redis) is None
    redis.set(HEARTBEAT_PREFIX + "a", "100.5", ex=60)
    redis.set(HEARTBEAT_PREFIX + "b", "200.25", ex=60)
    assert last_heartbeat(redis) == 200.25
    redis.flushdb()


def worker_env(tmp_path, redis_server):
    return dict(os.environ, SYNCWIZARD_CONFIG="testing", SYNCWIZARD_INSTANCE=str(tmp_path / "worker-instance"),
                REDIS_URL=redis_server.url, DATABASE_URL_TEST=f"sqlite:///{tmp_path}/worker.db")


def start_worker(tmp_path, redis_server, *args):
    # Its output goes to a file: a pipe nobody reads fills up (64 KB) and blocks a chatty worker, which then
    # cannot even stop.
    log = (tmp_path / "worker.log").open("wb")
    return subprocess.Popen([sys.executable, "-c", "from wizard.cli import main; main()", "worker", *args],
                            env=worker_env(tmp_path, redis_server), process_group=0, cwd=PROJECT_ROOT,
                            stdout=log, stderr=subprocess.STDOUT)


def worker_log(tmp_path) -> str:
    return (tmp_path / "worker.log").read_text(errors="replace")[-4000:]


def test_readyz_ok_with_a_real_worker(app, client, tmp_path, redis_server):
    worker = start_worker(tmp_path, redis_server)
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            response = client.get("/readyz")
            if response.status_code == 200:
                break
            assert worker.poll() is None, worker_log(tmp_path)
            time.sleep(0.2)
        body = response.get_json()
        assert response.status_code == 200, body
        assert body["status"] == "ok"
        assert {name: check["status"] for name, check in body["checks"].items()} == {
            "database": "ok", "redis": "ok", "worker": "ok"}
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
            raise AssertionError("the worker did not stop within 20 s of SIGTERM:\n" + worker_log(tmp_path))
    # A worker that stops removes its heartbeat: /readyz turns 503 at once, not after the TTL.
    assert client.get("/readyz").status_code == 503


def test_worker_runs_jobs_in_the_app_context(tmp_path, redis_server):
    connection = redis_lib.Redis.from_url(redis_server.url)
    job = Queue("default", connection=connection).enqueue("tests.test_health.job_in_app_context")
    worker = start_worker(tmp_path, redis_server, "--burst")
    worker.wait(timeout=60)
    assert worker.returncode == 0, worker_log(tmp_path)
    job.refresh()
    assert job.get_status() == "finished", worker_log(tmp_path)
    assert job.return_value() == ("testing", 42)
