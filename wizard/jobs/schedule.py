"""When runs are due: each account's period per object with ±25 % jitter, read from and written to the
`sync_schedules` table (schedules as data). `dispatch_due()` is what the worker's scheduler calls every minute.

Google asks periodic clients to add jitter instead of syncing everyone at the same instant. Contacts run at
least once a day even if the period says otherwise, so the People API sync token (7 days) never expires
even after a few failed runs.
"""
import random
from datetime import datetime, timedelta

from wizard.extensions import db
from wizard.jobs.queue import enqueue_sync
from wizard.models.accounts import CONNECTED, GoogleAccount
from wizard.models.clock import as_utc, utcnow  # noqa: F401
from wizard.models.sync import OBJECTS, SyncSchedule

JITTER = 0.25
MAX_CONTACTS_INTERVAL = timedelta(days=1)
DEFAULT_PERIOD_MINUTES = 60


def jittered_interval(period_minutes: int, object: str, rng=random) -> timedelta:
    """The period scaled by a uniform factor in [0.75, 1.25]; contacts capped at one day."""
    interval = timedelta(minutes=max(1, period_minutes)) * rng.uniform(1 - JITTER, 1 + JITTER)
    if object == "contacts":
        interval = min(interval, MAX_CONTACTS_INTERVAL)
    return interval


def schedule_for(account_id: int, object: str) -> SyncSchedule:
    row = db.session.scalar(db.select(SyncSchedule).where(SyncSchedule.account_id == account_id,
                                                          SyncSchedule.object == object))
    if row is None:
        row = SyncSchedule(account_id=account_id, object=object)
        db.session.add(row)
    return row


def auto_settings(account, object: str) -> tuple[bool, int]:
    """(automatic sync on?, period in minutes) from the account's settings ("Синхронизировать ... автоматически")."""
    settings = getattr(account, "settings", None)
    if settings is None:
        return True, DEFAULT_PERIOD_MINUTES
    auto = getattr(settings, f"{object}_auto", True)
    period = getattr(settings, f"{object}_period_minutes", None) or DEFAULT_PERIOD_MINUTES
    return bool(auto), int(period)


def account_is_runnable(account) -> bool:
    """Linked and connected: an account that needs reconnecting is not scheduled (no retry loop)."""
    return getattr(account, "unlinked_at", None) is None and getattr(account, "status", CONNECTED) == CONNECTED


def dispatch_due(now: datetime | None = None, rng=random) -> int:
    """Queue every (account, object) whose time has come; move its next time on. Returns how many were queued."""
    now = now or utcnow()
    queued = 0
    for account in db.session.scalars(db.select(GoogleAccount).where(GoogleAccount.unlinked_at.is_(None))):
        for object in OBJECTS:
            row = schedule_for(account.id, object)
            auto, period = auto_settings(account, object)
            if not account_is_runnable(account):
                row.paused_reason = getattr(account, "status", None) or "paused"
                continue
            row.paused_reason = None if auto else "manual_only"
            if not auto:
                continue
            due = as_utc(row.next_due_at)
            if due is None or due <= now:
                enqueue_sync(account.id, object, trigger="schedule")
                row.last_queued_at = now
                row.next_due_at = now + jittered_interval(period, object, rng)
                queued += 1
    db.session.commit()
    return queued


def note_run_finished(account_id: int, object: str, now: datetime | None = None) -> None:
    """Called by the engine at the end of a run (the caller commits)."""
    schedule_for(account_id, object).last_finished_at = now or utcnow()


def pause(account_id: int, reason: str) -> None:
    """Stop scheduling the account (e.g. invalid_grant); linking it again resumes (the caller commits)."""
    for object in OBJECTS:
        schedule_for(account_id, object).paused_reason = reason
