"""Conflict decisions the user made on the health page, applied by the next run.

A decision is applied by moving the pair's base to the losing side's value: the three-way merge then sees only
the winning side as changed. A decision is marked applied once its record went through the run.
"""
from wizard.extensions import db
from wizard.models.sync import SyncConflict, utcnow
from wizard.sync.pairs import PairState
from wizard.sync.records import record_from_json


class Decisions:
    """The decided, not yet applied conflicts of one account and object, by CRM id."""

    def __init__(self, account_id: int, object: str):
        self.account_id, self.object = account_id, object
        self._by_crm_id: dict | None = None
        self._rows: list = []

    def by_crm_id(self) -> dict:
        if self._by_crm_id is None:
            self._load()
        return self._by_crm_id

    def _load(self) -> None:
        rows = db.session.scalars(db.select(SyncConflict).where(
            SyncConflict.account_id == self.account_id, SyncConflict.object == self.object,
            SyncConflict.resolved_at.is_not(None), SyncConflict.applied_at.is_(None)))
        self._by_crm_id = {}
        for row in rows:
            if row.crm_id is None or row.resolution not in ("crm", "google"):
                continue
            self._by_crm_id.setdefault(str(row.crm_id), []).append((row.field.split(","), row.resolution))
            self._rows.append(row)

    def crm_ids(self) -> list[str]:
        return list(self.by_crm_id())

    def apply(self, pairs) -> list:
        """The pairs with the decisions applied."""
        decisions = self.by_crm_id()
        if not decisions:
            return pairs
        return [_apply(pair, decisions[pair.crm_id]) if pair.crm_id in decisions
                and pair.crm_record is not None and pair.google_record is not None else pair for pair in pairs]

    def mark_applied(self, failed_crm) -> None:
        for row in self._rows:
            if str(row.crm_id) not in failed_crm:
                row.applied_at = utcnow()


def _apply(pair, chosen):
    base = pair.base if pair.base is not None else record_from_json(pair.crm_record.kind, {})
    values = {}
    for fields, resolution in chosen:
        loser = pair.google_record if resolution == "crm" else pair.crm_record
        for name in fields:
            values[name] = loser[name]
    # The CRM fingerprint is cleared so the CRM side (read again) counts as changed and the pair is merged.
    return pair.with_(base=base.replace(**values), crm_fingerprint=None, state=PairState.SYNCED)
