"""The CRM change cursor, read by the sync engine.

Every service write appends `(owner, object, record id)` to `crm_changes` in the same transaction. The
engine keeps the last position (`seq`) it has processed per account and object, and asks for what changed
after it.

A seq is drawn when its row is inserted but becomes visible when its transaction commits. Were a later seq
to commit first (a quick edit while an import's long transaction is open), the engine would read it, move its
cursor past the earlier one and never read that one. So the first change of a transaction takes a row lock on
its owner (FOR NO KEY UPDATE), held until commit: one owner's changes commit in seq order, which is all a per-owner cursor needs.
Writers of different owners do not wait for each other. SQLite has one writer for the whole file, so there
the lock is implicit (SQLAlchemy emits no FOR UPDATE).
"""
import weakref

from sqlalchemy import func, select

from wizard.extensions import db
from wizard.models.crm import CHANGE_OBJECTS, CrmChange
from wizard.models.users import User

_LOCKED = "crm_change_owner_locks"  # session.info: (the transaction, owners it has locked)


def record_change(owner_id: int, object: str, record_id: int, origin: str = "user") -> None:
    """Append one change to the current transaction (the caller commits)."""
    if object not in CHANGE_OBJECTS:
        raise ValueError(f"unknown object {object!r}")
    _lock_owner(owner_id)
    db.session.add(CrmChange(owner_id=owner_id, object=object, record_id=record_id, origin=origin))


def _lock_owner(owner_id: int) -> None:
    """Lock the owner's row for the rest of this transaction, once per transaction."""
    session = db.session()
    transaction, owners = session.info.get(_LOCKED, (None, ()))
    current = session.get_transaction()
    if current is not None and transaction is not None and transaction() is current and owner_id in owners:
        return
    # FOR NO KEY UPDATE, not FOR UPDATE: inserting a row that references the owner (a new contact) takes a key
    # share lock on it, which FOR UPDATE would wait for: two writers that each inserted first would deadlock.
    session.execute(select(User.id).where(User.id == owner_id).with_for_update(key_share=True))
    current = session.get_transaction()
    if transaction is None or transaction() is not current:
        owners = set()
        session.info[_LOCKED] = (weakref.ref(current), owners)
    owners.add(owner_id)


def changed_since(owner_id: int, object: str, seq: int = 0, *, exclude_origin: str | None = None,
                  limit: int | None = None) -> tuple[list[int], int]:
    """Record ids (distinct, in first-change order) changed after `seq`, and the position to resume from.

    `exclude_origin` skips changes written with that origin (the engine's own applies), while still moving
    the position past them. With `limit`, at most that many change rows are read; call again from the
    returned position for the rest.
    """
    query = (select(CrmChange.seq, CrmChange.record_id, CrmChange.origin)
             .where(CrmChange.owner_id == owner_id, CrmChange.object == object, CrmChange.seq > seq)
             .order_by(CrmChange.seq))
    if limit:
        query = query.limit(limit)
    ids: dict[int, None] = {}
    new_seq = seq
    for row_seq, record_id, origin in db.session.execute(query):
        new_seq = row_seq
        if exclude_origin is None or origin != exclude_origin:
            ids.setdefault(record_id, None)
    return list(ids), new_seq


def latest_seq(owner_id: int, object: str) -> int:
    """The newest position for this owner and object (0 when nothing was ever written)."""
    value = db.session.scalar(
        select(func.max(CrmChange.seq)).where(CrmChange.owner_id == owner_id, CrmChange.object == object))
    return value or 0
