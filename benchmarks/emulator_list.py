"""Benchmark: list 10,000 contacts from the emulator in 10 pages of 1,000 over real HTTP.

The emulator must never be what a product benchmark measures: the target is under 1 second in total.
Wall time depends on what else the machine runs, so the CPU time of the process (the emulator's server
thread and this client together, JSON parsing included) is printed too.
Run: .venv/bin/python benchmarks/emulator_list.py [--contacts N] [--page-size N] [--fields F]
"""
import argparse
import sys
import threading
import time
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from wizard.emulator import make_server  # noqa: E402

FIELDS = "names,emailAddresses,phoneNumbers,memberships,clientData,metadata"


def run(contacts=10_000, page_size=1000, fields=FIELDS):
    server = make_server("127.0.0.1", 0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    http = requests.Session()
    try:
        email = "bench@example.com"
        started = time.perf_counter()
        http.post(base + "/_emulator/contacts", json={"email": email, "count": contacts}).raise_for_status()
        seeded = time.perf_counter() - started
        token = http.post(base + "/_emulator/tokens", json={
            "email": email, "scopes": ["https://www.googleapis.com/auth/contacts"]}).json()["access_token"]
        headers = {"Authorization": f"Bearer {token}"}
        pages, listed, page_token, timings = 0, 0, None, []
        started = time.perf_counter()
        cpu_started = time.process_time()
        while True:
            params = {"personFields": fields, "pageSize": page_size, "requestSyncToken": "true"}
            if page_token:
                params["pageToken"] = page_token
            page_started = time.perf_counter()
            response = http.get(base + "/v1/people/me/connections", params=params, headers=headers)
            response.raise_for_status()
            body = response.json()
            timings.append(time.perf_counter() - page_started)
            pages += 1
            listed += len(body.get("connections", []))
            page_token = body.get("nextPageToken")
            if not page_token:
                break
        total = time.perf_counter() - started
        cpu = time.process_time() - cpu_started
        stats = http.get(base + "/_emulator/stats").json()
        return {"contacts": listed, "pages": pages, "total_seconds": total, "cpu_seconds": cpu, "slowest_page_seconds": max(timings),
                "seed_seconds": seeded, "api_calls": stats["total"]}
    finally:
        server.shutdown()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contacts", type=int, default=10_000)
    parser.add_argument("--page-size", type=int, default=1000)
    parser.add_argument("--fields", default=FIELDS)
    args = parser.parse_args()
    figures = run(args.contacts, args.page_size, args.fields)
    print(f"listed {figures['contacts']} contacts in {figures['pages']} pages: "
          f"{figures['total_seconds']:.3f} s total wall, {figures['cpu_seconds']:.3f} s CPU (emulator and "
          f"client together), slowest page {figures['slowest_page_seconds']:.3f} s "
          f"(seeding took {figures['seed_seconds']:.3f} s; {figures['api_calls']} API calls counted)")
    return 0 if figures["total_seconds"] < 1.0 else 1


if __name__ == "__main__":
    sys.exit(main())
