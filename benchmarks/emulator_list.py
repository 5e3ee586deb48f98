"""Benchmark: the emulator's listings at scale, over real HTTP, with the emulator in its own process.

Four listings of one user's data, each through every page:
- a full listing of the contacts (pages of 1,000, `requestSyncToken`), what a first sync reads;
- an incremental listing with a sync token taken before the contacts were added (every contact changed);
- a full listing with `sortOrder=LAST_NAME_ASCENDING`;
- a full listing of the events of the primary calendar (same page size, at most 2,500) and its incremental
  twin.
The figure that matters is the emulator's own CPU time (read from /proc for its process, so the client's
JSON decoding is not counted) and its resident memory once the data is loaded. Targets (issue #16): a
100,000-contact full listing in under 10 s of emulator CPU; memory per contact close to its JSON size.
Run: .venv/bin/python benchmarks/emulator_list.py [--contacts N] [--events N] [--page-size N] [--fields F]
"""
import argparse
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
FIELDS = "names,emailAddresses,phoneNumbers,memberships,clientData,metadata"
EMAIL = "bench@example.com"
CPU_TARGET_PER_100K = 10.0  # seconds of emulator CPU for a 100,000-contact full listing
TICKS = os.sysconf("SC_CLK_TCK")


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Emulator:
    """`python -m wizard.emulator` on a free port; its CPU and memory read from /proc."""

    def __init__(self):
        port = free_port()
        self.base = f"http://127.0.0.1:{port}"
        self.process = subprocess.Popen([sys.executable, "-m", "wizard.emulator", "--port", str(port)], cwd=ROOT,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.http = requests.Session()
        for _ in range(200):
            try:
                self.http.get(self.base + "/_emulator/stats", timeout=1)
                return
            except requests.ConnectionError:
                time.sleep(0.05)
        raise RuntimeError("the emulator did not start")

    def cpu(self):
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / TICKS

    def rss_mb(self):
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return 0.0

    def stop(self):
        self.process.terminate()
        self.process.wait(10)


def list_all(emulator, path, params, items_key, token_key):
    """Page through one listing; (items, pages, emulator CPU seconds, wall seconds, last page body)."""
    pages, items, page_token, body = 0, 0, None, {}
    cpu, wall = emulator.cpu(), time.perf_counter()
    while True:
        query = dict(params, **({"pageToken": page_token} if page_token else {}))
        response = emulator.http.get(emulator.base + path, params=query, headers=emulator.headers)
        response.raise_for_status()
        body = response.json()
        pages += 1
        items += len(body.get(items_key, []))
        page_token = body.get("nextPageToken")
        if not page_token:
            break
    return {"items": items, "pages": pages, "cpu": emulator.cpu() - cpu, "wall": time.perf_counter() - wall,
            token_key: body.get(token_key)}


def run(contacts=10_000, page_size=1000, fields=FIELDS, events=0):
    emulator = Emulator()
    try:
        http, base = emulator.http, emulator.base
        http.post(base + "/_emulator/users", json={"email": EMAIL}).raise_for_status()
        for api in ("people", "calendar"):  # small pages mean many requests: Google's 600/min is not measured here
            http.post(base + "/_emulator/quota", json={"api": api, "per_user_per_minute": None}).raise_for_status()
        token = http.post(base + "/_emulator/tokens", json={"email": EMAIL, "scopes": [
            "https://www.googleapis.com/auth/contacts", "https://www.googleapis.com/auth/calendar"]}).json()
        emulator.headers = {"Authorization": f"Bearer {token['access_token']}"}
        people = "/v1/people/me/connections"
        listing = {"personFields": fields, "pageSize": page_size, "requestSyncToken": "true"}
        early = list_all(emulator, people, listing, "connections", "nextSyncToken")["nextSyncToken"]
        rss_empty = emulator.rss_mb()
        started = time.perf_counter()
        http.post(base + "/_emulator/contacts", json={"email": EMAIL, "count": contacts}).raise_for_status()
        seeded = time.perf_counter() - started
        rss_loaded = emulator.rss_mb()
        full = list_all(emulator, people, listing, "connections", "nextSyncToken")
        delta = list_all(emulator, people, dict(listing, syncToken=early), "connections", "nextSyncToken")
        by_name = list_all(emulator, people, {"personFields": fields, "pageSize": page_size,
                                              "sortOrder": "LAST_NAME_ASCENDING"}, "connections", "x")
        figures = {"contacts": full["items"], "pages": full["pages"], "cpu_seconds": full["cpu"],
                   "total_seconds": full["wall"], "sync": delta, "sorted": by_name, "seed_seconds": seeded,
                   "rss_mb": rss_loaded, "kb_per_contact": (rss_loaded - rss_empty) * 1024 / max(contacts, 1),
                   "json_kb_per_contact": json_size(emulator, fields, page_size)}
        if events:
            figures["events"] = list_events(emulator, events, min(page_size, 2500))
        figures["api_calls"] = http.get(base + "/_emulator/stats").json()["total"]
        return figures
    finally:
        emulator.stop()


def json_size(emulator, fields, page_size):
    """The mean size of one contact's JSON as a listing sends it (the memory target's yardstick)."""
    response = emulator.http.get(emulator.base + "/v1/people/me/connections", headers=emulator.headers,
                                 params={"personFields": fields, "pageSize": page_size})
    count = len(response.json().get("connections", [])) or 1
    return len(response.content) / count / 1024


def list_events(emulator, count, page_size):
    path = "/calendar/v3/calendars/primary/events"
    params = {"maxResults": page_size}
    early = list_all(emulator, path, params, "items", "nextSyncToken")["nextSyncToken"]
    emulator.http.post(emulator.base + "/_emulator/events", json={"email": EMAIL, "count": count}).raise_for_status()
    full = list_all(emulator, path, params, "items", "nextSyncToken")
    delta = list_all(emulator, path, dict(params, syncToken=early), "items", "nextSyncToken")
    return {"full": full, "sync": delta}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contacts", type=int, default=10_000)
    parser.add_argument("--events", type=int, default=0, help="also list this many events (0: skip)")
    parser.add_argument("--page-size", type=int, default=1000)
    parser.add_argument("--fields", default=FIELDS)
    args = parser.parse_args()
    f = run(args.contacts, args.page_size, args.fields, args.events)
    target = CPU_TARGET_PER_100K * args.contacts / 100_000
    print(f"full listing: {f['contacts']} contacts in {f['pages']} pages, emulator CPU {f['cpu_seconds']:.2f} s "
          f"(target < {target:.2f} s: {CPU_TARGET_PER_100K:.0f} s per 100,000), wall {f['total_seconds']:.2f} s")
    for label, key in (("sync-token listing", "sync"), ("LAST_NAME_ASCENDING listing", "sorted")):
        part = f[key]
        print(f"{label}: {part['items']} contacts in {part['pages']} pages, emulator CPU {part['cpu']:.2f} s "
              f"(target < {target:.2f} s), wall {part['wall']:.2f} s")
    print(f"emulator memory: {f['rss_mb']:.0f} MB RSS with the contacts loaded, {f['kb_per_contact']:.2f} KB per "
          f"contact against {f['json_kb_per_contact']:.2f} KB of JSON per contact (target: the same order)")
    for kind in ("full", "sync"):
        if "events" in f:
            part = f["events"][kind]
            print(f"events {kind} listing: {part['items']} events in {part['pages']} pages, emulator CPU "
                  f"{part['cpu']:.2f} s, wall {part['wall']:.2f} s")
    print(f"seeding took {f['seed_seconds']:.2f} s; {f['api_calls']} API calls counted")
    worst = max(f["cpu_seconds"], f["sync"]["cpu"], f["sorted"]["cpu"])
    return 0 if worst < target else 1


if __name__ == "__main__":
    sys.exit(main())
