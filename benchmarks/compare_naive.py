"""Side by side (issue 16): the product's first contacts sync against a naive per-item loop written with Google's
official Python client, on the same emulator, the same injected latency and the same quota.

    .venv/bin/python benchmarks/compare_naive.py [--sizes 1000,10000] [--latency-ms 30] [--rounds 2] [--quick]

A = the product: `run_sync` in a forked child, as an RQ work horse runs it (batched creates, one listing, the
label calls). B = the naive loop most peers write: `googleapiclient.discovery.build('people', 'v1')` (the
client's bundled discovery document, pointed at the emulator), one `people().createContact` per CRM contact,
its own retry on 429 (`execute(num_retries=...)`: the client's exponential back-off). Each run gets a fresh
emulator, Redis and database, so nothing one run leaves helps the next; the order is A B A B so a drift of
the shared machine's load hits both sides alike.

Quota: Google's default People quota (600 requests per user per minute, the emulator's default) for both sides
at 1,000 contacts. From 10,000 on the quota is lifted for the naive loop (it would otherwise need 17 minutes
of waiting for quota alone, which measures the quota, not the code); the product keeps the default quota, it
needs a few dozen requests. The output says which quota each run had.
"""
import argparse
import logging
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import google_auth_httplib2  # noqa: E402
import httplib2  # noqa: E402
from google.oauth2.credentials import Credentials  # noqa: E402
from googleapiclient.discovery import build  # noqa: E402
from sync_contacts import seed_crm  # noqa: E402
from sync_harness import db, environment, link_account, measured, sync_once  # noqa: E402

# Above this size the naive loop runs with the quota lifted (see the module docstring).
QUOTA_LIFTED_FROM = 10000
# The client's back-off sleeps rand() * 2**n seconds before retry n; 10 retries reach past a one-minute window.
NAIVE_RETRIES = 10
LABEL = "CRM contacts"
# No first-sync preview: the product syncs straight away, as the naive loop does (1,000,000 is the setting's
# highest value; said here too, since the comparison depends on it).
SETTINGS = {"SYNC_FIRST_SYNC_PREVIEW": 1000000}


class CountingHttp(httplib2.Http):
    """httplib2 as the client uses it, counting the answers by status: the emulator counts requests, this
    says how many of them were 429s the client had to wait out."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.statuses = {}

    def request(self, *args, **kwargs):
        response, content = super().request(*args, **kwargs)
        self.statuses[response.status] = self.statuses.get(response.status, 0) + 1
        return response, content


def crm_people(user_id, group):
    """The user's CRM contacts as People API bodies, read with a plain ORM query (what a naive sync does)."""
    from sqlalchemy.orm import selectinload

    from wizard.models.crm import Contact

    rows = db.session.scalars(db.select(Contact).where(Contact.owner_id == user_id).order_by(Contact.id)
                              .options(selectinload(Contact.emails), selectinload(Contact.phones))).all()
    for contact in rows:
        body = {"names": [{"givenName": contact.first_name, "familyName": contact.last_name}],
                "emailAddresses": [{"value": e.value, "type": e.type} for e in contact.emails],
                "phoneNumbers": [{"value": p.value, "type": p.type} for p in contact.phones],
                "memberships": [{"contactGroupMembership": {"contactGroupResourceName": group}}]}
        if contact.company:
            body["organizations"] = [{"name": contact.company}]
        yield body


def naive_sync(emulator_url, token, user_id):
    """The per-item loop: one label, then one createContact per contact, each retried on 429 by the client."""
    counting = CountingHttp(timeout=60)
    http = google_auth_httplib2.AuthorizedHttp(Credentials(token), http=counting)
    people = build("people", "v1", http=http, static_discovery=True,
                   client_options={"api_endpoint": emulator_url + "/"})
    group = people.contactGroups().create(body={"contactGroup": {"name": LABEL}}).execute(
        num_retries=NAIVE_RETRIES)["resourceName"]
    created = 0
    for body in crm_people(user_id, group):
        people.people().createContact(body=body, personFields="names").execute(num_retries=NAIVE_RETRIES)
        created += 1
    return {"created": created, "statuses": counting.statuses}


def prepared(app, emulator, count, latency_ms):
    """A linked account, `count` tagged CRM contacts, the latency injected and the counters zeroed."""
    account = link_account(app, emulator)
    ids = account.id, account.user_id, account.access_token
    seed_crm(account, count)
    emulator.control("POST", "/faults", {"latency_ms": latency_ms})
    return ids


def run_product(count, latency_ms):
    with environment(**SETTINGS) as (app, emulator):
        account_id, _, _ = prepared(app, emulator, count, latency_ms)
        emulator.control("POST", "/stats/reset")
        seconds, _, result = measured(app, sync_once, account_id, "contacts")
        created = result["counts"]["google"].get("create", 0)
        assert result["status"] == "succeeded" and created == count, result
        return {"seconds": seconds, "requests": emulator.stats_total(), "created": created, "429": 0,
                "quota": "600/min per user (default)"}


def run_naive(count, latency_ms):
    with environment(**SETTINGS) as (app, emulator):
        _, user_id, token = prepared(app, emulator, count, latency_ms)
        quota = "600/min per user (default)"
        if count >= QUOTA_LIFTED_FROM:
            emulator.control("POST", "/quota", {"api": "people", "per_user_per_minute": None})
            quota = "LIFTED (no per-user limit)"
        emulator.control("POST", "/stats/reset")
        started = time.perf_counter()
        result = naive_sync(emulator.url, token, user_id)
        seconds = time.perf_counter() - started
        assert result["created"] == count, result
        return {"seconds": seconds, "requests": emulator.stats_total(), "created": result["created"],
                "429": result["statuses"].get(429, 0), "quota": quota}


def compare(count, latency_ms, rounds):
    """A B A B ...: each side's runs, in alternation."""
    runs = {"product": [], "naive": []}
    for round_no in range(1, rounds + 1):
        for side, runner in (("product", run_product), ("naive", run_naive)):
            figures = runner(count, latency_ms)
            runs[side].append(figures)
            print(f"  round {round_no} {side:8} {figures['requests']:7d} requests ({figures['429']} × 429) "
                  f"{figures['seconds']:9.2f} s   quota {figures['quota']}", flush=True)
    return runs


def summary(count, runs):
    product = statistics.median(r["seconds"] for r in runs["product"])
    naive = statistics.median(r["seconds"] for r in runs["naive"])
    p_req, n_req = runs["product"][0]["requests"], runs["naive"][0]["requests"]
    print(f"== {count} contacts: product {p_req} requests, {product:.2f} s (median); naive {n_req} requests, "
          f"{naive:.2f} s (median), quota {runs['naive'][0]['quota']}")
    print(f"   naive / product: {n_req / p_req:.0f} × the requests, {naive / product:.0f} × the time", flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000", help="comma-separated contact counts")
    parser.add_argument("--latency-ms", type=int, default=30)
    parser.add_argument("--rounds", type=int, default=2, help="A B pairs per size")
    parser.add_argument("--quick", action="store_true", help="1,000 contacts, one A B pair")
    args = parser.parse_args()
    sizes = [1000] if args.quick else [int(s) for s in args.sizes.split(",") if s.strip()]
    rounds = 1 if args.quick else args.rounds
    logging.getLogger("googleapiclient").setLevel(logging.ERROR)  # one retry warning per 429 otherwise
    print(f"load average {', '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} CPUs; "
          f"{args.latency_ms} ms latency injected per request")
    for count in sizes:
        print(f"-- {count} contacts", flush=True)
        summary(count, compare(count, args.latency_ms, rounds))
    print(f"load average at the end {', '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
