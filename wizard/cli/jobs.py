"""`syncwizard jobs list|failed|requeue-failed|clear-failed`: the jobs page for operators without a browser."""
import json

import click
from flask.cli import AppGroup

from wizard.monitor import actions, snapshot
from wizard.monitor.actions import JobGone
from wizard.monitor.queues import failed_jobs
from wizard.redis import get_redis


def _format_age(seconds) -> str:
    if seconds is None:
        return "-"
    if seconds < 90:
        return f"{seconds:.0f}s"
    if seconds < 5400:
        return f"{seconds / 60:.0f}min"
    return f"{seconds / 3600:.1f}h"


def _print_snapshot(s):
    click.echo("Queues:")
    for q in s.queues:
        click.echo(f"  {q.name:<12} waiting {q.depth:<6} oldest {_format_age(q.oldest_age):<8} running {q.started:<4} "
                   f"scheduled {q.scheduled:<4} failed {q.failed}")
    click.echo(f"Workers ({s.workers_alive} alive of {len(s.workers)}):")
    for w in s.workers:
        beat = "silent" if w.silent else f"beat {_format_age(w.heartbeat_age)} ago"
        click.echo(f"  {w.name} host {w.host} pid {w.pid} {w.state}"
                   f" {beat}; job: {w.current_job or '-'}")
    click.echo(f"Runs queued or running ({len(s.active_runs)}):")
    for r in s.active_runs:
        progress = f"{r.done}/{r.total}" if r.total else "-"
        click.echo(f"  run {r.run_id} {r.account_email or r.account_id} {r.object} {r.status} {progress} "
                   f"for {_format_age(r.duration_seconds)}")
    totals = ", ".join(f"{status} {n}" for status, n in s.outcome_totals.items())
    click.echo(f"Runs in the last 24 h: {totals}")
    click.echo(f"Accounts needing reconnect: {s.needs_reconnect}")


def _print_failed(jobs):
    if not jobs:
        click.echo("No failed jobs.")
    for j in jobs:
        when = j.failed_at.isoformat(timespec="seconds") if j.failed_at else "-"
        click.echo(f"{j.id}  [{j.queue}] {when}  {j.description}\n    {j.exception or '-'}")

# Commands are declared at module level on a group of their own; register() adds them to `syncwizard`.
commands = AppGroup("jobs")


@commands.group("jobs")
def jobs():
    """Queues, workers and failed jobs (what /admin/jobs shows)."""


@jobs.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print the same JSON as /admin/jobs.json.")
def list_command(as_json):
    """Queues, workers, runs in progress and the last day's outcomes."""
    s = snapshot.take()
    if as_json:
        click.echo(json.dumps(s.to_json(), indent=2, sort_keys=True))
    else:
        _print_snapshot(s)

@jobs.command("failed")
def failed_command():
    """Failed jobs: id, queue, when, description and the error's last line (secrets masked)."""
    _print_failed(failed_jobs(get_redis()))

@jobs.command("requeue-failed")
@click.argument("job_ids", nargs=-1)
def requeue_command(job_ids):
    """Queue failed jobs again (all of them without JOB_IDS); a sync gets a new run, one per account
    and object."""
    if not job_ids:
        done, gone = actions.requeue_all()
        click.echo(f"{done} failed job(s) queued again." + (f" {gone} were already gone." if gone else ""))
        return
    _each(job_ids, actions.requeue, "queued again")

@jobs.command("clear-failed")
@click.argument("job_ids", nargs=-1)
@click.option("--yes", is_flag=True, help="Do not ask before deleting every failed job.")
def clear_command(job_ids, yes):
    """Delete failed jobs (all of them without JOB_IDS)."""
    if not job_ids:
        if not yes:
            click.confirm("Delete every failed job?", abort=True)
        click.echo(f"{actions.delete_all()} failed job(s) deleted.")
        return
    _each(job_ids, actions.delete, "deleted")


def _each(job_ids, action, done_word):
    missing = []
    for job_id in job_ids:
        try:
            action(job_id)
            click.echo(f"{job_id}: {done_word}")
        except JobGone:
            missing.append(job_id)
            click.echo(f"{job_id}: not a failed job (expired or already handled)", err=True)
    if missing:
        raise SystemExit(1)


def register(cli):
    for command in commands.commands.values():
        cli.add_command(command)
