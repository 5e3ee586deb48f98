"""Activities sync benchmark: HTTP requests and quota units (the emulator's counters), time, memory.

    python benchmarks/sync_activities.py [--activities 5000] [--quota 300] [--quota-activities 1500]

Figures (issue 7): first sync of 5,000 activities ≤ ceil(5000/1000) + 10 HTTP requests (a batch counts one);
no-change re-run ≤ 2 requests; with the emulator's per-user quota set low, a long sync completes without a
single 429/403 and within 1.2 × the quota-bound minimum time.
"""
import argparse
import math
import sys
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from sync_harness import db, environment, link_account, measured, report, sync_once  # noqa: E402


def seed_activities(user_id, count):
    from wizard.crm import services

    start = datetime(2026, 1, 5, 8, 0, tzinfo=timezone.utc)
    for i in range(count):
        begin = start + timedelta(hours=3 * i)
        if i % 10 == 0:
            services.create_activity(user_id, {"title": f"All-day {i}", "all_day": True,
                                               "start_date": begin.date(), "end_date": begin.date()}, commit=False)
        else:
            # Every third meeting has guests, so the figures include mapping and storing participants.
            guests = [{"email": f"guest{i}@example.org"}, {"email": "team@example.com"}] if i % 3 == 0 else []
            services.create_activity(user_id, {"title": f"Meeting {i}", "type": "meeting", "start_at": begin,
                                               "end_at": begin + timedelta(hours=1), "timezone": "Europe/Moscow",
                                               "participants": guests}, commit=False)
        if i % 1000 == 999:
            db.session.commit()
            db.session.expunge_all()
    db.session.commit()
    db.session.expunge_all()


def first_sync(count):
    with environment(GOOGLE_CALENDAR_PER_MINUTE=100000) as (app, emulator):
        # The request-count figure is measured without a quota in the way (the quota run is separate).
        emulator.control("POST", "/quota", {"api": "calendar", "per_user_per_minute": 100000})
        account = link_account(app, emulator, activities_sync_from=date(2026, 1, 1))
        account_id, user_id = account.id, account.user_id
        seed_activities(user_id, count)
        emulator.control("POST", "/stats/reset")
        seconds, peak, result = measured(app, sync_once, account_id, "activities")
        stats = emulator.control("GET", "/stats")
        figures = {"first_seconds": seconds, "first_peak_mb": peak, "first_result": result,
                   "first_stats": stats, "first_calls": result["api_calls"]}
        emulator.control("POST", "/stats/reset")
        seconds, _, result = measured(app, sync_once, account_id, "activities")
        figures.update(rerun_seconds=seconds, rerun_calls=result["api_calls"],
                       rerun_stats=emulator.control("GET", "/stats"))
        return figures


def quota_bound(count, per_minute):
    """With the emulator's per-user quota at `per_minute` and our pacing set to it: no 429/403, and the time
    within 1.2 × the minimum the quota allows."""
    # Our window is a second longer than Google's: the two clocks never agree to the millisecond, and a call
    # landing on the window's edge would be refused.
    with environment(GOOGLE_CALENDAR_PER_MINUTE=per_minute, GOOGLE_PACING_WINDOW=61) as (app, emulator):
        emulator.control("POST", "/quota", {"api": "calendar", "per_user_per_minute": per_minute})
        account = link_account(app, emulator, activities_sync_from=date(2026, 1, 1))
        account_id, user_id = account.id, account.user_id
        seed_activities(user_id, count)
        emulator.control("POST", "/stats/reset")
        seconds, _, result = measured(app, sync_once, account_id, "activities")
        stats = emulator.control("GET", "/stats")
        refused = result["counts"].get("retries", 0)  # every refused answer would have been retried
        # Quota units spent: one per inner call; the first `per_minute` go at once, the rest one window each.
        minimum = 60.0 * max(0, math.ceil(count / per_minute) - 1)
        return {"seconds": seconds, "minimum": minimum, "status": result["status"], "refused": refused,
                "stats": stats}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--activities", type=int, default=5000)
    parser.add_argument("--quota", type=int, default=600, help="per-user per-minute quota for the long sync")
    parser.add_argument("--quota-activities", type=int, default=1500)
    args = parser.parse_args()
    figures = first_sync(args.activities)
    report(f"activities: first sync of {args.activities}", [
        ("HTTP requests (a batch counts once)", figures["first_calls"], math.ceil(args.activities / 1000) + 10),
        ("quota units (emulator total, inner calls)", figures["first_stats"]["total"], None),
        ("seconds", figures["first_seconds"], None),
        ("worker peak memory, MB", figures["first_peak_mb"], None),
        ("run status", figures["first_result"]["status"], None),
        ("created in Google", figures["first_result"]["counts"]["google"].get("create", 0), None),
    ])
    report("activities: re-run with nothing changed", [
        ("HTTP requests", figures["rerun_calls"], 2),
        ("seconds", figures["rerun_seconds"], None),
    ])
    if args.quota_activities:
        bound = quota_bound(args.quota_activities, args.quota)
        report(f"activities: {args.quota_activities} under a quota of {args.quota}/min", [
            ("run status", bound["status"], None),
            ("answers refused for quota (429/403)", bound["refused"], 0),
            ("seconds", bound["seconds"], round(1.2 * bound["minimum"], 1) if bound["minimum"] else None),
            ("quota-bound minimum, seconds", bound["minimum"], None),
        ])


if __name__ == "__main__":
    main()
