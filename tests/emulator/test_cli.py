"""`syncwizard emulator` and `python -m wizard.emulator` serve over HTTP and keep the state file on SIGTERM."""
import json
import os
import signal
import socket
import subprocess
import sys
import time

import requests


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait(url, process, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, process.stdout.read()
        try:
            return requests.get(url, timeout=1)
        except requests.ConnectionError:
            time.sleep(0.1)
    raise AssertionError("emulator did not start")


def run(command, tmp_path, state=None, env=None):
    port = free_port()
    args = [sys.executable, *command, "--port", str(port)]
    if state is None:
        state = tmp_path / "state.json"
        args += ["--state-file", str(state)]
    process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               env={**os.environ, **(env or {})})
    try:
        base = f"http://127.0.0.1:{port}"
        config = wait(base + "/.well-known/openid-configuration", process).json()
        assert config["token_endpoint"] == base + "/token"
        requests.post(base + "/_emulator/users", json={"email": "cli@example.com", "name": "CLI"}, timeout=5)
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=10)
    assert process.returncode == 0
    assert "cli@example.com" in json.loads(state.read_text())["users"]


def test_syncwizard_emulator_command(tmp_path):
    run(["-c", "from wizard.cli import main; main()", "emulator"], tmp_path)


def test_python_m_wizard_emulator(tmp_path):
    run(["-m", "wizard.emulator"], tmp_path)


def test_demo_mode_keeps_state_in_the_instance_folder(tmp_path):
    instance = tmp_path / "instance"
    run(["-c", "from wizard.cli import main; main()", "emulator"], tmp_path, state=instance / "emulator-state.json",
        env={"SYNCWIZARD_CONFIG": "demo", "SYNCWIZARD_INSTANCE": str(instance)})
