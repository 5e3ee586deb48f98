"""`syncwizard run`: the whole product on one machine, supervised.

The supervisor prepares the database, starts an embedded redis-server when REDIS_URL is unset, then starts the
web server (waitress), the RQ worker with its scheduler and, in demo mode, the Google emulator, each as a
child process in its own process group. Ctrl-C or SIGTERM stops every group (and their forks: the RQ
scheduler, work horses) and then Redis, so nothing is left behind. If one child dies, everything stops: a
half-running product would only hide the failure.
"""
import importlib.util
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from flask_migrate import upgrade

from wizard.auth import first_admin
from wizard.cli import cli, demo
from wizard.extensions import db
from wizard.redis import EmbeddedRedis, url_file
from wizard.settings.installation import ensure_identity

STOP_GRACE = 8      # seconds for a warm shutdown (a running job may finish)
KILL_GRACE = 4      # seconds after the second signal, then SIGKILL
LISTEN_TIMEOUT = 60


def prepare_database(app):
    """Alembic migrations when the project has them, else the tables straight from the models; then the
    installation's identity (created, or adopted from an older version's, on the first start)."""
    versions = Path(app.extensions["migrate"].directory) / "versions"
    with app.app_context():
        if versions.is_dir() and any(versions.glob("*.py")):
            upgrade()
        else:
            db.create_all()
        ensure_identity()


class SupervisedRedis(EmbeddedRedis):
    """The embedded Redis in its own session, so the terminal's Ctrl-C reaches the supervisor only and
    Redis outlives the worker's warm shutdown; the supervisor stops it last."""
    def popen_options(self):
        return {"start_new_session": True, "preexec_fn": die_with_parent}


def die_with_parent():
    """Linux: the child gets SIGTERM if the supervisor itself is killed (kill -9), so nothing is orphaned."""
    try:
        import ctypes  # Linux only, and only in the supervisor's children

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def python_command(*args):
    """A `syncwizard` command in a fresh interpreter of this same environment."""
    return [sys.executable, "-c", "from wizard.cli import main; main()", *args]


def wait_listening(host, port, timeout, process=None) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            return False
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return True
        except OSError:
            time.sleep(0.1)
    return False


def display_host(host):
    return "127.0.0.1" if host in ("0.0.0.0", "::", "") else host


def port_taken(host, port) -> bool:
    """Binding tells what a connection attempt misses (a port bound but not yet listening). SO_REUSEADDR as the
    servers set it: a port left in TIME_WAIT by the last run is free for them, a listening one is not (Linux)."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return True
    return False


def free_port(host) -> int:
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


class Ports:
    """The web's and the emulator's ports, checked before anything starts; 0 asks for a free one."""

    def __init__(self, host, web, emulator_host, emulator):
        self.host, self.web, self.emulator_host, self.emulator = host, web, emulator_host, emulator
        self.refusal = None

    @classmethod
    def chosen(cls, host, web, demo, emulator=None):
        emulator_host = os.environ.get("EMULATOR_HOST", "127.0.0.1")
        if emulator is None:
            emulator = int(os.environ.get("EMULATOR_PORT") or 8765)
        ports = cls(host, web or free_port(host), emulator_host, (emulator or free_port(emulator_host)) if demo else None)
        ports.refusal = ports._check(web, emulator)
        return ports

    def _check(self, web, emulator):
        if port_taken(self.host, self.web):
            return f"port {self.web} is already in use: choose another with --port (0 takes a free one)"
        if self.emulator == self.web:
            return f"the web server and the Google emulator cannot both use port {self.web}"
        if self.emulator is not None and port_taken(self.emulator_host, self.emulator):
            return (f"port {self.emulator} (the Google emulator) is already in use: choose another with "
                    "--emulator-port (0 takes a free one)")
        return None

    def emulator_environment(self) -> dict:
        if self.emulator is None:
            return {}
        base = f"http://{self.emulator_host}:{self.emulator}"
        return {"EMULATOR_PORT": str(self.emulator), "GOOGLE_BASE_URL": os.environ.get("GOOGLE_BASE_URL", base)}

    def apply(self, app):
        """The supervisor's own app was configured at import time, before the ports were known."""
        from config import google_endpoints

        environment = self.emulator_environment()
        if environment:
            app.config["EMULATOR_PORT"] = self.emulator
            app.config.update(google_endpoints(environment["GOOGLE_BASE_URL"]))


class Supervisor:
    def __init__(self, app, host="127.0.0.1", port=5000, demo=False, echo=print):
        self.app = app
        self.host, self.port, self.demo = host, port, demo
        self.echo = echo
        self.redis = None
        self.children: dict[str, subprocess.Popen] = {}
        self.stopping = False

    @property
    def base_url(self):
        public = self.app.config.get("PUBLIC_URL")
        return public.rstrip("/") if public else f"http://{display_host(self.host)}:{self.port}"

    # --- start -------------------------------------------------------------------------------------
    def start(self):
        if wait_listening(display_host(self.host), self.port, 0.2):  # `syncwizard run` checked it; others call too
            raise RuntimeError(f"port {self.port} is already in use: choose another with --port")
        if not self.app.config.get("REDIS_URL"):
            self.redis = SupervisedRedis(Path(self.app.instance_path) / "redis")
            self.app.config["REDIS_URL"] = self.app.config["RATELIMIT_STORAGE_URI"] = self.redis.url
        env = self._child_env()
        # The web server imports the app (the slowest part of a start) while Redis and the database get ready;
        # it touches neither before the first request, and the address is printed only when both are ready.
        self._spawn("web", [sys.executable, "-m", "waitress", "--host", self.host, "--port", str(self.port),
                            "--threads", "8", "--call", "wizard:create_app"], env)
        if self.redis:
            self.redis.start()
            url_file(self.app).write_text(self.redis.url + "\n")
        prepare_database(self.app)
        emulator_port = int(self.app.config["EMULATOR_PORT"])
        if self.demo and self._has_command("emulator"):
            # `python -m wizard.emulator` skips the product's CLI imports: the demo is ready sooner.
            state_file = str(Path(self.app.instance_path) / "emulator-state.json")
            self._spawn("emulator", [sys.executable, "-m", "wizard.emulator", "--host",
                                     self.app.config["EMULATOR_HOST"], "--port", str(emulator_port),
                                     "--state-file", state_file], env)
        self._spawn("worker", python_command("worker"), env)
        if "emulator" in self.children and not wait_listening(
                self.app.config["EMULATOR_HOST"], emulator_port, LISTEN_TIMEOUT, self.children["emulator"]):
            raise RuntimeError("the Google emulator did not start")
        if self.demo:
            self._seed_demo()  # the demo seed may need the emulator answering
        if not wait_listening(display_host(self.host), self.port, LISTEN_TIMEOUT, self.children["web"]):
            raise RuntimeError("the web server did not start")
        self._announce()

    def _child_env(self):
        env = dict(os.environ, PYTHONUNBUFFERED="1", SYNCWIZARD_INSTANCE=self.app.instance_path,
                   REDIS_URL=self.app.config["REDIS_URL"])
        if self.demo:
            env["SYNCWIZARD_CONFIG"] = "demo"
        return env

    def _spawn(self, name, command, env):
        # process_group=0: the child leads its own group, so stopping it reaches its forks too.
        self.children[name] = subprocess.Popen(command, env=env, process_group=0, preexec_fn=die_with_parent)

    @staticmethod
    def _has_command(name):
        return name in cli.commands

    def _seed_demo(self):
        if importlib.util.find_spec("wizard.cli.demo") is None:
            return

        with self.app.app_context():
            demo.seed(self.app)

    def _announce(self):
        self.echo(f"google-sync-wizard is running: open {self.base_url}/")
        if self.demo:
            self._announce_demo()
        with self.app.app_context():
            if not first_admin.admin_exists():
                token = first_admin.issue_token()
                minutes = self.app.config["SETUP_TOKEN_TTL"] // 60
                self.echo("No administrator yet. Create the first one at this one-time address "
                          f"(valid {minutes} min):\n  {self.base_url}/setup/first-admin/{token}")
        self.echo("Press Ctrl-C to stop.")

    def _announce_demo(self):
        if "emulator" in self.children:
            config = self.app.config
            self.echo(f"Google emulator (offline Google): http://{config['EMULATOR_HOST']}:{config['EMULATOR_PORT']}/")
        if importlib.util.find_spec("wizard.cli.demo") is not None:
            users = ", ".join(u["email"] for u in getattr(demo, "USERS", []))
            if users:
                self.echo(f"Demo users: {users} (password: {getattr(demo, 'DEMO_PASSWORD', '?')})")

    # --- run and stop --------------------------------------------------------------------------------
    def wait(self) -> int:
        """Block until a signal or a child's exit; returns the exit status for the command."""
        while not self.stopping:
            for name, process in self.children.items():
                if process.poll() is not None:
                    self.echo(f"{name} exited with status {process.returncode}; stopping.")
                    return 1
            time.sleep(0.2)
        return 0

    def request_stop(self, signum=None, frame=None):
        self.stopping = True

    def stop(self):
        # The second SIGTERM is the RQ worker's cold shutdown (it kills a running job's work horse).
        for grace in (STOP_GRACE, KILL_GRACE):
            self._signal_all(signal.SIGTERM)
            if self._wait_children(grace):
                break
        # Sweep each group: a leader's exit does not end its forks (e.g. the RQ scheduler).
        self._signal_all(signal.SIGKILL)
        self._wait_children(KILL_GRACE)
        if self.redis:
            self.redis.stop()
            url_file(self.app).unlink(missing_ok=True)

    def _signal_all(self, signum):
        for process in self.children.values():
            try:
                os.killpg(process.pid, signum)
            except (ProcessLookupError, PermissionError):
                pass

    def _wait_children(self, timeout) -> bool:
        deadline = time.monotonic() + timeout
        for process in self.children.values():
            try:
                process.wait(timeout=max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                return False
        return True


def run(app, host, port, demo, echo=print) -> int:
    supervisor = Supervisor(app, host, port, demo, echo)
    previous = {s: signal.signal(s, supervisor.request_stop) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        supervisor.start()
        return supervisor.wait()
    except RuntimeError as error:
        echo(f"syncwizard run: {error}")
        return 1
    finally:
        # Further Ctrl-C while stopping must not abandon the children half-stopped.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        supervisor.stop()
        for s, handler in previous.items():
            signal.signal(s, handler)
