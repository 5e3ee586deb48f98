"""Shared set-up for the sync benchmarks: a real redis-server, the Google emulator in its own process (so the
measured process holds only the engine), a SQLite file database, and an account linked through the
emulator's real OAuth code flow. Each measured run happens in a forked child, the way an RQ work horse runs a
job, so its peak memory (ru_maxrss of the child) is the worker's, not the seeding's.
"""
import json
import multiprocessing
import os
import resource
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from config import TestingConfig, google_endpoints  # noqa: E402
from wizard import create_app  # noqa: E402
from wizard.extensions import db  # noqa: E402
from wizard.redis import EmbeddedRedis  # noqa: E402

CLIENT_ID = "123456789012-benchmarks.apps.googleusercontent.com"
CLIENT_SECRET = "GOCSPX-benchmark-secret"
SCOPES = ["openid", "email", "https://www.googleapis.com/auth/contacts",
          "https://www.googleapis.com/auth/calendar.events"]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Emulator:
    def __init__(self):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        code = ("import logging; logging.getLogger('werkzeug').setLevel(logging.ERROR);"
                f"from wizard.emulator import serve; serve('127.0.0.1', {self.port})")
        self.process = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                requests.get(self.url + "/_emulator/stats", timeout=1)
                return
            except requests.ConnectionError:
                time.sleep(0.1)
        raise RuntimeError("the emulator did not start")

    def control(self, method, path, body=None):
        response = requests.request(method, self.url + "/_emulator" + path, json=body, timeout=60)
        response.raise_for_status()
        return response.json() if response.content else None

    def stats_total(self) -> int:
        stats = self.control("GET", "/stats")
        # API requests only: the OAuth token endpoint is not part of the People/Calendar budget.
        return sum(n for endpoint, n in stats["by_endpoint"].items() if "token" not in endpoint.lower())

    def cpu_seconds(self) -> float:
        """CPU time the emulator's process has used so far (user + system, from /proc): the floor's share
        that is Google's own work."""
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=10)


@contextmanager
def environment(**config):
    tmp = Path(tempfile.mkdtemp(prefix="syncwizard-bench-"))  # removed at the end
    redis = EmbeddedRedis(tmp / "redis", persist=False).start()
    emulator = Emulator()
    try:
        settings = {"SYNC_FIRST_SYNC_PREVIEW": 10 ** 6, "GOOGLE_PEOPLE_PER_MINUTE": 600, "SYNC_CHUNK_SIZE": 2000,
                    **config}  # a caller may override the defaults
        app = create_app(TestingConfig, INSTANCE_PATH=str(tmp / "instance"), REDIS_URL=redis.url,
                         SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp / 'bench.db'}", INSTALLATION_ID="bench",
                         **settings, **google_endpoints(emulator.url))
        with app.app_context():
            db.create_all()
            yield app, emulator
    finally:
        emulator.stop()
        redis.stop()
        import shutil

        shutil.rmtree(tmp, ignore_errors=True)


def link_account(app, emulator, email="bench@gmail.com", label="CRM contacts", user_email="bench@example.com",
                 register_client=True, **settings):
    """A CRM user (`user_email`) with the Google account `email` linked through the real OAuth code flow.
    Several accounts: register the OAuth client with the first one only."""
    from wizard.google.tokens import apply_token
    from wizard.crm import services
    from wizard.models import User
    from wizard.models.accounts import AccountSettings, AccountTagMapping, GoogleAccount
    from wizard.settings.values import google_client_config, set_setting

    set_setting("SiteAddress", "http://localhost:5000")
    set_setting("GoogleClientId", CLIENT_ID)
    set_setting("GoogleClientSecret", CLIENT_SECRET)
    redirect = google_client_config().redirect_uri
    if register_client:
        emulator.control("POST", "/clients", {"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET,
                                              "redirect_uris": [redirect], "status": "production"})
    emulator.control("POST", "/users", {"email": email})
    params = {"client_id": CLIENT_ID, "redirect_uri": redirect, "response_type": "code", "scope": " ".join(SCOPES),
              "access_type": "offline", "prompt": "consent", "state": "bench"}
    code = emulator.control("POST", "/authorize", {"email": email, "params": params})["code"]
    token = requests.post(emulator.url + "/token", data={
        "grant_type": "authorization_code", "code": code, "redirect_uri": redirect, "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET}, timeout=30).json()
    user = User(email=user_email, role="user")
    user.set_password("benchmark password")
    db.session.add(user)
    db.session.flush()
    account = GoogleAccount(user_id=user.id, google_sub=f"bench-sub-{email}", email=email)
    apply_token(account, token)
    account.settings = AccountSettings(**settings)
    db.session.add(account)
    tag = services.get_or_create_tag(user.id, "Личные контакты", commit=False)
    db.session.flush()
    account.tag_mappings.append(AccountTagMapping(tag_id=tag.id, google_label=label))
    db.session.commit()
    return account


def measured(app, target, *args, cpu: dict | None = None):
    """Run `target(*args)` in a forked child with the app context; (seconds, child peak RSS in MB, result).
    With `cpu` (a dict), its "seconds" is set to the child's CPU time for the run (every thread, user + system)."""
    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()

    def child():
        with app.app_context():
            db.engine.dispose(close=False)
            started, cpu_started = time.perf_counter(), _cpu_now()
            result = target(*args)
            queue.put((time.perf_counter() - started, result, _cpu_now() - cpu_started))

    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    process = ctx.Process(target=child)
    process.start()
    import queue as queue_module

    while True:
        try:
            seconds, result, cpu_seconds = queue.get(timeout=1)
            break
        except queue_module.Empty:
            if not process.is_alive():
                raise RuntimeError(f"the measured run died (exit code {process.exitcode})") from None
    process.join()
    if cpu is not None:
        cpu["seconds"] = cpu_seconds
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return seconds, max(peak, before) / 1024.0, result


def machine_reference() -> float:
    """CPU seconds of a fixed pure-Python loop, run now: how fast this machine is at the moment. The shared cores
    here run the same loop 0.6-1.2 s from one minute to the next, and every CPU figure moves with it."""
    started = _cpu_now()
    total = 0
    for number in range(10 ** 7):
        total += number
    return _cpu_now() - started


def _cpu_now() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def sync_once(account_id, object):
    from wizard.engine import run_sync
    from wizard.engine.collector import tuned_for_run

    with tuned_for_run():  # as the RQ job runs it (wizard.jobs.entry.sync_account)
        run = run_sync(account_id, object)
    return {"status": run.status, "counts": run.counts, "api_calls": run.api_calls}


def report(title, rows):
    print(f"\n== {title}")
    for name, value, limit in rows:
        verdict = "" if limit is None else ("  ok" if value <= limit else "  OVER LIMIT")
        shown = f"{value:.2f}" if isinstance(value, float) else str(value)
        print(f"  {name:<48} {shown:>10}   (limit {limit}){verdict}" if limit is not None
              else f"  {name:<48} {shown:>10}")
    sys.stdout.flush()


def dump(path, data):
    Path(path).write_text(json.dumps(data, indent=2))
