"""Scheduling: periods with ±25 % jitter, contacts at least daily, paused accounts skipped."""
import random
from datetime import datetime, timedelta, timezone

from rq import Queue

from wizard.jobs.schedule import dispatch_due, jittered_interval, schedule_for
from wizard.extensions import db
from wizard.models.accounts import NEEDS_RECONNECT
from wizard.jobs.queue import SYNC_QUEUE_NAMES
from wizard.redis import get_redis


def test_jitter_stays_within_a_quarter_of_the_period():
    rng = random.Random(7)
    values = [jittered_interval(60, "activities", rng) for _ in range(2000)]
    assert min(values) >= timedelta(minutes=45) and max(values) <= timedelta(minutes=75)
    assert max(values) - min(values) > timedelta(minutes=25)  # really spread, not a constant


def test_contacts_run_at_least_daily():
    rng = random.Random(1)
    assert all(jittered_interval(7 * 24 * 60, "contacts", rng) <= timedelta(days=1) for _ in range(100))
    assert jittered_interval(7 * 24 * 60, "activities", rng) > timedelta(days=1)


def test_dispatch_queues_due_objects_once(app, make_account):
    account = make_account(contacts_period_minutes=60, activities_period_minutes=120)
    now = datetime(2026, 1, 5, 12, 0, tzinfo=timezone.utc)
    assert dispatch_due(now, random.Random(3)) == 2
    assert sum(len(Queue(name, connection=get_redis())) for name in SYNC_QUEUE_NAMES) == 2
    # Not due again a minute later...
    assert dispatch_due(now + timedelta(minutes=1)) == 0
    due = schedule_for(account.id, "contacts").next_due_at.replace(tzinfo=timezone.utc)
    assert now + timedelta(minutes=45) <= due <= now + timedelta(minutes=75)


def test_manual_only_and_reconnect_accounts_are_not_scheduled(app, make_account):
    manual = make_account(contacts_auto=False, activities_auto=False)
    broken = make_account(email="broken@gmail.com", tag="Other")
    broken.set_status(NEEDS_RECONNECT, "invalid_grant")
    db.session.commit()
    assert dispatch_due(datetime.now(timezone.utc)) == 0
    assert schedule_for(manual.id, "contacts").paused_reason == "manual_only"
    assert schedule_for(broken.id, "contacts").paused_reason == NEEDS_RECONNECT
