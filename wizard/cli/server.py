"""Commands that run the product: `run` (everything, supervised) and `worker` (the production RQ worker)."""
import os

import click
from flask import current_app
from flask.cli import AppGroup

from wizard import create_app
from wizard.cli.run import run
from wizard.jobs.worker import run_worker

# Commands are declared at module level on a group of their own; register() adds them to `syncwizard`.
commands = AppGroup("server")


@commands.command("run", with_appcontext=False)
@click.option("--host", default="127.0.0.1", show_default=True, help="Address the web server listens on.")
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--demo", is_flag=True, help="Use the offline Google emulator and demo data.")
def run_command(host, port, demo):
    """Migrate the database and start Redis (if needed), the web server, the worker (and the emulator)."""
    if demo:
        # Before the app is built: the demo configuration points Google's URLs at the emulator.
        os.environ["SYNCWIZARD_CONFIG"] = "demo"

    raise SystemExit(run(create_app(), host, port, demo, echo=lambda m: click.echo(m, err=False)))


@commands.command("worker")
@click.option("--burst", is_flag=True, help="Work until the queues are empty, then exit.")
@click.option("--no-scheduler", is_flag=True, help="Do not run RQ's scheduler in this worker.")
@click.argument("queues", nargs=-1)
def worker_command(burst, no_scheduler, queues):
    """The RQ worker with its scheduler; each job runs in the app context."""
    run_worker(current_app._get_current_object(), burst=burst, with_scheduler=not no_scheduler,
               queues=list(queues) or None)


def register(cli):
    for command in commands.commands.values():
        cli.add_command(command)
