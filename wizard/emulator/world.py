"""The emulated Google world: users, projects and OAuth clients, grants and tokens, contacts, calendars.

Everything lives in plain dicts behind one re-entrant lock (the server is threaded and every operation is
short), so the whole state can be dumped to and loaded from a JSON file for a demo that survives a restart.
"""
import base64
import json
import os
import secrets
import threading
import time
from collections import defaultdict, deque
from pathlib import Path

from .clock import Clock

PERSISTED = ("seq", "users", "projects", "clients", "grants", "access_tokens", "refresh_tokens", "codes",
             "people", "groups", "calendars", "sync_epochs", "mail_log", "quotas", "settings", "console",
             "service_accounts", "domains")

DEFAULT_SETTINGS = {
    "access_token_lifetime": 3600,
    "code_lifetime": 600,
    "testing_refresh_token_lifetime": 7 * 24 * 3600,
    "people_sync_token_lifetime": 7 * 24 * 3600,
    "calendar_sync_token_lifetime": 30 * 24 * 3600,
    "max_refresh_tokens": 100,
    # Google's quota windows are one minute; a test may shorten them to check pacing against the same
    # limits in seconds instead of minutes.
    "quota_window_seconds": 60,
}
DEFAULT_QUOTAS = {
    # Per user per minute, sliding window. Calendar documents 600; People's console defaults are lower in
    # practice but are per project; tests tighten them through the control API.
    "people": {"per_user_per_minute": 600, "per_project_per_minute": None, "status": 429,
               "full_sync_first_pages_per_minute": None},
    "calendar": {"per_user_per_minute": 600, "per_project_per_minute": 10000, "status": 403},
}


class State:
    def __init__(self, clock=None, state_file=None):
        self.lock = threading.RLock()
        self.clock = clock or Clock()
        self.state_file = Path(state_file) if state_file else None
        self.hang_release = threading.Event()
        self.dirty = False
        self.reset()
        if self.state_file and self.state_file.exists():
            self.load()

    # ---- lifecycle -----------------------------------------------------------------------------------
    def reset(self):
        with self.lock:
            self.seq = 0
            self.users = {}
            self.projects = {}
            self.clients = {}
            self.service_accounts = {}  # email -> service account with its public keys (workspace.py)
            self.domains = {}     # Workspace domain name -> {"name", "delegations": {client_id: grant}}
            self.grants = {}
            self.access_tokens = {}
            self.refresh_tokens = {}
            self.codes = {}
            self.pending = {}
            self.people = {}      # email -> {resourceName: stored person}
            self.people_indexes = {}  # email -> people_index.BookIndex, rebuilt on demand (not persisted)
            self.event_listings = {}  # listings in progress -> their collected items (calendar.collect)
            self.groups = {}      # email -> {resourceName: stored group}
            self.calendars = {}   # email -> {calendarId: {"meta": {...}, "events": {id: event}}}
            self.sync_epochs = {}  # email -> {"people": ts, "calendar": ts}: tokens issued before are dead
            self.mail_log = []
            self.quotas = json.loads(json.dumps(DEFAULT_QUOTAS))
            self.settings = dict(DEFAULT_SETTINGS)
            self.console = {"current_project": None}  # the project the console has selected
            self.faults = []
            self.windows = defaultdict(deque)
            self.stats = _new_stats()
            if hasattr(self.clock, "set_offset"):
                self.clock.set_offset(0)
            # Wake hung requests so a reset never leaves threads stuck.
            self.hang_release.set()
            self.hang_release = threading.Event()
            self.dirty = True

    def now(self) -> float:
        return self.clock.now()

    def next_seq(self) -> int:
        self.seq += 1
        self.dirty = True
        return self.seq

    def new_etag(self) -> str:
        # People etags are opaque base64 strings starting with '%'.
        return "%" + base64.urlsafe_b64encode(secrets.token_bytes(12)).decode().rstrip("=")

    # ---- persistence ---------------------------------------------------------------------------------
    def snapshot(self) -> dict:
        with self.lock:
            data = {name: getattr(self, name) for name in PERSISTED}
            data["clock_offset"] = getattr(self.clock, "offset", 0)
            data = json.loads(json.dumps(data))
        return data

    def save(self):
        if not self.state_file:
            return
        with self.lock:
            data = self.snapshot()
            self.dirty = False
        tmp = self.state_file.with_suffix(self.state_file.suffix + ".tmp")
        tmp.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text(json.dumps(data))
        os.replace(tmp, self.state_file)

    def load(self):
        data = json.loads(self.state_file.read_text())
        with self.lock:
            for name in PERSISTED:
                if name in data:
                    setattr(self, name, data[name])
            self.people_indexes = {}
            self._compact_people()
            if hasattr(self.clock, "set_offset"):
                self.clock.set_offset(data.get("clock_offset", 0))
            self.dirty = False

    def _compact_people(self):
        """Contacts saved by an older emulator hold their fields as values: store them as JSON text."""
        from .people import compact

        for contacts in self.people.values():
            for person in contacts.values():
                if "_js" not in person or any(not k.startswith("_") and k not in ("resourceName", "etag")
                                              for k in person):
                    compact(self, person)

    def start_autosave(self, interval=1.0):
        """Write the state file in the background whenever something changed (not on every request:
        dumping 10,000 contacts per write would dominate the emulator's cost)."""
        if not self.state_file:
            return

        def loop():
            while True:
                time.sleep(interval)
                if self.dirty:
                    try:
                        self.save()
                    except OSError:
                        pass

        threading.Thread(target=loop, name="emulator-autosave", daemon=True).start()

    # ---- stats ----------------------------------------------------------------------------------------
    def count(self, template, email):
        with self.lock:
            self.stats["total"] += 1
            self.stats["by_endpoint"][template] += 1
            if email:
                self.stats["by_user"][email] += 1
                self.stats["by_user_endpoint"][email][template] += 1

    def count_fault(self, kind):
        """What the faults did, so a soak can report the faults really injected (not the rates asked for)."""
        with self.lock:
            self.stats["faults"][kind] += 1

    def stats_json(self):
        with self.lock:
            return {
                "total": self.stats["total"],
                "by_endpoint": dict(self.stats["by_endpoint"]),
                "by_user": dict(self.stats["by_user"]),
                "by_user_endpoint": {k: dict(v) for k, v in self.stats["by_user_endpoint"].items()},
                "faults": dict(self.stats["faults"]),
            }

    def reset_stats(self):
        with self.lock:
            self.stats = _new_stats()


def _new_stats():
    return {"total": 0, "by_endpoint": defaultdict(int), "by_user": defaultdict(int),
            "by_user_endpoint": defaultdict(lambda: defaultdict(int)), "faults": defaultdict(int)}
