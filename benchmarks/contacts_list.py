"""Server time of the contacts list page with 50,000 contacts of one user, in process and over real HTTP.

Builds a fresh SQLite database file (in a temporary folder) through the real services, then:

1. requests the list page through the WSGI app as a logged-in user and prints the median and worst time of
   several runs for the common views: first page, a text search, a tag filter, a company sort, and a deep
   page (target: under 200 ms);
2. serves the same database with gunicorn as the README's production section runs it (`gunicorn --workers 4
   wizard.wsgi:app`, a real Redis), logs in through the login form, and requests the first page over HTTP
   with the session cookie (so the login session check, the banners and the navigation are paid for): one at
   a time (target: median ≤ 100 ms) and from 20 clients at once (target: ≥ 40 pages/s on 2 cores, issue 16).

    .venv/bin/python benchmarks/contacts_list.py [--contacts 50000] [--runs 7] [--no-http]
        [--http-requests 400] [--concurrency 20] [--workers 4]
"""
import argparse
import http.client
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

FIRST = ["Иван", "Мария", "Пётр", "Анна", "Olga", "John", "Sergey", "Elena", "Alex", "Nina", "Дмитрий", "Ксения"]
LAST = ["Петров", "Иванова", "Smith", "Кузнецов", "Brown", "Соколова", "Novak", "Lebedev", "Popova", "Miller"]
COMPANIES = ["Ромашка", "ACME", "Globex", "Initech", "Вектор", "Umbrella", "Stark", "Горизонт", ""]


def build(owner_id, count):
    """Rows as the services would write them (same validation and derived columns), inserted in bulk:
    creating 50,000 contacts one service call at a time takes minutes and measures nothing of interest."""
    from sqlalchemy import insert

    from wizard.crm import services
    from wizard.crm.validation import clean_contact, compose_display_name
    from wizard.extensions import db
    from wizard.models.crm import Contact, ContactEmail, ContactPhone, CrmChange, contact_tags

    rng = random.Random(7)
    tag_id = services.get_or_create_tag(owner_id, "Личные контакты").id
    started = time.perf_counter()
    contacts, emails, phones, changes, tagged = [], [], [], [], []
    for i in range(1, count + 1):
        data = clean_contact({
            "first_name": rng.choice(FIRST), "last_name": f"{rng.choice(LAST)}{i}", "company": rng.choice(COMPANIES),
            "emails": [{"value": f"user{i}@example.com", "type": "work"}],
            "phones": [{"value": f"+7 912 {i // 10000:03d} {i % 10000:04d}", "type": "mobile"}],
        })
        display = compose_display_name(data)
        stamp = services.now()
        contacts.append({
            "id": i, "owner_id": owner_id, "first_name": data["first_name"], "middle_name": "",
            "last_name": data["last_name"], "display_name": display, "company": data["company"], "job_title": "",
            "notes": "", "sort_name": display.casefold(), "company_key": data["company"].casefold(),
            "search_text": services._search_text(data, display), "created_at": stamp, "updated_at": stamp})
        emails += [{"contact_id": i, "position": 0, **e} for e in data["emails"]]
        phones += [{"contact_id": i, "position": 0, **p} for p in data["phones"]]
        changes.append({"owner_id": owner_id, "object": "contact", "record_id": i, "origin": "user", "at": stamp})
        if i % 10 == 0:
            tagged.append({"contact_id": i, "tag_id": tag_id})
    for model, rows in ((Contact, contacts), (ContactEmail, emails), (ContactPhone, phones), (CrmChange, changes)):
        db.session.execute(insert(model), rows)
    db.session.execute(insert(contact_tags), tagged)
    db.session.commit()
    db.session.execute(db.text("ANALYZE"))
    return tag_id, time.perf_counter() - started


def measure(client, url, runs):
    """Wall time and this process's CPU time per request: on a shared, loaded machine the wall time includes
    waiting for a core, the CPU time is the work the server did."""
    wall, cpu = [], []
    for _ in range(runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        response = client.get(url)
        wall.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return statistics.median(wall), max(wall), statistics.median(cpu)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_gunicorn(folder, database_url, redis_url, workers):
    """The product as the README's production section runs it, on the benchmark's database and Redis. The
    default configuration rather than `production`: that one sets Secure cookies, which plain HTTP drops."""
    port = free_port()
    env = {**os.environ, "SYNCWIZARD_INSTANCE": str(folder), "DATABASE_URL": database_url,
           "REDIS_URL": redis_url, "SYNCWIZARD_CONFIG": "default"}
    process = subprocess.Popen([sys.executable, "-m", "gunicorn", "--workers", str(workers), "--bind",
                                f"127.0.0.1:{port}", "--log-level", "warning", "wizard.wsgi:app"],
                               cwd=Path(__file__).resolve().parent.parent, env=env)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            requests.get(url + "/healthz", timeout=20)
            return process, url
        except requests.RequestException:  # not listening yet, or a worker still booting
            time.sleep(0.2)
    process.terminate()
    process.wait(timeout=30)
    raise RuntimeError("gunicorn did not start")


def server_cpu_seconds(master_pid):
    """User + system CPU of gunicorn's master and its workers, from /proc: the work the server did, which a
    shared machine's load does not change (the wall times it does)."""
    pids = [master_pid] + [int(p) for p in
                           Path(f"/proc/{master_pid}/task/{master_pid}/children").read_text().split()]
    ticks = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        ticks += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of proc(5))
    return ticks / os.sysconf("SC_CLK_TCK")


def login(url, email, password):
    """A logged-in HTTP session, through the login form and its CSRF token, as a browser does it."""
    http = requests.Session()
    page = http.get(url + "/login", timeout=30).text
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    answer = http.post(url + "/login", data={"email": email, "password": password, "csrf_token": token},
                       allow_redirects=False, timeout=30)
    assert answer.status_code == 302 and "/login" not in answer.headers.get("Location", ""), answer.status_code
    return http.cookies


def timed_get(address, path, cookie):
    """One GET on a new connection (gunicorn's sync workers close each one after the answer), with the
    standard library's http.client: the load generator shares the 2 cores with the server, so it should take
    as little of them as it can (requests took several times more CPU per request)."""
    started = time.perf_counter()
    connection = http.client.HTTPConnection(*address, timeout=60)
    connection.request("GET", path, headers={"Cookie": cookie})
    response = connection.getresponse()
    body = response.read()
    connection.close()
    elapsed = (time.perf_counter() - started) * 1000
    # A redirect would be the login page: the figure would not be the list page's.
    assert response.status == 200 and b'id="contacts-table"' in body, response.status
    return elapsed


def one_at_a_time(address, path, cookie, runs):
    return [timed_get(address, path, cookie) for _ in range(runs)]


def concurrent(address, path, cookie, clients, total):
    """`clients` threads sharing `total` requests; (pages/s, latencies, this process's CPU ms per request)."""
    latencies, lock, left = [], threading.Lock(), [total]

    def client():
        while True:
            with lock:
                if left[0] == 0:
                    return
                left[0] -= 1
            elapsed = timed_get(address, path, cookie)
            with lock:
                latencies.append(elapsed)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    started, started_cpu = time.perf_counter(), time.process_time()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    cpu = (time.process_time() - started_cpu) * 1000 / total
    return total / (time.perf_counter() - started), latencies, cpu


def over_http(folder, database_url, args):
    """The first page over HTTP: one at a time, then `args.concurrency` at once. True when both targets met."""
    from wizard.redis import EmbeddedRedis

    redis = EmbeddedRedis(folder / "redis", persist=False).start()
    server, url = start_gunicorn(folder, database_url, redis.url, args.workers)
    try:
        cookies = login(url, "bench@example.com", "benchmark password")
        cookie = "; ".join(f"{c.name}={c.value}" for c in cookies)
        address, path = ("127.0.0.1", int(url.rsplit(":", 1)[1])), "/contacts"
        one_at_a_time(address, path, cookie, 4 * args.workers)  # every worker warmed up (templates, connection)
        load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
        cpu_before = server_cpu_seconds(server.pid)
        single = one_at_a_time(address, path, cookie, args.http_runs)
        rate, latencies, client_cpu = concurrent(address, path, cookie, args.concurrency, args.http_requests)
        cpu_per_page = (server_cpu_seconds(server.pid) - cpu_before) * 1000 / (args.http_runs + args.http_requests)
    finally:
        server.terminate()
        server.wait(timeout=30)
        redis.stop()
    median, p50 = statistics.median(single), statistics.median(latencies)
    p95 = statistics.quantiles(latencies, n=20)[-1]
    print(f"\nover HTTP: gunicorn --workers {args.workers}, logged in, first page of {args.contacts} contacts "
          f"(load average {load} at the start)")
    ok_single, ok_rate = median <= 100, rate >= 40
    print(f"  one at a time, {args.http_runs} requests: median {median:.1f} ms, worst {max(single):.1f} ms   "
          f"(target ≤ 100 ms median) {'OK' if ok_single else 'SLOW'}")
    print(f"  {args.concurrency} at once, {args.http_requests} requests: {rate:.1f} pages/s, p50 {p50:.0f} ms, "
          f"p95 {p95:.0f} ms   (target ≥ 40 pages/s) {'OK' if ok_rate else 'SLOW'}")
    print(f"  server CPU per page (gunicorn master and workers, /proc): {cpu_per_page:.1f} ms, so at most "
          f"{2000 / cpu_per_page:.0f} pages/s on 2 idle cores")
    print(f"  the load generator's own CPU: {client_cpu:.1f} ms per request (it shares the cores)")
    print(f"  load average at the end {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return ok_single and ok_rate


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contacts", type=int, default=50000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--keep", action="store_true", help="print the database path for inspection")
    parser.add_argument("--no-http", action="store_true", help="only the in-process figures")
    parser.add_argument("--http-runs", type=int, default=30, help="one-at-a-time requests over HTTP")
    parser.add_argument("--http-requests", type=int, default=400, help="requests shared by the concurrent clients")
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers (the README's production line)")
    args = parser.parse_args()

    from config import Config
    from wizard import create_app
    from wizard.extensions import db
    from wizard.models import User

    folder = Path(tempfile.mkdtemp(prefix="syncwizard-bench-"))
    app = create_app(Config, INSTANCE_PATH=str(folder), SQLALCHEMY_DATABASE_URI=f"sqlite:///{folder}/bench.db",
                     REDIS_URL="redis://127.0.0.1:1/0", WTF_CSRF_ENABLED=False, RATELIMIT_ENABLED=False)
    with app.app_context():
        db.create_all()
        user = User(email="bench@example.com", role="user", timezone="Europe/Moscow")
        user.set_password("benchmark password")
        db.session.add(user)
        db.session.commit()
        tag_id, build_seconds = build(user.id, args.contacts)
        user_id = user.id
        from wizard.auth.sessions import open_row
        session_key = open_row(user)  # the server checks the login session on each request
    print(f"load average {', '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} CPUs")
    print(f"built {args.contacts} contacts (service validation, bulk insert) in {build_seconds:.1f} s "
          f"({args.contacts / build_seconds:.0f}/s); database {folder / 'bench.db'}")

    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = f"{user_id}:{session_key}"
        session["_fresh"] = True
    pages = [
        ("first page (50, by name)", "/contacts"),
        ("search 'петров1'", "/contacts?q=петров1"),
        ("search by phone '912 003'", "/contacts?q=912+003"),
        ("search 'acme'", "/contacts?q=acme"),
        ("tag filter (5,000 tagged)", f"/contacts?tag={tag_id}"),
        ("sort by company, desc", "/contacts?sort=-company"),
        ("recently changed", "/contacts?sort=-updated"),
        ("page 500 of 1000", "/contacts?page=500"),
        ("200 per page", "/contacts?per_page=200"),
    ]
    if args.keep:
        print(f"database kept at {folder / 'bench.db'}")
    client.get("/contacts")  # warm-up: templates compiled, caches filled
    print(f"{'view':32} {'median ms':>10} {'worst ms':>10} {'median CPU ms':>14}")
    worst_median = worst_cpu = 0.0
    for label, url in pages:
        median, worst, cpu = measure(client, url, args.runs)
        worst_median, worst_cpu = max(worst_median, median), max(worst_cpu, cpu)
        print(f"{label:32} {median:10.1f} {worst:10.1f} {cpu:14.1f}")
    verdict = "OK" if worst_median < 200 else "SLOW"
    print(f"slowest median {worst_median:.1f} ms wall, {worst_cpu:.1f} ms CPU: {verdict} (target < 200 ms wall)")
    with app.app_context():
        db.engine.dispose()  # the server opens its own connections to the file
    http_ok = True if args.no_http else over_http(folder, f"sqlite:///{folder}/bench.db", args)
    return 0 if verdict == "OK" and http_ok else 1


if __name__ == "__main__":
    sys.exit(main())
