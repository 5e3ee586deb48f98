"""Soak under faults (issue #8, item 4): many rounds of random edits on both sides, synced by real RQ worker
processes that are SIGKILLed at random, while the Google emulator injects errors, rate limits, latency spikes,
sync-token expiry and grant revocation; an oracle then compares both sides with what must hold.

    python benchmarks/soak.py [--accounts 20 --contacts 200 --activities 50 --rounds 30 --time-limit 900]

Real parts: redis-server (EmbeddedRedis), a SQLite file database, the emulator in its own process over HTTP,
`tests.engine.worker_main` RQ workers (long-running, with their schedulers); runs are queued with the product's
`enqueue_sync`, the way "Sync now" does. CRM edits go through `wizard.crm.services`; Google edits through the
People and Calendar APIs with a token of the user's own (as Google's apps would edit, not through our grant).

Non-conflicting by construction: a record is edited on the side that edited it last, and may switch sides only
once a run of its account and object that started after that edit has succeeded (the edit is then in the
base). A few records are edited on both sides in one round on purpose ("contested"): the conflict policy
(`newest`) decides them, so they are excluded from the loss check but both sides must agree. Prints its figures
and exits 1 when the oracle fails.
"""
import argparse
import json
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))

from sync_harness import CLIENT_ID, ROOT, db, environment, link_account  # noqa: E402

LABEL = "CRM contacts"
ZONE = "Europe/Moscow"
OBJECTS = ("contacts", "activities")
PERSON_FIELDS = "names,emailAddresses,phoneNumbers,organizations,biographies,memberships,metadata"
CONTACT_FIELDS = ("given_name", "family_name", "organization", "title", "notes", "phone")
ACTIVITY_FIELDS = ("title", "description", "shift")
USER_SCOPES = ["https://www.googleapis.com/auth/contacts", "https://www.googleapis.com/auth/calendar"]


@dataclass
class Params:
    accounts: int = 3
    contacts: int = 20          # per account, at the start (a fifth of them typed in Google)
    activities: int = 7         # per account, at the start (a fifth of them created in Google)
    rounds: int = 8
    edits: float = 0.05         # share of each account's records edited per round and object (at least 1)
    error_rate: float = 0.10    # 500/503 answers
    rate_limit_rate: float = 0.05  # 429 answers
    spike_rate: float = 0.02    # requests held for `spike_seconds` (latency spikes)
    spike_seconds: float = 0.5
    expire: int = 1             # accounts whose sync tokens expire (both APIs) a third of the way in
    revoke: int = 1             # accounts whose grant is revoked half-way
    kills: int = 2              # workers SIGKILLed (at random rounds, at a random moment of the round)
    # How the kills alternate: "job" SIGKILLs a worker with its job process (the machine loses both), "main"
    # its main process alone (its job process and scheduler child must exit with it, issue #18).
    kill_modes: str = "job,main"
    workers: int = 2
    chunk_size: int = 50
    # Seconds before the Google write lock of a killed worker frees itself (the product's default, 600). A
    # kill during a write phase stalls that account's runs that long: see docs/soak.md, "What the soak found".
    write_lock_timeout: float = 30.0  # the product's default (GOOGLE_WRITE_LOCK_TIMEOUT)
    seed: int = 1
    time_limit: float = 150.0   # seconds for the whole soak; rounds stop early to leave room for the end
    log_dir: str | None = None  # worker logs (default: discarded)


@dataclass
class Rec:
    """One logical record as the oracle expects it; `token` is its identity on both sides."""
    account: int
    kind: str                   # "contact" | "activity"
    token: str
    fields: dict
    crm_id: int | None = None
    google_id: str | None = None
    state: str = "synced"       # synced | untagged | crm_deleted | google_deleted
    last_side: str | None = None
    last_round: int = 0
    contested: bool = False


@dataclass
class Acct:
    index: int
    id: int
    user_id: int
    tag_id: int
    email: str
    hand: "GoogleHand"
    label: str | None = None
    revoked_round: int | None = None
    marked_round: int | None = None
    calls_at_mark: int = 0


@dataclass
class Figures:
    rounds: int = 0
    convergence_rounds: int = 0
    runs: Counter = field(default_factory=Counter)
    run_failures: Counter = field(default_factory=Counter)
    run_failure_example: dict = field(default_factory=dict)  # one outcome per code, for the reader
    google_writes: Counter = field(default_factory=Counter)
    crm_writes: Counter = field(default_factory=Counter)
    retries: int = 0
    edits: Counter = field(default_factory=Counter)
    faults: dict = field(default_factory=dict)
    token_expiries: int = 0
    revocations: int = 0
    kills: int = 0
    kills_mid_run: int = 0
    kills_main_alone: int = 0
    orphans: int = 0            # processes of a main-alone kill still alive 10 s after it
    recoveries: list = field(default_factory=list)  # s from a kill to the replacement of the run it cut
    recovered_late: int = 0     # runs cut by a kill whose replacement was not queued within 120 s
    duplicates: int = 0
    losses: int = 0
    contested: int = 0
    contested_diverged: int = 0
    revoked_not_marked: int = 0
    calls_after_reconnect_mark: int = 0
    stuck_runs: int = 0
    stuck_jobs: int = 0
    failed_jobs: int = 0
    failed_jobs_unexplained: int = 0
    seconds: float = 0.0
    problems: list = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not (self.duplicates or self.losses or self.contested_diverged or self.revoked_not_marked
                    or self.calls_after_reconnect_mark or self.stuck_runs or self.stuck_jobs
                    or self.failed_jobs_unexplained or self.orphans or self.recovered_late)


# --- Google, as the user's own apps edit it ---------------------------------------------------------------

class GoogleHand:
    """People and Calendar calls with a token of the user's own; injected faults are retried (they happen
    before the emulator does anything, so a retry never doubles a write)."""

    def __init__(self, url, token):
        self.url = url
        self.http = requests.Session()
        self.http.headers["Authorization"] = f"Bearer {token}"

    def call(self, method, path, **kwargs):
        for _ in range(60):
            response = self.http.request(method, self.url + path, timeout=60, **kwargs)
            if response.status_code in (429, 500, 502, 503):
                time.sleep(0.05)
                continue
            response.raise_for_status()
            return response.json() if response.content else None
        raise RuntimeError(f"{method} {path}: still refused after 60 tries")

    def paged(self, path, key, params):
        out, token = [], None
        while True:
            body = self.call("GET", path, params={**params, **({"pageToken": token} if token else {})})
            out += body.get(key) or []
            token = body.get("nextPageToken")
            if not token:
                return out

    def people(self):
        return self.paged("/v1/people/me/connections", "connections",
                          {"personFields": PERSON_FIELDS, "pageSize": 1000})

    def events(self):
        return self.paged("/calendar/v3/calendars/primary/events", "items",
                          {"maxResults": 2500, "showDeleted": "false"})

    def label(self, name=LABEL):
        groups = self.call("GET", "/v1/contactGroups", params={"pageSize": 1000}).get("contactGroups") or []
        found = next((g["resourceName"] for g in groups if g.get("name") == name), None)
        return found or self.call("POST", "/v1/contactGroups", json={"contactGroup": {"name": name}})["resourceName"]


def person_body(fields, token, label=None):
    person = {"names": [{"givenName": fields["given_name"], "familyName": fields["family_name"]}],
              "emailAddresses": [{"value": f"{token}@example.org", "type": "work"}],
              "organizations": [{"name": fields["organization"], "title": fields["title"]}],
              "biographies": [{"value": fields["notes"], "contentType": "TEXT_PLAIN"}],
              "phoneNumbers": [{"value": fields["phone"], "type": "mobile"}]}
    if label:
        person["memberships"] = [{"contactGroupMembership": {"contactGroupResourceName": label}}]
    return person


def event_body(fields, token):
    start = datetime.fromisoformat(fields["start"])
    end = start + timedelta(hours=1)
    return {"summary": fields["title"], "description": fields["description"], "location": f"room {token}",
            "start": {"dateTime": start.isoformat(), "timeZone": ZONE},
            "end": {"dateTime": end.isoformat(), "timeZone": ZONE}}


# --- workers ------------------------------------------------------------------------------------------------

class Workers:
    """Long-running RQ workers, each in its own process group; a kill takes the worker and its work horse."""

    def __init__(self, overrides, count, log_dir):
        self.env = dict(os.environ, SYNCWIZARD_TEST_OVERRIDES=json.dumps(overrides), SYNCWIZARD_TEST_WORKER="serve")
        for name in ("SYNCWIZARD_CRASH_AT", "SYNCWIZARD_CRASH_HARD"):
            self.env.pop(name, None)
        self.log_dir = Path(log_dir) if log_dir else None
        self.started = 0
        self.processes = [self.start() for _ in range(count)]

    def start(self):
        self.started += 1
        out = subprocess.DEVNULL
        if self.log_dir:
            self.log_dir.mkdir(parents=True, exist_ok=True)
            out = open(self.log_dir / f"worker-{self.started}.log", "wb")
        return subprocess.Popen([sys.executable, "-m", "tests.engine.worker_main"], cwd=ROOT, env=self.env,
                                stdout=out, stderr=subprocess.STDOUT, start_new_session=True)

    def kill_one(self, rng, mode="job", within=3.0):
        """SIGKILL a worker (the one running a sync if one does within `within` seconds, else any) and start a
        new one. `mode` "job": with its job process; "main": its main process alone, whose children must then
        exit by themselves. Returns (the run it was running or None, its children still alive 10 s later)."""
        deadline = time.monotonic() + within
        found = self.running_a_sync()
        while found is None and time.monotonic() < deadline:
            time.sleep(0.02)
            found = self.running_a_sync()
        index, run_id = found if found is not None else (rng.randrange(len(self.processes)), None)
        process = self.processes[index]
        children = _children(process.pid)  # RQ puts each work horse in a session of its own: killed apart
        if mode == "main":
            os.kill(process.pid, signal.SIGKILL)
        else:
            os.killpg(process.pid, signal.SIGKILL)
            for child in children:
                try:
                    os.killpg(child, signal.SIGKILL)
                except (ProcessLookupError, PermissionError):
                    pass
        process.wait()
        self.processes[index] = self.start()
        return run_id, self.orphans_of(children) if mode == "main" else []

    @staticmethod
    def orphans_of(children, timeout=10.0):
        """Children of a killed main process still running after `timeout` (then killed, not to pile up)."""
        deadline = time.monotonic() + timeout
        left = [pid for pid in children if _alive(pid)]
        while left and time.monotonic() < deadline:
            time.sleep(0.1)
            left = [pid for pid in left if _alive(pid)]
        for pid in left:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        return left

    def running_a_sync(self):
        """(index of a worker whose job's run is `running` in the database now, that run's id), if any."""
        from rq.exceptions import NoSuchJobError
        from rq.job import Job

        from wizard.models.sync import RunStatus, SyncRun
        from wizard.redis import get_redis

        db.session.expire_all()
        by_pid = {p.pid: i for i, p in enumerate(self.processes)}
        for run in db.session.scalars(db.select(SyncRun).where(SyncRun.status == RunStatus.RUNNING)):
            try:
                name = Job.fetch(run.job_id, connection=get_redis()).worker_name or ""
            except NoSuchJobError:
                continue
            pid = name.rpartition(".")[2]
            if pid.isdigit() and int(pid) in by_pid:
                return by_pid[int(pid)], run.id
        return None

    def names(self):
        """RQ names of the workers alive now (wizard.jobs.worker.worker_name: host.pid)."""
        import socket

        return {f"{socket.gethostname()}.{p.pid}" for p in self.processes if p.poll() is None}

    def stop(self):
        for process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + 15
        for process in self.processes:
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def _alive(pid) -> bool:
    """Running: a zombie nobody reaped (a container's init may not) runs no code and holds no lock."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


def _children(pid) -> list[int]:
    out = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            out += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            pass
    return out


# --- the soak -----------------------------------------------------------------------------------------------

class Soak:
    def __init__(self, params: Params, app, emulator):
        self.p, self.app, self.emulator = params, app, emulator
        self.rng = random.Random(params.seed)
        self.figures = Figures()
        self.records: list[Rec] = []
        self.accounts: list[Acct] = []
        self.clean_round: dict = {}
        self.serial = 0
        self.started = time.monotonic()

    # --- setting up -------------------------------------------------------------------------------------
    def setup(self):
        for kind in ("people", "calendar"):
            self.emulator.control("POST", "/quota", {"api": kind, "per_user_per_minute": 10 ** 6,
                                                     "per_project_per_minute": 10 ** 7})
        for index in range(self.p.accounts):
            self.accounts.append(self.link(index))
        for acct in self.accounts:
            self.seed(acct)

    def link(self, index) -> Acct:
        email = f"soak{index:02d}@gmail.com"
        account = link_account(self.app, self.emulator, email=email, user_email=f"user{index:02d}@example.com",
                               register_client=index == 0, conflict_policy="newest", contacts_auto=False,
                               activities_auto=False, activities_sync_from=date.today() - timedelta(days=30))
        token = self.emulator.control("POST", "/tokens", {"email": email, "scopes": USER_SCOPES})["access_token"]
        hand = GoogleHand(self.emulator.url, token)
        return Acct(index, account.id, account.user_id, account.tag_mappings[0].tag_id, email, hand,
                    label=hand.label())

    def seed(self, acct):
        on_google = self.p.contacts // 5
        for _ in range(self.p.contacts - on_google):
            self.crm_create_contact(acct, 0, commit=False)
        db.session.commit()
        self.google_create_contacts(acct, on_google, 0)
        on_google = self.p.activities // 5
        for _ in range(self.p.activities - on_google):
            self.crm_create_activity(acct, 0, commit=False)
        db.session.commit()
        for _ in range(on_google):
            self.google_create_activity(acct, 0)

    def token(self, acct, letter):
        self.serial += 1
        return f"soak-a{acct.index:02d}-{letter}{self.serial:06d}"

    def value(self, name, round_no):
        if name == "phone":
            return f"+7916{self.rng.randrange(10 ** 7):07d}"
        return f"{name[:3]}-r{round_no}-{self.rng.randrange(10 ** 6)}"

    def new_contact_fields(self, round_no):
        return {name: self.value(name, round_no) for name in CONTACT_FIELDS}

    def new_activity_fields(self, round_no):
        start = datetime.now(timezone.utc).replace(minute=0, second=0, microsecond=0)
        start += timedelta(days=self.rng.randrange(1, 60), hours=self.rng.randrange(24))
        return {"title": self.value("title", round_no), "description": self.value("description", round_no),
                "start": start.isoformat()}

    # --- CRM side ---------------------------------------------------------------------------------------
    def crm_create_contact(self, acct, round_no, commit=True):
        from wizard.crm import services

        rec = Rec(acct.index, "contact", self.token(acct, "c"), self.new_contact_fields(round_no),
                  last_side="crm", last_round=round_no)
        contact = services.create_contact(acct.user_id, crm_contact_input(rec.fields, rec.token), commit=False)
        services.tag_contacts(acct.user_id, acct.tag_id, [contact.id], commit=commit)
        rec.crm_id = contact.id
        self.records.append(rec)

    def crm_create_activity(self, acct, round_no, commit=True):
        from wizard.crm import services

        rec = Rec(acct.index, "activity", self.token(acct, "e"), self.new_activity_fields(round_no),
                  last_side="crm", last_round=round_no)
        activity = services.create_activity(acct.user_id, crm_activity_input(rec.fields, rec.token),
                                            default_zone=ZONE, commit=commit)
        rec.crm_id = activity.id
        self.records.append(rec)

    def crm_update(self, acct, rec, name, value):
        from wizard.crm import services

        if rec.kind == "contact":
            services.update_contact(acct.user_id, rec.crm_id, crm_contact_input({name: value}))
        else:
            services.update_activity(acct.user_id, rec.crm_id, crm_activity_input({name: value}))

    def crm_delete(self, acct, rec):
        from wizard.crm import services

        if rec.kind == "contact":
            services.delete_contact(acct.user_id, rec.crm_id)
        else:
            services.delete_activity(acct.user_id, rec.crm_id)

    def crm_tag(self, acct, rec, tagged):
        from wizard.crm import services

        change = services.tag_contacts if tagged else services.untag_contacts
        change(acct.user_id, acct.tag_id, [rec.crm_id])

    # --- Google side ------------------------------------------------------------------------------------
    def google_create_contacts(self, acct, count, round_no):
        recs = [Rec(acct.index, "contact", self.token(acct, "g"), self.new_contact_fields(round_no),
                    last_side="google", last_round=round_no) for _ in range(count)]
        for start in range(0, len(recs), 200):
            part = recs[start:start + 200]
            body = {"contacts": [{"contactPerson": person_body(r.fields, r.token, acct.label)} for r in part],
                    "readMask": "names"}
            answer = acct.hand.call("POST", "/v1/people:batchCreateContacts", json=body)
            for rec, created in zip(part, answer["createdPeople"]):
                rec.google_id = created["person"]["resourceName"]
        self.records += recs

    def google_create_activity(self, acct, round_no):
        rec = Rec(acct.index, "activity", self.token(acct, "f"), self.new_activity_fields(round_no),
                  last_side="google", last_round=round_no)
        rec.google_id = acct.hand.call("POST", "/calendar/v3/calendars/primary/events",
                                       json=event_body(rec.fields, rec.token))["id"]
        self.records.append(rec)

    def google_update(self, acct, rec, name, value):
        if rec.kind == "activity":
            full = event_body({**rec.fields, name: value}, rec.token)
            keys = {"title": ("summary",), "description": ("description",), "start": ("start", "end")}[name]
            acct.hand.call("PATCH", f"/calendar/v3/calendars/primary/events/{rec.google_id}",
                           json={k: full[k] for k in keys})
            return
        path = f"/v1/{rec.google_id}"
        person = acct.hand.call("GET", path, params={"personFields": PERSON_FIELDS})
        fields = {**google_contact_fields(person), name: value}
        full = person_body(fields, rec.token)
        group = {"given_name": "names", "family_name": "names", "organization": "organizations",
                 "title": "organizations", "notes": "biographies", "phone": "phoneNumbers"}[name]
        acct.hand.call("PATCH", path + ":updateContact", params={"updatePersonFields": group},
                       json={"etag": person["etag"], group: full[group]})

    def google_delete(self, acct, rec):
        if rec.kind == "contact":
            acct.hand.call("DELETE", f"/v1/{rec.google_id}:deleteContact")
        else:
            acct.hand.call("DELETE", f"/calendar/v3/calendars/primary/events/{rec.google_id}")

    # --- ids the sync assigned ------------------------------------------------------------------------------
    def resolve_ids(self, acct):
        """The other side's id of each synced record, from the pairing table (what the sync made)."""
        from wizard.models.sync import Pair

        db.session.expire_all()
        pairs = db.session.scalars(db.select(Pair).where(Pair.account_id == acct.id)).all()
        by_crm = {(p.object, p.crm_id): p.google_id for p in pairs if p.crm_id and p.google_id}
        by_google = {(p.object, p.google_id): p.crm_id for p in pairs if p.crm_id and p.google_id}
        for rec in self.records:
            if rec.account != acct.index:
                continue
            object = "contacts" if rec.kind == "contact" else "activities"
            if rec.google_id is None and rec.crm_id is not None:
                rec.google_id = by_crm.get((object, rec.crm_id))
            if rec.crm_id is None and rec.google_id is not None:
                rec.crm_id = by_google.get((object, rec.google_id))

    # --- a round ----------------------------------------------------------------------------------------
    def edit_round(self, round_no):
        for acct in self.accounts:
            self.resolve_ids(acct)
            for kind in ("contact", "activity"):
                self.edit_account(acct, kind, round_no)

    def edit_account(self, acct, kind, round_no):
        base = self.p.contacts if kind == "contact" else self.p.activities
        count = max(1, round(self.p.edits * base))
        live = [r for r in self.records if r.account == acct.index and r.kind == kind]
        candidates = [r for r in live if r.state in ("synced", "untagged") and not r.contested]
        self.rng.shuffle(candidates)
        for rec in candidates[:count]:
            self.edit_record(acct, rec, round_no)
        roll = self.rng.random()
        google_ok = acct.revoked_round is None
        if roll < 0.25:
            (self.crm_create_contact if kind == "contact" else self.crm_create_activity)(acct, round_no)
            self.figures.edits[f"crm create {kind}"] += 1
        elif roll < 0.5 and google_ok:
            if kind == "contact":
                self.google_create_contacts(acct, 1, round_no)
            else:
                self.google_create_activity(acct, round_no)
            self.figures.edits[f"google create {kind}"] += 1
        if kind == "contact" and google_ok and self.rng.random() < 0.15:
            self.contest(acct, live, round_no)

    def side_for(self, acct, rec, round_no):
        """A side this record may be edited on now without making a conflict (None: not now)."""
        object = "contacts" if rec.kind == "contact" else "activities"
        settled = rec.last_round <= self.clean_round.get((acct.index, object), -1)
        sides = [s for s in ("crm", "google") if (s == "crm" and rec.crm_id) or (s == "google" and rec.google_id)]
        if acct.revoked_round is not None:
            sides = [s for s in sides if s == "crm"]
        if not settled:
            sides = [s for s in sides if s == rec.last_side]
        return self.rng.choice(sides) if sides else None

    def edit_record(self, acct, rec, round_no):
        side = self.side_for(acct, rec, round_no)
        if side is None:
            return
        if rec.state == "untagged":
            if side == "crm" and rec.last_round <= self.clean_round.get((acct.index, "contacts"), -1):
                self.crm_tag(acct, rec, True)
                self.mark(rec, side, round_no, "synced", "retag")
            return
        roll = self.rng.random()
        if roll < 0.04:
            (self.crm_delete if side == "crm" else self.google_delete)(acct, rec)
            self.mark(rec, side, round_no, f"{side}_deleted", "delete")
        elif roll < 0.08 and side == "crm" and rec.kind == "contact":
            self.crm_tag(acct, rec, False)
            self.mark(rec, side, round_no, "untagged", "untag")
        else:
            name = self.rng.choice(CONTACT_FIELDS if rec.kind == "contact" else ACTIVITY_FIELDS)
            value = self.shifted(rec) if name == "shift" else self.value(name, round_no)
            name = "start" if name == "shift" else name
            (self.crm_update if side == "crm" else self.google_update)(acct, rec, name, value)
            rec.fields[name] = value
            self.mark(rec, side, round_no, rec.state, "update")

    def shifted(self, rec):
        return (datetime.fromisoformat(rec.fields["start"]) + timedelta(hours=self.rng.randrange(1, 48))).isoformat()

    def mark(self, rec, side, round_no, state, what):
        rec.last_side, rec.last_round, rec.state = side, round_no, state
        self.figures.edits[f"{side} {what} {rec.kind}"] += 1

    def contest(self, acct, live, round_no):
        """The same field edited differently on both sides in one round: the conflict policy decides."""
        pool = [r for r in live if r.state == "synced" and r.crm_id and r.google_id and not r.contested
                and r.last_round <= self.clean_round.get((acct.index, "contacts"), -1)]
        if not pool:
            return
        rec = self.rng.choice(pool)
        self.crm_update(acct, rec, "title", self.value("title", round_no))
        self.google_update(acct, rec, "title", self.value("title", round_no))
        rec.contested, rec.last_round = True, round_no
        self.figures.edits["contested (both sides)"] += 1

    def sync_round(self, round_no, kill=False):
        from wizard.jobs.queue import enqueue_sync

        keys = [(acct, object) for acct in self.accounts for object in OBJECTS]
        run_ids = {(a.index, o): enqueue_sync(a.id, o) for a, o in keys}
        cut = None
        if kill:
            time.sleep(self.rng.uniform(0, 0.3))
            modes = [m.strip() for m in self.p.kill_modes.split(",") if m.strip()] or ["job"]
            mode = modes[self.figures.kills % len(modes)]
            self.figures.kills += 1
            cut, orphans = self.workers.kill_one(self.rng, mode)
            killed_at = time.time()
            self.figures.kills_mid_run += cut is not None
            self.figures.kills_main_alone += mode == "main"
            self.figures.orphans += len(orphans)
            if orphans:
                self.figures.problems.append(f"{len(orphans)} process(es) of a killed worker outlived it")
        left = self.p.time_limit - (time.monotonic() - self.started)
        started = time.monotonic()
        self.wait(keys, deadline=started + max(20.0 if cut is None else 150.0, min(90.0, left)))
        if cut is not None:
            self.note_recovery(cut, killed_at)
        self.note_runs(run_ids, round_no)
        print(f"  round {round_no:>3}: {time.monotonic() - started:5.1f} s  {dict(self.round_statuses(run_ids))}",
              flush=True)

    def round_statuses(self, run_ids):
        from wizard.models.sync import SyncRun

        return Counter(db.session.get(SyncRun, run_id).status for run_id in run_ids.values())

    def wait(self, keys, deadline):
        """Until no run of these accounts is queued or running. Nothing here closes a run a killed worker left:
        the product must find it, close it and queue its replacement by itself (issue #18), else it is stuck."""
        from wizard.models.sync import RunStatus, SyncRun

        pending = {(a.id, o) for a, o in keys}
        while pending and time.monotonic() < deadline:
            db.session.expire_all()
            active = set(db.session.execute(db.select(SyncRun.account_id, SyncRun.object).where(
                SyncRun.status.in_(RunStatus.ACTIVE))).all())
            pending = {key for key in pending if key in active}
            if pending:
                time.sleep(0.25)
        db.session.expire_all()

    def note_recovery(self, run_id, killed_at):
        """Seconds from the kill to the queueing of the run that replaced the one it cut (within 120 s)."""
        from wizard.models.sync import SyncRun

        cut = db.session.get(SyncRun, run_id)
        if cut.outcome_code != "sync.run.worker_died" and not cut.is_active:
            self.figures.kills_mid_run -= 1  # it ended on its own just before the kill: nothing was cut
            return
        later = db.session.scalar(db.select(SyncRun).where(
            SyncRun.account_id == cut.account_id, SyncRun.object == cut.object, SyncRun.id > cut.id)
            .order_by(SyncRun.id).limit(1))
        if later is None:
            self.figures.recovered_late += 1
            self.figures.problems.append(f"run {run_id} cut by a kill was never replaced")
            return
        queued = later.queued_at.replace(tzinfo=timezone.utc) if later.queued_at.tzinfo is None else later.queued_at
        seconds = round(queued.timestamp() - killed_at, 1)
        self.figures.recoveries.append(seconds)
        if seconds > 120:
            self.figures.recovered_late += 1
            self.figures.problems.append(f"run {run_id} cut by a kill was replaced only after {seconds} s")

    def note_runs(self, run_ids, round_no):
        from wizard.models.accounts import NEEDS_RECONNECT, GoogleAccount
        from wizard.models.sync import RunStatus, SyncRun

        for (index, object), run_id in run_ids.items():
            run = db.session.get(SyncRun, run_id)
            if run.status == RunStatus.SUCCEEDED:
                self.clean_round[(index, object)] = round_no
        for acct in self.accounts:
            account = db.session.get(GoogleAccount, acct.id)
            if acct.revoked_round is not None and acct.marked_round is None and account.status == NEEDS_RECONNECT:
                acct.marked_round = round_no
                acct.calls_at_mark = self.user_calls(acct)

    def user_calls(self, acct):
        return self.emulator.control("GET", "/stats")["by_user"].get(acct.email, 0)

    # --- faults -----------------------------------------------------------------------------------------
    def faults_on(self):
        p = self.p
        if p.spike_rate:
            self.emulator.control("POST", "/faults", {"endpoint": "*", "hang_rate": p.spike_rate,
                                                      "hang_seconds": p.spike_seconds})
        if p.error_rate:
            self.emulator.control("POST", "/faults", {"endpoint": "*", "error_rate": p.error_rate,
                                                      "error_statuses": [500, 503]})
        if p.rate_limit_rate:
            # Asked after the 5xx fault: its rate is of the requests that fault let through.
            self.emulator.control("POST", "/faults", {"endpoint": "*", "error_statuses": [429],
                                                      "error_rate": p.rate_limit_rate / (1 - p.error_rate)})

    def expire_tokens(self, round_no):
        for acct in self.accounts[-self.p.expire:] if self.p.expire else []:
            self.emulator.control("POST", "/sync-tokens/expire", {"email": acct.email, "api": "all"})
            self.figures.token_expiries += 1

    def revoke(self, round_no):
        for acct in self.accounts[:self.p.revoke]:
            self.emulator.control("POST", "/grants/revoke", {"email": acct.email, "client_id": CLIENT_ID})
            acct.revoked_round = round_no
            self.figures.revocations += 1

    # --- the whole soak -----------------------------------------------------------------------------------
    def run(self, overrides):
        self.setup()
        self.workers = Workers(overrides, self.p.workers, self.p.log_dir)
        try:
            self.rounds()
            self.converge()
            self.figures.calls_after_reconnect_mark = sum(
                self.user_calls(a) - a.calls_at_mark for a in self.accounts if a.marked_round is not None)
            self.collect_runs()
            self.check_jobs()
        finally:
            self.workers.stop()
        self.emulator.control("DELETE", "/faults")
        Oracle(self).check()
        self.figures.seconds = time.monotonic() - self.started
        return self.figures

    def rounds(self):
        """Rounds until `--rounds` are done or 60 % of the time is spent, whichever comes first; the expiry, the
        revocation and the kills happen at fractions of that progress, so a time-bound soak meets them all."""
        p = self.p
        kills = sorted(self.rng.uniform(0.05, 1.0) for _ in range(p.kills))
        events = [(1 / 3, self.expire_tokens), (1 / 2, self.revoke)]
        self.faults_on()
        begun = time.monotonic()
        budget = max(1.0, p.time_limit * 0.6 - (begun - self.started))
        round_no = 0
        while round_no < p.rounds or kills or events:
            round_no += 1
            progress = max(round_no / p.rounds, (time.monotonic() - begun) / budget)
            if round_no > 1:
                self.edit_round(round_no)
                while events and events[0][0] <= progress:
                    events.pop(0)[1](round_no)
            kill = bool(kills) and kills[0] <= progress
            if kill:
                kills.pop(0)
            self.sync_round(round_no, kill=kill)
            self.figures.rounds = round_no
            if time.monotonic() - begun > budget and not (kills or events):
                break
        self.figures.faults = self.emulator.control("GET", "/stats").get("faults", {})

    def converge(self):
        """Faults cleared: clean rounds until every connected account's objects had a run that succeeded."""
        self.emulator.control("DELETE", "/faults")
        for extra in range(1, 4):
            round_no = self.figures.rounds + extra
            self.sync_round(round_no)
            self.figures.convergence_rounds = extra
            if all(self.clean_round.get((a.index, o)) == round_no
                   for a in self.accounts if a.revoked_round is None for o in OBJECTS):
                break

    def collect_runs(self):
        from wizard.models.sync import RunStatus, SyncRun

        for run in db.session.scalars(db.select(SyncRun)):
            self.figures.runs[run.status] += 1
            if run.status == RunStatus.FAILED:
                self.figures.run_failures[run.outcome_code] += 1
                self.figures.run_failure_example.setdefault(run.outcome_code, str(run.outcome_params)[:160])
            counts = run.counts or {}
            self.figures.google_writes.update(counts.get("google") or {})
            self.figures.crm_writes.update(counts.get("crm") or {})
            self.figures.retries += counts.get("retries", 0) or 0
            if run.status in RunStatus.ACTIVE:
                self.figures.stuck_runs += 1
                self.figures.problems.append(f"run {run.id} ({run.object} of account {run.account_id}) "
                                             f"left {run.status}")

    def check_jobs(self):
        """No job started without a live worker; every failed job explained by a killed worker."""
        from rq.registry import FailedJobRegistry, StartedJobRegistry

        from wizard.jobs.queue import sync_queue

        queue = sync_queue()
        live = self.workers.names()  # a killed worker stays registered in Redis until its TTL: not asked
        started = StartedJobRegistry(queue=queue)
        for job_id in started.get_job_ids():
            job = queue.fetch_job(job_id.split(":")[0])
            worker = getattr(job, "worker_name", None) if job else None
            if worker not in live:
                self.figures.stuck_jobs += 1
                self.figures.problems.append(f"job {job_id} started by {worker}, which is gone")
        for job_id in FailedJobRegistry(queue=queue).get_job_ids():
            self.figures.failed_jobs += 1
            why = self.failed_job_reason(queue.fetch_job(job_id))
            if why is None:
                self.figures.failed_jobs_unexplained += 1
                self.figures.problems.append(f"failed job {job_id}: its run records no outcome")

    def failed_job_reason(self, job):
        """A failed job is explained when its run is closed with the outcome the health page shows, or RQ
        found its worker dead (a kill)."""
        from wizard.models.sync import RunStatus, SyncRun

        if job is None:
            return "expired"
        result = job.latest_result()
        if result is not None and "AbandonedJobError" in (result.exc_string or ""):
            return "worker killed"
        run = db.session.get(SyncRun, job.meta.get("run_id") or 0)
        if run is not None and run.status == RunStatus.FAILED and run.outcome_code:
            return run.outcome_code
        return None


def crm_contact_input(fields, token=None):
    data = {}
    for name, key in (("given_name", "first_name"), ("family_name", "last_name"), ("organization", "company"),
                      ("title", "job_title"), ("notes", "notes")):
        if name in fields:
            data[key] = fields[name]
    if "phone" in fields:
        data["phones"] = [{"value": fields["phone"], "type": "mobile"}]
    if token:
        data["emails"] = [{"value": f"{token}@example.org", "type": "work"}]
    return data


def crm_activity_input(fields, token=None):
    data = {k: fields[k] for k in ("title", "description") if k in fields}
    if "start" in fields:
        start = datetime.fromisoformat(fields["start"])
        data.update(start_at=start, end_at=start + timedelta(hours=1), timezone=ZONE, all_day=False)
    if token:
        data.update(location=f"room {token}", type="meeting", show_in_calendar=True)
    return data


def google_contact_fields(person):
    name = (person.get("names") or [{}])[0]
    org = (person.get("organizations") or [{}])[0]
    phones = person.get("phoneNumbers") or [{}]
    return {"given_name": name.get("givenName", ""), "family_name": name.get("familyName", ""),
            "organization": org.get("name", ""), "title": org.get("title", ""),
            "notes": ((person.get("biographies") or [{}])[0]).get("value", ""),
            "phone": phones[0].get("value", "")}


def digits(value):
    return "".join(ch for ch in value or "" if ch.isdigit())


def instant(value):
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(value)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)  # SQLite hands back naive UTC
    return moment.astimezone(timezone.utc)


def comparable(kind, fields):
    """What both sides must agree on, in one form."""
    if kind == "contact":
        return {**{k: (fields.get(k) or "") for k in CONTACT_FIELDS if k != "phone"}, "phone": digits(fields["phone"])}
    return {"title": fields["title"] or "", "description": fields["description"] or "",
            "start": instant(fields["start"])}


class Oracle:
    """Both sides as they are at the end, against what the records say must hold."""

    def __init__(self, soak: Soak):
        self.soak, self.figures = soak, soak.figures

    def problem(self, text):
        if len(self.figures.problems) < 40:
            self.figures.problems.append(text)

    def check(self):
        for acct in self.soak.accounts:
            self.check_account(acct)

    def check_account(self, acct):
        from wizard.models.accounts import NEEDS_RECONNECT, GoogleAccount

        if acct.revoked_round is not None and db.session.get(GoogleAccount, acct.id).status != NEEDS_RECONNECT:
            self.figures.revoked_not_marked += 1
            self.problem(f"{acct.email}: revoked but not marked needs reconnect")
        crm_contacts, crm_activities = self.crm_side(acct)
        people, events = self.google_side(acct)
        recs = [r for r in self.soak.records if r.account == acct.index]
        for kind, crm, google in (("contact", crm_contacts, people), ("activity", crm_activities, events)):
            self.duplicates(acct, kind, "CRM", crm)
            self.duplicates(acct, kind, "Google", google)
            if acct.revoked_round is None:
                for rec in (r for r in recs if r.kind == kind):
                    self.check_record(rec, crm.get(rec.token, []), google.get(rec.token, []))

    def duplicates(self, acct, kind, side, found):
        for token, items in found.items():
            if len(items) > 1:
                self.figures.duplicates += len(items) - 1
                self.problem(f"{acct.email}: {kind} {token} {len(items)} times in {side}")

    def crm_side(self, acct):
        from wizard.models.crm import Activity, Contact

        db.session.expire_all()
        contacts, activities = {}, {}
        for c in db.session.scalars(db.select(Contact).where(Contact.owner_id == acct.user_id,
                                                             Contact.deleted_at.is_(None))):
            token = next((e.value.split("@")[0] for e in c.emails if e.value.startswith("soak-")), None)
            contacts.setdefault(token, []).append({
                "in": any(t.id == acct.tag_id for t in c.tags),
                "fields": comparable("contact", {"given_name": c.first_name, "family_name": c.last_name,
                                                 "organization": c.company, "title": c.job_title, "notes": c.notes,
                                                 "phone": c.phones[0].value if c.phones else ""})})
        for a in db.session.scalars(db.select(Activity).where(Activity.owner_id == acct.user_id,
                                                              Activity.deleted_at.is_(None))):
            token = (a.location or "").removeprefix("room ")
            activities.setdefault(token, []).append({
                "in": bool(a.show_in_calendar),
                "fields": comparable("activity", {"title": a.title, "description": a.description,
                                                  "start": a.start_at})})
        return contacts, activities

    def google_side(self, acct):
        hand = acct.hand
        people, events = {}, {}
        for person in hand.people():
            emails = [e.get("value", "") for e in person.get("emailAddresses") or []]
            token = next((e.split("@")[0] for e in emails if e.startswith("soak-")), None)
            groups = {(m.get("contactGroupMembership") or {}).get("contactGroupResourceName")
                      for m in person.get("memberships") or []}
            people.setdefault(token, []).append({"in": acct.label in groups,
                                                 "fields": comparable("contact", google_contact_fields(person))})
        for event in hand.events():
            if event.get("status") == "cancelled":
                continue
            token = (event.get("location") or "").removeprefix("room ")
            events.setdefault(token, []).append({"in": True, "fields": comparable("activity", {
                "title": event.get("summary"), "description": event.get("description"),
                "start": event["start"]["dateTime"]})})
        return people, events

    def check_record(self, rec, crm, google):
        crm_in = [c for c in crm if c["in"]]
        google_in = [g for g in google if g["in"]]
        want = {"synced": (1, 1), "untagged": (0, 0), "crm_deleted": (0, 0), "google_deleted": (0, 0)}[rec.state]
        if rec.state == "crm_deleted" and rec.kind == "activity":
            want = (0, len(google_in))  # without real deletion the event stays in the calendar, unlinked
        if (len(crm_in), len(google_in)) != want:
            self.loss(rec, f"in the sync on CRM/Google {len(crm_in)}/{len(google_in)}, expected {want}")
            return
        if rec.state in ("google_deleted", "untagged") and not crm:
            self.loss(rec, "gone from the CRM (expected there, out of the sync)")
        if rec.state != "synced":
            return
        crm_fields, google_fields = crm_in[0]["fields"], google_in[0]["fields"]
        if rec.contested:
            self.figures.contested += 1
            if crm_fields != google_fields:
                self.figures.contested_diverged += 1
                self.problem(f"{rec.token} (contested): CRM {crm_fields} != Google {google_fields}")
            return
        want_fields = comparable(rec.kind, rec.fields)
        for side, got in (("CRM", crm_fields), ("Google", google_fields)):
            wrong = {k: (got[k], want_fields[k]) for k in want_fields if got[k] != want_fields[k]}
            if wrong:
                self.loss(rec, f"{side} has (got, expected) {wrong}")

    def loss(self, rec, text):
        self.figures.losses += 1
        self.problem(f"{rec.token} [{rec.state}, last edit round {rec.last_round} on {rec.last_side}]: {text}")


def run_soak(params: Params) -> Figures:
    config = {"GOOGLE_BACKOFF_BASE": 0.02, "GOOGLE_BACKOFF_MAX": 0.3, "GOOGLE_MAX_ATTEMPTS": 10,
              "GOOGLE_PEOPLE_PER_MINUTE": 100000, "GOOGLE_CALENDAR_PER_MINUTE": 100000,
              "SYNC_RUNNING_LOCK_TTL": 5, "SYNC_CHUNK_SIZE": params.chunk_size, "SYNC_CONTACTS_BATCH": 50,
              "GOOGLE_WRITE_LOCK_TIMEOUT": params.write_lock_timeout,
              "SYNC_FIRST_SYNC_PREVIEW": 10 ** 6}  # the setting's highest value; above it the default applies
    with environment(**config) as (app, emulator):
        keys = ["INSTANCE_PATH", "REDIS_URL", "SQLALCHEMY_DATABASE_URI", "INSTALLATION_ID", *config,
                *[k for k in app.config if k.startswith("GOOGLE_") and k.endswith("_URL")]]
        overrides = {k: app.config[k] for k in keys}
        return Soak(params, app, emulator).run(overrides)


def report(params: Params, figures: Figures):
    print("== soak: " + " ".join(f"--{k.replace('_', '-')} {v}" for k, v in asdict(params).items()
                                 if k != "log_dir"))
    for key in Figures.__dataclass_fields__:
        value = getattr(figures, key)
        if key == "problems":
            continue
        shown = dict(value) if isinstance(value, Counter) else value
        print(f"  {key:<28} {round(shown, 1) if isinstance(shown, float) else shown}")
    print(f"  {'oracle':<28} {'PASS' if figures.ok else 'FAIL'}")
    for text in figures.problems:
        print(f"  ! {text}")
    sys.stdout.flush()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    for name, default in asdict(Params()).items():
        kind = type(default) if default is not None else str
        parser.add_argument("--" + name.replace("_", "-"), type=kind, default=default)
    params = Params(**vars(parser.parse_args(argv)))
    figures = run_soak(params)
    report(params, figures)
    return 0 if figures.ok else 1


if __name__ == "__main__":
    sys.exit(main())
