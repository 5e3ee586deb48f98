"""The CRM change cursor, read by the sync engine.

Every service write appends `(owner, object, record id)` to `crm_changes` in the same transaction, so a
position (`seq`) read from here never misses a committed write. The engine keeps the last position it has
processed per account and object, and asks for what changed after it.
"""
from sqlalchemy import func, select

from wizard.extensions import db
from wizard.models.crm import CHANGE_OBJECTS, CrmChange


def record_change(owner_id: int, object: str, record_id: int, origin: str = "user") -> None:
    """Append one change to the current transaction (the caller commits)."""
    if object not in CHANGE_OBJECTS:
        raise ValueError(f"unknown object {object!r}")
    db.session.add(CrmChange(owner_id=owner_id, object=object, record_id=record_id, origin=origin))


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
