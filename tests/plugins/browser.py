"""Pytest plugin: the product served over real HTTP, driven by Debian's chromium through Playwright.

Fixtures:
- `live_server` (session): the app in its own process (waitress, a real WSGI server), demo configuration
  (CSRF on, login throttling on), its own SQLite file and instance folder, the session's real redis-server.
  `live_server.url`, `live_server.env`, `live_server.create_user(email, password, role="user")`.
- `browser` (session): headless chromium (`/usr/bin/chromium`: Playwright's own download is unavailable).
- `page`: a fresh browser context and page per test; `page.console_errors` collects console errors (a CSP
  violation shows up there); a screenshot of the last state is saved to test-artifacts/<test>.png.
- `screenshot(page, name)`: save a named screenshot to test-artifacts/.
"""
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from config import PROJECT_ROOT

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
ARTIFACTS = PROJECT_ROOT / "test-artifacts"

SERVE = """
import waitress
from wizard import create_app
from wizard.cli.run import prepare_database
app = create_app()
prepare_database(app)
waitress.serve(app, host="127.0.0.1", port={port}, threads=8)
"""


class LiveServer:
    def __init__(self, root: Path, redis_url: str):
        from wizard.redis import free_port

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.instance = root / "instance"
        self.env = {k: v for k, v in os.environ.items() if not k.startswith(("SYNCWIZARD_", "DATABASE_URL"))}
        self.env.update(SYNCWIZARD_CONFIG="demo", SYNCWIZARD_INSTANCE=str(self.instance), REDIS_URL=redis_url,
                        DATABASE_URL=f"sqlite:///{root / 'live.db'}", PYTHONUNBUFFERED="1")
        self.log = (root / "server.log").open("w")
        self.process = None

    def start(self, timeout=60):
        from wizard.cli.run import die_with_parent

        # Its own process group; and it dies with pytest even if pytest is killed (a timeout in CI).
        self.process = subprocess.Popen([sys.executable, "-c", SERVE.format(port=self.port)], env=self.env,
                                        cwd=PROJECT_ROOT, stdout=self.log, stderr=subprocess.STDOUT,
                                        process_group=0, preexec_fn=die_with_parent)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("live server exited: " + Path(self.log.name).read_text()[-2000:])
            try:
                requests.get(self.url + "/healthz", timeout=1)
                return self
            except requests.ConnectionError:
                time.sleep(0.1)
        raise RuntimeError("live server did not start")

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()

    def cli(self, *args, input=None):
        return subprocess.run([sys.executable, "-c", "from wizard.cli import main; main()", *args], env=self.env,
                              cwd=PROJECT_ROOT, input=input, capture_output=True, text=True, check=True)

    def create_user(self, email, password, role="user"):
        args = ["user", "create", email] + (["--admin"] if role == "admin" else [])
        self.cli(*args, input=password + "\n")
        return email


@pytest.fixture(scope="session")
def live_server(tmp_path_factory, redis_server):
    server = LiveServer(tmp_path_factory.mktemp("live"), redis_server.url).start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
    yield chromium
    chromium.close()
    playwright.stop()


def _artifact(name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS / (re.sub(r"[^\w.-]+", "_", name) + ".png")


@pytest.fixture
def screenshot():
    def take(page, name):
        path = _artifact(name)
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture
def page(browser, request):
    context = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15000)
    page.console_errors = []
    page.on("console", lambda msg: page.console_errors.append(msg.text) if msg.type == "error" else None)
    yield page
    try:
        page.screenshot(path=str(_artifact(request.node.name + "-last")), full_page=True)
    finally:
        context.close()
