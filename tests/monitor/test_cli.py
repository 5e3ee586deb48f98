"""`syncwizard jobs`: the jobs page for operators without a browser."""
from click.testing import CliRunner
from flask.cli import ScriptInfo
from rq import Queue

from tests.monitor.conftest import queue_crashing_sync, work
from wizard.extensions import db
from wizard.models.sync import RunStatus, SyncRun
from wizard.jobs.queue import BULK_QUEUE_NAME, SYNC_QUEUE_NAMES, enqueue_sync, job_id_for
from wizard.redis import get_redis


def invoke(app, *args, input=None):
    from wizard.cli import cli

    return CliRunner().invoke(cli, ["jobs", *args], input=input, obj=ScriptInfo(create_app=lambda: app))


def test_list_shows_queues_workers_and_runs(app, account):
    run_id = enqueue_sync(account.id, "contacts")
    result = invoke(app, "list")
    assert result.exit_code == 0, result.output
    assert "sync         waiting 0" in result.output
    assert "sync-bulk    waiting 1" in result.output  # a first sync
    assert "Workers (0 alive of 0)" in result.output
    assert f"run {run_id} owner@gmail.com contacts queued" in result.output
    assert "Accounts needing reconnect: 0" in result.output


def test_failed_requeue_and_clear(app, account, failed_sync):
    assert "RuntimeError: Google refused" in invoke(app, "failed").output
    result = invoke(app, "requeue-failed")
    assert result.exit_code == 0 and "1 failed job(s) queued again." in result.output
    assert invoke(app, "failed").output.strip() == "No failed jobs."
    db.session.expire_all()
    active = SyncRun.query.filter(SyncRun.status.in_(RunStatus.ACTIVE)).all()
    assert len(active) == 1 and active[0].id != failed_sync.id
    assert Queue(BULK_QUEUE_NAME, connection=get_redis()).count == 1  # never synced yet: a long run

    # A named job that is not failed: reported, exit status 1.
    result = invoke(app, "requeue-failed", job_id_for(account.id, "contacts"))
    assert result.exit_code == 1 and "not a failed job" in result.output

    # Make the queued run's job crash again, then clear it.
    for name in SYNC_QUEUE_NAMES:
        Queue(name, connection=get_redis()).empty()
    queue_crashing_sync(account, "activities")
    work()
    assert invoke(app, "clear-failed", input="n\n").exit_code == 1  # asked, declined
    result = invoke(app, "clear-failed", "--yes")
    assert result.exit_code == 0 and "1 failed job(s) deleted." in result.output
    assert invoke(app, "failed").output.strip() == "No failed jobs."


def test_requeue_a_named_job(app, account, failed_sync):
    result = invoke(app, "requeue-failed", failed_sync.job_id)
    assert result.exit_code == 0 and f"{failed_sync.job_id}: queued again" in result.output
