"""`syncwizard`: the command line, built on Flask's click integration so every command has the app context.

Each module below owns a group of commands and exposes `register(cli)`.
"""
import importlib

import click
from flask.cli import FlaskGroup, routes_command, shell_command

from wizard import create_app

COMMAND_MODULES = (
    "wizard.cli.server",    # run, worker
    "wizard.cli.admin",     # user create, token create
    "wizard.cli.setup",     # check-uri, doctor, settings, rotate-key
    "wizard.cli.emulator",  # emulator
    "wizard.cli.sync",      # sync
    "wizard.cli.api",       # token create
    "wizard.cli.jobs",      # jobs list, failed, requeue-failed, clear-failed
)


def _create_app():
    return create_app()


@click.group(cls=FlaskGroup, create_app=_create_app, add_default_commands=False,
             help="google-sync-wizard: CRM ⇄ Google Contacts and Calendar.")
def cli():
    pass


cli.add_command(shell_command)
cli.add_command(routes_command)
for _name in COMMAND_MODULES:
    importlib.import_module(_name).register(cli)


def main():
    cli(prog_name="syncwizard")
