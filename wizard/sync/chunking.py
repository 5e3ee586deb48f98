"""Bounded runs: one run's work split into chunks that are planned, and applied, one at a time.

A first sync of 100,000 contacts must not hold 100,000 records, their actions and their pair rows at once.
`partition()` groups the ids a run touches so that everything `plan()` relates lands in one chunk:

- a pair with its CRM id and its Google id;
- a Google record with the CRM record its back-reference names (and that record's pair), and with the pair
  of each of its former resource names (renames);
- an intent row (pending create) with the deterministic event id it would have in Google;
- on a first sync, unpaired records of both sides that share a match key (e-mail, phone).

Planning the chunks one by one, each with only its own pairs and changes, then gives the same actions as
planning the whole run at once (tests/sync/test_chunking.py checks it on random runs). Only the guard looks
at the whole run: the caller adds the chunks' `PlanTally`s and `SideSummary`s and calls `run_guard()`,
telling `plan()` the number of active pairs of the whole table.

Pure: plain data in, lists of ids out.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import NamedTuple

from .changes import Change, Seen
from .ids import event_id_for
from .records import ObjectSpec, Record
from .pairs import PairState


class PairRef(NamedTuple):
    """The ids of a pair row, all `partition()` needs of it."""

    pair_id: int | str | None
    crm_id: str | None
    google_id: str | None
    state: PairState


@dataclass
class Chunk:
    pair_ids: list = field(default_factory=list)
    crm_ids: list = field(default_factory=list)
    google_ids: list = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.crm_ids) + len(self.google_ids) + len(self.pair_ids)


def match_keys(spec: ObjectSpec, record: Record) -> set[str]:
    """The first-sync match keys of a record, one string per (field, normalized value)."""
    return {f"{name}\x1f{item.key}" for name in spec.match_keys for item in record[name]}


def partition(spec: ObjectSpec, pairs: Iterable[PairRef], crm_ids: Iterable[str], google: Mapping[str, Change],
              *, first_sync: bool = False, installation_id: str | None = None,
              crm_keys: Mapping[str, Iterable[str]] | None = None, size: int = 2000) -> list[Chunk]:
    """The touched work of a run in chunks of about `size` ids (a group is never split, so one may be larger).

    `pairs`: every pair row of the account and object. `crm_ids`: the CRM ids listed (changes or a full
    listing). `google`: Google's changes. `crm_keys`: match keys (`match_keys()`) of listed CRM records,
    needed only on a first sync with Google records to match. Pairs that nothing touches are left out: they
    need no work.
    """
    groups = _Groups()
    by_crm: dict[str, object] = {}
    by_google: dict[str, object] = {}
    pending = []
    for ref in pairs:
        if ref.crm_id is not None:
            by_crm[ref.crm_id] = ref.pair_id
        if ref.google_id is not None:
            by_google[ref.google_id] = ref.pair_id
        if ref.state is PairState.PENDING_CREATE:
            pending.append(ref)
    pair_ids_of = {}  # pair id -> its ids, for the pairs a touched node reaches

    def reach_pair(pair_id, node):
        groups.union(node, ("p", pair_id))
        pair_ids_of.setdefault(pair_id, None)

    crm_ids = list(crm_ids)
    for crm_id in crm_ids:
        groups.add(("c", crm_id))
        if crm_id in by_crm:
            reach_pair(by_crm[crm_id], ("c", crm_id))
    for google_id, change in google.items():
        node = ("g", google_id)
        groups.add(node)
        if google_id in by_google:
            reach_pair(by_google[google_id], node)
        if isinstance(change, Seen):
            if change.back_ref is not None:
                groups.union(node, ("c", change.back_ref))
                if change.back_ref in by_crm:
                    reach_pair(by_crm[change.back_ref], node)
            for old in change.previous_ids:
                groups.union(node, ("g", old))  # renames chain: a new name's own former name may be listed
                if old in by_google:
                    reach_pair(by_google[old], node)
    for ref in pending:
        node = ("p", ref.pair_id)
        groups.add(node)
        pair_ids_of.setdefault(ref.pair_id, None)
        event_id = event_id_for(installation_id, ref.crm_id) if (
            spec.idempotent_create and installation_id and ref.crm_id is not None) else None
        if event_id is not None and event_id in google:
            groups.union(node, ("g", event_id))
    if first_sync and spec.match_keys and crm_keys:
        for google_id, change in google.items():
            if isinstance(change, Seen) and change.in_scope:
                for key in match_keys(spec, change.record):
                    groups.union(("g", google_id), ("k", key))
        for crm_id, keys in crm_keys.items():  # paired ones too: a pair may be dropped in this very run
            for key in keys:
                if groups.has(("k", key)):
                    groups.union(("c", crm_id), ("k", key))
    # A reached pair brings its own ids (its other side may not be listed in this run).
    refs = {ref.pair_id: ref for ref in _pairs_reached(pairs, pair_ids_of)}
    for pair_id, ref in refs.items():
        if ref.crm_id is not None:
            groups.union(("p", pair_id), ("c", ref.crm_id))
        if ref.google_id is not None:
            groups.union(("p", pair_id), ("g", ref.google_id))
    return _pack(groups.components(), google, set(crm_ids), size)


def _pairs_reached(pairs, pair_ids_of):
    if not pair_ids_of:
        return []
    if not isinstance(pairs, (list, tuple)):
        raise TypeError("partition() needs the pairs as a list (it reads them twice)")
    return [ref for ref in pairs if ref.pair_id in pair_ids_of]


def _pack(components, google, crm_listed, size) -> list[Chunk]:
    chunks: list[Chunk] = []
    current = Chunk()
    for members in components:
        if current and len(current) + len(members) > size:
            chunks.append(current)
            current = Chunk()
        for kind, value in members:
            if kind == "c" and value in crm_listed:
                current.crm_ids.append(value)
            elif kind == "g" and value in google:
                current.google_ids.append(value)
            elif kind == "p":
                current.pair_ids.append(value)
    if current:
        chunks.append(current)
    return chunks


class _Groups:
    """Union-find over hashable nodes; components in first-seen order (deterministic chunks)."""

    def __init__(self):
        self.parent: dict = {}

    def add(self, node) -> None:
        self.parent.setdefault(node, node)

    def has(self, node) -> bool:
        return node in self.parent

    def find(self, node):
        parent = self.parent
        root = parent.setdefault(node, node)
        while parent[root] != root:
            root = parent[root]
        while parent[node] != root:  # path compression
            parent[node], node = root, parent[node]
        return root

    def union(self, a, b) -> None:
        root_a, root_b = self.find(a), self.find(b)
        if root_a != root_b:
            self.parent[root_b] = root_a

    def components(self) -> list[list]:
        members: dict = {}
        for node in self.parent:
            members.setdefault(self.find(node), []).append(node)
        return list(members.values())
