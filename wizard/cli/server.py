"""Commands that run the product: `run` (everything, supervised) and `worker` (the production RQ worker)."""
import os

import click
from flask import current_app
from flask.cli import AppGroup

from wizard import create_app
from wizard.cli.run import Ports, run
from wizard.jobs.worker import run_worker
from wizard.settings.values import refused_seeds

# Commands are declared at module level on a group of their own; register() adds them to `syncwizard`.
commands = AppGroup("server")


@commands.command("run", with_appcontext=False)
@click.option("--host", default="127.0.0.1", show_default=True, help="Address the web server listens on.")
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--demo", is_flag=True, help="Use the offline Google emulator and demo data.")
@click.option("--emulator-port", type=click.IntRange(0, 65535), default=None,
              help="Port of the Google emulator in demo mode (default: EMULATOR_PORT, else 8765; 0: a free one).")
def run_command(host, port, demo, emulator_port):
    """Migrate the database and start Redis (if needed), the web server, the worker (and the emulator).
    A --port or --emulator-port of 0 takes a free port and prints it."""
    echo = lambda m: click.echo(m, err=False)  # noqa: E731
    ports = Ports.chosen(host, port, demo, emulator_port)
    if ports.refusal:  # before anything else is printed or started
        echo(f"syncwizard run: {ports.refusal}")
        raise SystemExit(1)
    if demo:
        # Before the app is built: the demo configuration points Google's URLs at the emulator, and the
        # children (web, worker) read the emulator's port from their environment.
        os.environ.update(SYNCWIZARD_CONFIG="demo", **ports.emulator_environment())
    app = create_app()
    ports.apply(app)
    raise SystemExit(run(app, host, ports.web, demo, echo=echo))


@commands.command("worker")
@click.option("--burst", is_flag=True, help="Work until the queues are empty, then exit.")
@click.option("--no-scheduler", is_flag=True, help="Do not run RQ's scheduler in this worker.")
@click.argument("queues", nargs=-1)
def worker_command(burst, no_scheduler, queues):
    """The RQ worker with its scheduler; each job runs in the app context."""
    for refused in refused_seeds():  # the worker is where these settings act (`run` starts one: said once)
        click.echo(f"Warning: {refused}", err=True)
    run_worker(current_app._get_current_object(), burst=burst, with_scheduler=not no_scheduler,
               queues=list(queues) or None)


def register(cli):
    for command in commands.commands.values():
        cli.add_command(command)
