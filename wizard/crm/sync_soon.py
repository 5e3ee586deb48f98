"""Pulling a contacts run forward when a person changes which contacts sync.

Tagging or untagging is how a person chooses what goes to Google (the seed's step 1); they then look for the
contacts in Google. Waiting out the period (60 minutes by default, and in domain mode nobody clicks "Sync
now") reads as "it did not work". So a change of selection made by a person brings the accounts' next
contacts run to within `SOON` (the dispatcher runs every minute); edits of fields keep following the period,
and the sync's own tagging pulls nothing forward. Only the schedule row moves: the jobs layer still decides,
from the account's "automatic sync" setting, whether anything is queued.
"""
from datetime import timedelta

from sqlalchemy import select

from wizard.extensions import db
from wizard.models.accounts import GoogleAccount
from wizard.models.clock import as_utc, utcnow
from wizard.models.sync import SyncSchedule

SOON = timedelta(minutes=1)


def contacts_soon(owner_id: int, origin: str) -> None:
    """Bring the owner's linked accounts' next contacts run to within `SOON` (the caller commits)."""
    if origin == "sync":
        return
    soon = utcnow() + SOON
    accounts = select(GoogleAccount.id).where(GoogleAccount.user_id == owner_id, GoogleAccount.unlinked_at.is_(None))
    # An account with no row yet is due at once for the dispatcher; creating the row here could race its insert.
    for row in db.session.scalars(select(SyncSchedule).where(SyncSchedule.account_id.in_(accounts),
                                                             SyncSchedule.object == "contacts")):
        if row.next_due_at is None or as_utc(row.next_due_at) > soon:
            row.next_due_at = soon
