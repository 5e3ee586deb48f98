"""First-sync matching of unpaired records by their normalized keys (contacts: e-mail, then phone)."""
from __future__ import annotations

from .actions import Match
from .changes import Seen
from .records import ObjectSpec, Record

_MATCH_OF_FIELD = {"emails": Match.EMAIL, "phones": Match.PHONE}


class MatchIndex:
    """First-sync matching of unpaired records: e-mail keys first, then phone keys; the first CRM id in sort order wins
    when several match (deterministic); each CRM record matches at most once."""

    def __init__(self, spec: ObjectSpec, crm: dict[str, Seen]):
        self.by_key: dict[str, dict[str, list[str]]] = {}
        for field_name in spec.match_keys:
            index: dict[str, list[str]] = {}
            for crm_id, seen in crm.items():
                for item in seen.record[field_name]:
                    index.setdefault(item.key, []).append(crm_id)
            self.by_key[field_name] = index

    def find(self, record: Record, used: set) -> tuple[str, Match] | None:
        for field_name, index in self.by_key.items():
            candidates = sorted({cid for item in record[field_name] for cid in index.get(item.key, ())
                                 if cid not in used})
            if candidates:
                return candidates[0], _MATCH_OF_FIELD[field_name]
        return None
