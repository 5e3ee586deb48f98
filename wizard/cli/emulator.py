"""Commands: `syncwizard emulator` serves the offline Google emulator (default http://127.0.0.1:8765)."""
import click


def register(cli):
    @cli.command("emulator", with_appcontext=False)
    @click.option("--host", default=None, help="Interface to listen on (default EMULATOR_HOST or 127.0.0.1).")
    @click.option("--port", default=None, type=int, help="Port (default EMULATOR_PORT or 8765).")
    @click.option("--state-file", default=None, type=click.Path(dir_okay=False),
                  help="JSON file keeping the emulated state across restarts (default EMULATOR_STATE_FILE).")
    def emulator_command(host, port, state_file):
        """Serve the Google emulator: OAuth, People API and Calendar API on one host."""
        from config import Config
        from wizard.emulator import serve

        host = host or Config.EMULATOR_HOST
        port = port or Config.EMULATOR_PORT
        state_file = state_file or Config.EMULATOR_STATE_FILE
        click.echo(f"Google emulator on http://{host}:{port}/ (console at /, data at /_emulator/ui)")
        serve(host, port, state_file)
