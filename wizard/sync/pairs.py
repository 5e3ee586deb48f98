"""The pairing state: what the core remembers about one CRM record and its Google counterpart.

A `Pair` is one row of the per-account pairing table. `base` is the snapshot both sides agreed on at the
last successful sync (the reference of the three-way merge). `crm_fingerprint` / `google_fingerprint` are the
content hashes of what each side held after that sync: a listed record with the same fingerprint is
unchanged, whatever its etag says. While a conflict is open (policy "ask"), or while a pair is detached (one
side left the sync), the sides may hold different content; `crm_record` / `google_record` keep what each side
holds so that a later change on one side can still be merged against the other without fetching it.
"""
from __future__ import annotations

from dataclasses import dataclass, field, fields
from enum import Enum

from .records import Record, fingerprint


class PairState(Enum):
    SYNCED = "synced"  # both sides hold `base` for every mapped field
    CONFLICT = "conflict"  # some fields differ and wait for the user (`conflicts` names them)
    PENDING_CREATE = "pending_create"  # intent: a Google create was sent, its id not yet recorded
    DETACHED = "detached"  # left the sync on one side (untagged / out of the label); both records still
    #                        exist, remembered so that a return to the sync re-pairs instead of duplicating


_SYNCED, _CONFLICT, _PENDING = PairState.SYNCED, PairState.CONFLICT, PairState.PENDING_CREATE


@dataclass(frozen=True)
class Pair:
    pair_id: int | str | None
    crm_id: str | None
    google_id: str | None
    base: Record | None
    crm_fingerprint: str | None
    google_fingerprint: str | None
    state: PairState = PairState.SYNCED
    conflicts: frozenset[str] = frozenset()
    crm_record: Record | None = None  # only while CONFLICT / DETACHED and different from base
    google_record: Record | None = None  # only while CONFLICT / DETACHED and different from base
    left: str | None = None  # DETACHED: which side left the sync ("crm", "google" or "both")
    google_etag: str | None = None  # carried for the adapter's If-Match / etag; the core never reads it
    extra: tuple = field(default=(), compare=False)  # adapter-owned data carried through untouched

    @property
    def active(self) -> bool:
        """Synced or in conflict: both records are in the sync."""
        state = self.state  # identity tests: Enum attribute lookups are slow over 100,000 pairs
        return state is _SYNCED or state is _CONFLICT

    def with_(self, **changes) -> "Pair":
        """A copy with some fields changed. Not `dataclasses.replace`, which calls `__init__` with every field
        (a hot step: twice per contact on a first sync); a frozen Pair's fields are only ever set here and in
        `__init__`, and it has no `__post_init__` to run again."""
        unknown = changes.keys() - _FIELD_NAMES
        if unknown:
            raise TypeError(f"Pair has no field {sorted(unknown)}")
        copy = object.__new__(Pair)
        fields_ = copy.__dict__
        fields_.update(self.__dict__)
        fields_.update(changes)
        return copy

    def crm_current(self) -> Record | None:
        """What the CRM side holds as far as the pair knows."""
        return self.crm_record if self.crm_record is not None else self.base

    def google_current(self) -> Record | None:
        return self.google_record if self.google_record is not None else self.base


_FIELD_NAMES = frozenset(f.name for f in fields(Pair))


def synced_pair(pair_id, crm_id, google_id, record: Record, *, google_etag=None, extra=()) -> Pair:
    """A pair whose two sides both hold `record`."""
    fp = fingerprint(record)
    return Pair(pair_id, crm_id, google_id, record, fp, fp, PairState.SYNCED, google_etag=google_etag, extra=extra)


def pending_pair(pair_id, crm_id, record: Record, *, extra=()) -> Pair:
    """The intent row saved before a Google create is sent (crash safety: see planner, pending rows)."""
    fp = fingerprint(record)
    return Pair(pair_id, crm_id, None, record, fp, fp, PairState.PENDING_CREATE, extra=extra)


def pair_after_create(intent: Pair, google_id: str, google_record: Record | None = None, *, google_etag=None) -> Pair:
    """The row once Google answered a create: the id recorded, the Google fingerprint from its answer.

    If Google's answer normalizes differently from what we sent, the next listing of it is compared with
    the answer's fingerprint, so the difference is not mistaken for a user edit.
    """
    google_fp = fingerprint(google_record) if google_record is not None else intent.google_fingerprint
    return intent.with_(google_id=google_id, google_fingerprint=google_fp, state=PairState.SYNCED,
                        google_etag=google_etag)
