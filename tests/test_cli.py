"""The `syncwizard` commands: users, the database, and `run` supervising the whole product."""
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests
from click.testing import CliRunner
from flask.cli import ScriptInfo

from config import PROJECT_ROOT
from wizard.cli import cli
from wizard.extensions import db
from wizard.models import User
from wizard.redis import free_port
from wizard.cli.run import prepare_database

FIRST_ADMIN_LINK = r"(http://127\.0\.0\.1:\d+/setup/first-admin/[\w-]+)\n"


def invoke(app, args, input=None):
    return CliRunner().invoke(cli, args, input=input, obj=ScriptInfo(create_app=lambda: app))


def test_user_create_reads_the_password_from_stdin(app):
    result = invoke(app, ["user", "create", "--admin", "Boss@Example.com"], input="a long password\n")
    assert result.exit_code == 0, result.output
    user = db.session.scalar(db.select(User).where(User.email == "boss@example.com"))
    assert user.is_admin and user.check_password("a long password")
    assert "a long password" not in result.output


def test_user_create_plain_user_and_refusals(app):
    assert invoke(app, ["user", "create", "ann@example.com"], input="a long password\n").exit_code == 0
    assert db.session.scalar(db.select(User.role).where(User.email == "ann@example.com")) == "user"
    duplicate = invoke(app, ["user", "create", "ann@example.com"], input="a long password\n")
    assert duplicate.exit_code != 0 and "already exists" in duplicate.output
    short = invoke(app, ["user", "create", "bob@example.com"], input="short\n")
    assert short.exit_code != 0
    # There is no option that would put a password on the command line.
    assert invoke(app, ["user", "create", "--password", "x", "c@example.com"]).exit_code != 0


def test_prepare_database_builds_the_schema(tmp_path, redis_server):
    from sqlalchemy import inspect

    from config import TestingConfig
    from wizard import create_app

    app = create_app(TestingConfig, INSTANCE_PATH=str(tmp_path), REDIS_URL=redis_server.url,
                     SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/fresh.db")
    prepare_database(app)
    prepare_database(app)  # a later start finds the schema in place
    with app.app_context():
        assert "users" in inspect(db.engine).get_table_names()


def test_db_command_is_available():
    result = CliRunner().invoke(cli, ["db", "--help"])
    assert result.exit_code == 0 and "upgrade" in result.output


# --- `syncwizard run` ------------------------------------------------------------------------------------

def descendants(pid):
    """Every process below `pid` (read from /proc), to check that stopping leaves none behind."""
    children = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat")
    return stat.exists() and stat.read_text().rsplit(")", 1)[1].split()[0] != "Z"


class RunningProduct:
    def __init__(self, instance, port, *args):
        env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "SYNCWIZARD_CONFIG", "DATABASE_URL")}
        env.update(SYNCWIZARD_INSTANCE=str(instance), EMULATOR_PORT=str(free_port()))
        self.port = port
        self.started = time.monotonic()
        self.process = subprocess.Popen(
            [sys.executable, "-c", "from wizard.cli import main; main()", "run", "--port", str(port), *args],
            env=env, cwd=PROJECT_ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.lines = []
        self.reader = threading.Thread(target=lambda: self.lines.extend(self.process.stdout), daemon=True)
        self.reader.start()

    @property
    def output(self):
        return "".join(self.lines)

    def wait_for_line(self, pattern, timeout=60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for line in list(self.lines):
                match = re.search(pattern, line)
                if match:
                    return match
            assert self.process.poll() is None, self.output
            time.sleep(0.05)
        raise AssertionError(f"no line matching {pattern!r}:\n{self.output}")

    def wait_ready(self, timeout=60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.output
            try:
                response = requests.get(f"http://127.0.0.1:{self.port}/readyz", timeout=2)
                if response.status_code == 200:
                    return time.monotonic() - self.started, response.json()
            except requests.ConnectionError:
                pass
            time.sleep(0.2)
        raise AssertionError("not ready in time:\n" + self.output)

    def stop(self, signum=signal.SIGINT):
        pids = descendants(self.process.pid)
        self.process.send_signal(signum)
        self.process.wait(timeout=60)
        self.reader.join(timeout=10)
        return pids, self.output


def test_run_serves_the_product_and_leaves_nothing_behind(tmp_path):
    instance = tmp_path / "instance"
    port = free_port()
    product = RunningProduct(instance, port, "--demo", "--emulator-port", "0")  # 0: a free port, printed
    try:
        first_start, body = product.wait_ready()
        assert body["checks"]["worker"]["status"] == "ok"
        emulator_url = product.wait_for_line(r"Google emulator \(offline Google\): (http://127\.0\.0\.1:(\d+)/)")
        assert int(emulator_url.group(2)) not in (0, port)
        assert requests.get(emulator_url.group(1), timeout=5).status_code == 200
        assert (instance / "redis.url").exists()
        children = descendants(product.process.pid)
        assert len(children) >= 3  # redis, web, worker (+ its scheduler)
    finally:
        pids, output = product.stop(signal.SIGINT)
    assert product.process.returncode == 0, output
    time.sleep(0.5)
    assert [pid for pid in pids if alive(pid)] == [], output
    assert not (instance / "redis.url").exists()

    # The first start printed the one-time link for the first administrator.
    match = re.search(FIRST_ADMIN_LINK, output)
    assert match, output

    # A later start serves the first-administrator page fast (the link works until an administrator exists).
    product = RunningProduct(instance, port, "--demo", "--emulator-port", "0")
    try:
        link = product.wait_for_line(FIRST_ADMIN_LINK)
        page = requests.get(link.group(1), timeout=5)
        later_start = time.monotonic() - product.started
        assert page.status_code == 200 and "first-admin-form" in page.text
        product.wait_ready()
    finally:
        pids, output = product.stop(signal.SIGTERM)
    assert product.process.returncode == 0
    time.sleep(0.5)
    assert [pid for pid in pids if alive(pid)] == []
    # Start-up time is a figure for benchmarks/startup.py, not an assertion here (CI load varies).
    print(f"first start {first_start:.1f}s, later start {later_start:.1f}s")



def test_run_refuses_a_busy_port_and_starts_nothing(tmp_path):
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        product = RunningProduct(tmp_path / "instance", port)
        product.process.wait(timeout=60)
        product.reader.join(timeout=10)
        output = product.output
    assert product.process.returncode == 1
    assert f"port {port} is already in use" in output
    assert not (tmp_path / "instance" / "redis.url").exists()


def test_run_refuses_a_busy_emulator_port_before_printing_anything(tmp_path):
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        taken = busy.getsockname()[1]
        product = RunningProduct(tmp_path / "instance", free_port(), "--demo", "--emulator-port", str(taken))
        product.process.wait(timeout=60)
        product.reader.join(timeout=10)
        output = product.output
    assert product.process.returncode == 1
    # One clear line: no "running", no one-time administrator link, nothing started.
    assert output.strip().splitlines() == [
        f"syncwizard run: port {taken} (the Google emulator) is already in use: choose another with "
        "--emulator-port (0 takes a free one)"]
    assert not (tmp_path / "instance" / "redis.url").exists()


def test_children_stop_when_the_supervisor_is_killed(tmp_path):
    product = RunningProduct(tmp_path / "instance", free_port())
    try:
        product.wait_ready()
        pids = descendants(product.process.pid)
    finally:
        product.process.kill()
        product.process.wait(timeout=30)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and any(alive(pid) for pid in pids):
        time.sleep(0.2)
    assert [pid for pid in pids if alive(pid)] == []
