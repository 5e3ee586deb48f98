"""`syncwizard sync ACCOUNT [--contacts|--activities] [--wait] [--force]`: run or queue a sync from the shell."""
import click
from flask import current_app
from flask.cli import AppGroup

from wizard.extensions import db
from wizard.jobs.entry import run_now
from wizard.jobs.queue import enqueue_sync, live_run, wait_for_run
from wizard.models.accounts import GoogleAccount
from wizard.models.sync import RunStatus


def find_account(ref: str):
    """An account by id or by its Google e-mail (linked ones first)."""
    if ref.isdigit():
        account = db.session.get(GoogleAccount, int(ref))
    else:
        account = db.session.scalars(db.select(GoogleAccount).where(GoogleAccount.email == ref.strip().lower())
                                     .order_by(GoogleAccount.unlinked_at.is_not(None), GoogleAccount.id)).first()
    if account is None:
        raise click.ClickException(f"no linked Google account {ref!r}")
    return account


def describe(run) -> str:
    # Message rendering picks the locale from a request; the shell has none, so it gets the default one.
    with current_app.test_request_context():
        outcome = run.outcome_text()
    counts = run.counts or {}
    google = ", ".join(f"{verb} {n}" for verb, n in sorted((counts.get("google") or {}).items())) or "nothing"
    crm = ", ".join(f"{verb} {n}" for verb, n in sorted((counts.get("crm") or {}).items())) or "nothing"
    return (f"run {run.id} {run.object}: {run.status} — Google: {google}; CRM: {crm}; "
            f"issues {counts.get('issues', 0)}, conflicts {counts.get('conflicts', 0)}; "
            f"{run.api_calls} API requests. {outcome}")

# Commands are declared at module level on a group of their own; register() adds them to `syncwizard`.
commands = AppGroup("sync")


@commands.command("sync")
@click.argument("account")
@click.option("--contacts", "objects", flag_value="contacts", help="Only contacts.")
@click.option("--activities", "objects", flag_value="activities", help="Only activities.")
@click.option("--wait", is_flag=True, help="Run now in this process and print the outcome (else: queue it).")
@click.option("--force", is_flag=True, help="Confirm past the mass-delete guard and the first-sync preview.")
def sync_command(account, objects, wait, force):
    """Sync ACCOUNT (id or Google e-mail): contacts and activities unless one is chosen."""
    account = find_account(account)
    failed = False
    for object in ([objects] if objects else ["contacts", "activities"]):
        if not wait:
            run_id = enqueue_sync(account.id, object, force=force, trigger="cli")
            click.echo(f"queued run {run_id} ({object} of {account.email or account.id})")
            continue
        existing = live_run(account.id, object)
        # No live run: a lock still held is a dead run's lease (wizard.jobs.liveness), waited out, not skipped.
        run = wait_for_run(existing.id) if existing else run_now(account.id, object, force=force,
                                                                  wait_for_lock=True)
        click.echo(describe(run))
        failed |= run.status not in (RunStatus.SUCCEEDED, RunStatus.PARTIAL)
    if failed:
        raise SystemExit(1)


def register(cli):
    for command in commands.commands.values():
        cli.add_command(command)
