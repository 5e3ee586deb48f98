"""Benchmark: one Calendar batch of 1,000 inserts, then list the 1,000 events (maxResults=2500), over real HTTP.

Run: .venv/bin/python benchmarks/emulator_batch.py [--events N]
"""
import argparse
import json
import sys
import threading
import time
import uuid
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from wizard.emulator import make_server  # noqa: E402


def multipart(parts, boundary):
    chunks = []
    for index, body in enumerate(parts):
        payload = json.dumps(body)
        chunks.append(
            f"--{boundary}\r\nContent-Type: application/http\r\nContent-ID: <{index}>\r\n\r\n"
            f"POST /calendar/v3/calendars/primary/events?sendUpdates=none HTTP/1.1\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(payload)}\r\n\r\n{payload}\r\n")
    return "".join(chunks) + f"--{boundary}--\r\n"


def run(count=1000):
    server = make_server("127.0.0.1", 0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    http = requests.Session()
    try:
        token = http.post(base + "/_emulator/tokens", json={
            "email": "bench@example.com",
            "scopes": ["https://www.googleapis.com/auth/calendar.events"]}).json()["access_token"]
        headers = {"Authorization": f"Bearer {token}"}
        # Google counts each part against the 600/min/user quota: lift it, this measures the emulator.
        http.post(base + "/_emulator/quota", json={"api": "calendar", "per_user_per_minute": None})
        events = [{"id": f"bench{i:06d}", "summary": f"Event {i}",
                   "start": {"dateTime": "2026-03-02T10:00:00Z"}, "end": {"dateTime": "2026-03-02T11:00:00Z"},
                   "extendedProperties": {"private": {"crm_id": str(i)}}} for i in range(count)]
        boundary = "bench_" + uuid.uuid4().hex
        started = time.perf_counter()
        response = http.post(base + "/batch/calendar/v3", data=multipart(events, boundary).encode(), headers={
            **headers, "Content-Type": f"multipart/mixed; boundary={boundary}"})
        response.raise_for_status()
        batch_seconds = time.perf_counter() - started
        ok = response.text.count("HTTP/1.1 200 OK")
        started = time.perf_counter()
        listing = http.get(base + "/calendar/v3/calendars/primary/events", params={"maxResults": 2500},
                           headers=headers).json()
        list_seconds = time.perf_counter() - started
        stats = http.get(base + "/_emulator/stats").json()
        return {"inserted": ok, "batch_seconds": batch_seconds, "listed": len(listing["items"]),
                "list_seconds": list_seconds, "api_calls": stats["total"]}
    finally:
        server.shutdown()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1000)
    figures = run(parser.parse_args().events)
    print(f"batch of {figures['inserted']} inserts: {figures['batch_seconds']:.3f} s; listed {figures['listed']} "
          f"events in {figures['list_seconds']:.3f} s; {figures['api_calls']} API calls counted "
          "(the batch and each part)")


if __name__ == "__main__":
    main()
