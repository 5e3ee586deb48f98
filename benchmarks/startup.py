"""Start-up time of `syncwizard run --demo`: first start on an empty instance folder, then a later start.

Prints seconds until /readyz answers 200 (database, Redis and a worker heartbeat all ok). Target: a later start
under 10 s. Run: .venv/bin/python benchmarks/startup.py
"""
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_and_time(instance, port):
    env = dict(os.environ, SYNCWIZARD_INSTANCE=str(instance), EMULATOR_PORT=str(free_port()))
    env.pop("REDIS_URL", None)
    started = time.monotonic()
    process = subprocess.Popen([sys.executable, "-m", "wizard.cli", "run", "--demo", "--port", str(port)],
                               cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while time.monotonic() - started < 120:
            try:
                if requests.get(f"http://127.0.0.1:{port}/readyz", timeout=2).status_code == 200:
                    return time.monotonic() - started
            except requests.ConnectionError:
                pass
            time.sleep(0.1)
        raise SystemExit("not ready within 120 s")
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=60)


def main():
    with tempfile.TemporaryDirectory() as tmp:
        instance = Path(tmp) / "instance"
        first = start_and_time(instance, free_port())
        later = start_and_time(instance, free_port())
    print(f"first start (empty instance): {first:.1f} s")
    print(f"later start:                  {later:.1f} s  (target < 10 s)")


if __name__ == "__main__":
    main()
