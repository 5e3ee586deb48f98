"""Guards: a run held for the user's confirmation (the first-sync preview, the mass-delete guard).

A held run writes nothing; its figures wait in one open `PendingGuard` per account and object until the user
confirms (a forced run) or a later run goes through without tripping the guard.
"""
from wizard.extensions import db
from wizard.models.sync import GuardKind, PendingGuard, utcnow
from wizard.sync.actions import GuardStatus


def _open_guards(account_id: int, object: str):
    return db.select(PendingGuard).where(PendingGuard.account_id == account_id, PendingGuard.object == object,
                                         PendingGuard.closed_at.is_(None))


def hold(run, guard, counts: dict) -> PendingGuard:
    """Record (or refresh) the open guard of the run's account and object; commits."""
    kind = GuardKind.FIRST_SYNC_PREVIEW if guard.status is GuardStatus.PREVIEW else GuardKind.MASS_DELETE
    message = guard.message
    row = db.session.scalar(_open_guards(run.account_id, run.object))
    if row is None:
        row = PendingGuard(account_id=run.account_id, object=run.object)
        db.session.add(row)
    row.run_id, row.kind = run.id, kind
    row.code = message.code if message else f"sync.guard.{kind}"
    row.params = dict(message.params) if message else {}
    row.counts = counts
    db.session.commit()
    return row


def close(run) -> None:
    """The run goes through: open guards close (confirmed when the run was forced past them)."""
    for row in db.session.scalars(_open_guards(run.account_id, run.object)):
        row.closed_at = utcnow()
        if run.forced and row.confirmed_at is None:
            row.confirmed_at = utcnow()
