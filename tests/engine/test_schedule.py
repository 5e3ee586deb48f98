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


def _contacts_due(account_id):
    return schedule_for(account_id, "contacts").next_due_at.replace(tzinfo=timezone.utc)


def test_a_person_tagging_brings_the_contacts_run_within_a_minute(app, make_account, owner):
    """The seed's user tags contacts and looks in Google: the run comes within a minute, not at the period's end
    (in domain mode nobody clicks "Sync now"). Only contacts move; the sync's own tagging and field edits don't."""
    from wizard.crm import services

    account = make_account(contacts_period_minutes=60, activities_period_minutes=60)
    start = datetime.now(timezone.utc)
    dispatch_due(start, random.Random(3))  # the first runs are queued; next ones in 45-75 minutes
    db.session.commit()
    contact = services.create_contact(owner.id, {"first_name": "Ivan"})
    tag = services.get_or_create_tag(owner.id, "Клиенты")
    activities_due = schedule_for(account.id, "activities").next_due_at
    assert _contacts_due(account.id) > start + timedelta(minutes=44)  # a field edit moved nothing

    services.tag_contacts(owner.id, tag.id, [contact.id], origin="sync")  # the run's own tagging
    assert _contacts_due(account.id) > start + timedelta(minutes=44)
    services.untag_contacts(owner.id, tag.id, [contact.id], origin="sync")
    services.tag_contacts(owner.id, tag.id, [contact.id])  # a person's
    assert _contacts_due(account.id) <= datetime.now(timezone.utc) + timedelta(minutes=1)
    assert schedule_for(account.id, "activities").next_due_at == activities_due
    assert dispatch_due(datetime.now(timezone.utc) + timedelta(seconds=61)) == 1  # contacts only


def test_untagging_and_deleting_a_tag_also_bring_the_run_forward(app, make_account, owner):
    from wizard.crm import services

    account = make_account(contacts_period_minutes=600)
    contact = services.create_contact(owner.id, {"first_name": "Maria"})
    tag = services.get_or_create_tag(owner.id, "Клиенты")
    services.tag_contacts(owner.id, tag.id, [contact.id])
    for change in (lambda: services.untag_contacts(owner.id, tag.id, [contact.id]),
                   lambda: services.tag_contacts(owner.id, tag.id, [contact.id]),
                   lambda: services.delete_tag(owner.id, tag.id)):
        dispatch_due(datetime.now(timezone.utc) + timedelta(seconds=61))  # the run is queued, next in hours
        assert _contacts_due(account.id) > datetime.now(timezone.utc) + timedelta(hours=7)
        change()
        assert _contacts_due(account.id) <= datetime.now(timezone.utc) + timedelta(minutes=1)
