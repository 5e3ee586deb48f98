"""Server time of the contacts list page with 50,000 contacts of one user (target: under 200 ms).

Builds a fresh SQLite database file (in a temporary folder) through the real services, then requests the
list page through the WSGI app as a logged-in user and prints the median and worst time of several runs for
the common views: first page, a text search, a tag filter, a company sort, and a deep page.

    .venv/bin/python benchmarks/contacts_list.py [--contacts 50000] [--runs 7]
"""
import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

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


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contacts", type=int, default=50000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--keep", action="store_true", help="print the database path for inspection")
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
    return 0 if verdict == "OK" else 1


if __name__ == "__main__":
    sys.exit(main())
