"""Commands: `syncwizard emulator` serves the offline Google emulator (default http://127.0.0.1:8765)."""
from pathlib import Path

import click
from flask.cli import AppGroup

from config import config_from_env
from wizard.emulator import serve

# Commands are declared at module level on a group of their own; register() adds them to `syncwizard`.
commands = AppGroup("emulator")


@commands.command("emulator", with_appcontext=False)
@click.option("--host", default=None, help="Interface to listen on (default EMULATOR_HOST or 127.0.0.1).")
@click.option("--port", default=None, type=int, help="Port (default EMULATOR_PORT or 8765).")
@click.option("--state-file", default=None, type=click.Path(dir_okay=False),
              help="JSON file keeping the emulated state across restarts (default EMULATOR_STATE_FILE; "
                   "in demo mode <instance>/emulator-state.json).")
def emulator_command(host, port, state_file):
    """Serve the Google emulator: OAuth, People API and Calendar API on one host."""
    config = config_from_env()
    host = host or config.EMULATOR_HOST
    port = port or config.EMULATOR_PORT
    state_file = state_file or config.EMULATOR_STATE_FILE
    if not state_file and config.DEMO:
        # `syncwizard run --demo` keeps what was "done in Google" across restarts, next to its database.
        state_file = str(Path(config.INSTANCE_PATH) / "emulator-state.json")
    click.echo(f"Google emulator on http://{host}:{port}/ (console at /, data at /_emulator/ui)")
    serve(host, port, state_file)


def register(cli):
    for command in commands.commands.values():
        cli.add_command(command)
