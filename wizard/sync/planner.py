"""The decision table: pairs x what changed on each side -> a plan of actions.

`plan()` is the only entry point. It reads plain data (pairs, the two sides' changes, the policy) and
returns a `Plan`; it performs no I/O. The per-pair table is in `_decide_pair`, one commented branch per row;
unpaired records are handled in `_link_google` (matching, in order: pending intent, back-reference, first-
sync e-mail then phone) and `_create_in_google`.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from . import errors
from .actions import (REMOVALS, Action, CreateInCrm, CreateInGoogle, DeleteInCrm, DeleteInGoogle, Guard,
                      GuardStatus, Link, Match, Plan, RecordConflict, RemoveFromGoogleScope, ReportIssue,
                      SaveBase, SetBackRef, UntagInCrm, Unlink, UpdateCrm, UpdateGoogle)
from .changes import DELETED, OUT_OF_SCOPE, Change, Seen
from .errors import Message
from .ids import event_id_for
from .merge import merge
from .policy import Policy, first_sync_needs_preview, mass_delete_exceeded
from .records import ObjectSpec, Record, fingerprint
from .state import Pair, PairState

# How one side of a pair looks in this run.
UNCHANGED = "unchanged"  # not listed, or listed with the fingerprint of the last sync (etag-only change)
CHANGED = "changed"
GONE_DELETED = "deleted"
GONE_OUT = "out"


def plan(spec: ObjectSpec, pairs: Iterable[Pair], crm_changes: Mapping[str, Change],
         google_changes: Mapping[str, Change], *, policy: Policy = Policy(), crm_full: bool = False,
         google_full: bool = False, first_sync: bool = False, force: bool = False,
         installation_id: str | None = None) -> Plan:
    """Decide what to do for one account and object.

    `crm_changes` / `google_changes`: `{id: Seen | DELETED | OUT_OF_SCOPE}` since each side's cursor.
    `crm_full` / `google_full`: that side's changes are a full listing (an absent paired record is unknown,
    never deleted). `first_sync`: no pairs were ever made for this account and object; unpaired records are
    matched by e-mail then phone (contacts) before anything is created. `force`: apply despite the guard.
    `installation_id`: needed for activities (deterministic event ids).
    """
    if first_sync:
        crm_full = google_full = True
    run = _Run(spec, list(pairs), dict(crm_changes), dict(google_changes), policy, crm_full, google_full,
               first_sync, installation_id)
    run.follow_renames()
    run.resolve_pending_by_google()
    for pair in sorted(run.pairs, key=_pair_order):
        if pair.pair_id in run.done:
            continue
        run.decide_pair(pair)
    run.link_unpaired_google()
    run.create_unpaired_crm()
    guard = run.guard(force)
    return Plan(spec.name, tuple(run.actions), guard, run.needs_full_listing, frozenset(run.refetch_crm))


def _pair_order(pair: Pair):
    return (str(pair.crm_id), str(pair.google_id), str(pair.pair_id))


@dataclass
class _Run:
    spec: ObjectSpec
    pairs: list[Pair]
    crm: dict
    google: dict
    policy: Policy
    crm_full: bool
    google_full: bool
    first_sync: bool
    installation_id: str | None
    actions: list[Action] = field(default_factory=list)
    done: set = field(default_factory=set)  # pair ids (or object ids of id-less pairs) already decided
    used_crm: set = field(default_factory=set)  # CRM ids consumed by a pair or a match in this run
    used_google: set = field(default_factory=set)
    removed_pairs: int = 0
    removed_crm_side: int = 0
    removed_google_side: int = 0
    needs_full_listing: bool = False
    refetch_crm: set = field(default_factory=set)
    creates: int = 0
    matched: int = 0
    dirty: set = field(default_factory=set)  # pairs to save even without a content change (renamed, linked)

    def __post_init__(self):
        self.pairs = [p for p in self.pairs]
        self.by_crm = {p.crm_id: p for p in self.pairs if p.crm_id is not None}
        self.by_google = {p.google_id: p for p in self.pairs if p.google_id is not None}
        self.used_crm = set(self.by_crm)
        self.used_google = set(self.by_google)

    # --- helpers ---------------------------------------------------------------------------------------

    def emit(self, *actions: Action) -> None:
        self.actions.extend(actions)

    def key(self, pair: Pair):
        return pair.pair_id if pair.pair_id is not None else ("pair", pair.crm_id, pair.google_id)

    def crm_side(self, pair: Pair):
        return _classify(self.crm.get(pair.crm_id), pair.crm_fingerprint)

    def google_side(self, pair: Pair):
        if pair.google_id is None:
            return UNCHANGED, None
        return _classify(self.google.get(pair.google_id), pair.google_fingerprint)

    def event_id(self, crm_id: str) -> str | None:
        if not self.spec.idempotent_create or self.installation_id is None:
            return None
        return event_id_for(self.installation_id, crm_id)

    # --- renames and interrupted creates ----------------------------------------------------------------

    def follow_renames(self) -> None:
        """A Google record listed under a new resource name continues the pair of its former name."""
        for google_id, change in list(self.google.items()):
            if not isinstance(change, Seen) or google_id in self.by_google:
                continue
            for old in change.previous_ids:
                pair = self.by_google.get(old)
                if pair is None:
                    continue
                renamed = pair.with_(google_id=google_id)
                self._replace_pair(pair, renamed)
                self.used_google.add(google_id)
                if self.google.get(old) in (DELETED, OUT_OF_SCOPE):
                    del self.google[old]  # the old name's "deletion" is the rename itself
                self.emit(Link(renamed.crm_id, google_id, Match.RENAME))
                break

    def resolve_pending_by_google(self) -> None:
        """An intent row whose Google record shows up (by back-reference or event id) becomes a pair."""
        pending = {p.crm_id: p for p in self.pairs if p.state is PairState.PENDING_CREATE}
        if not pending:
            return
        by_event_id = {self.event_id(crm_id): crm_id for crm_id in pending if self.event_id(crm_id)}
        for google_id, change in sorted(self.google.items()):
            if not isinstance(change, Seen) or google_id in self.by_google:
                continue
            crm_id = change.back_ref if change.back_ref in pending else by_event_id.get(google_id)
            if crm_id is None or crm_id not in pending:
                continue
            intent = pending.pop(crm_id)
            linked = intent.with_(google_id=google_id, state=PairState.SYNCED, google_fingerprint=None)
            self._replace_pair(intent, linked)
            self.used_google.add(google_id)
            self.emit(Link(crm_id, google_id, Match.PENDING))

    def _replace_pair(self, old: Pair, new: Pair) -> None:
        self.pairs[self.pairs.index(old)] = new
        if old.google_id is not None:
            self.by_google.pop(old.google_id, None)
        if new.google_id is not None:
            self.by_google[new.google_id] = new
        if new.crm_id is not None:
            self.by_crm[new.crm_id] = new
        self.dirty.add(self.key(new))

    def is_dirty(self, pair: Pair) -> bool:
        return self.key(pair) in self.dirty

    # --- the per-pair decision table --------------------------------------------------------------------

    def decide_pair(self, pair: Pair) -> None:
        self.done.add(self.key(pair))
        if pair.state is PairState.PENDING_CREATE:
            return self.decide_pending(pair)
        crm_state, crm_seen = self.crm_side(pair)
        google_state, google_seen = self.google_side(pair)
        p = self.policy

        # Row 1: nothing changed on either side. Only an etag that moved (identical content) or a rename /
        # relink is saved; nothing is written to either side.
        if crm_state == UNCHANGED and google_state == UNCHANGED:
            etag = google_seen.etag if google_seen is not None else None
            if self.is_dirty(pair) or (etag is not None and etag != pair.google_etag):
                self.emit(SaveBase(pair.with_(google_etag=etag or pair.google_etag)))
            return

        # Row 2: content changed on one or both sides (and neither is gone): field-level three-way merge.
        if crm_state in (UNCHANGED, CHANGED) and google_state in (UNCHANGED, CHANGED):
            return self.merge_pair(pair, crm_seen if crm_state == CHANGED else None,
                                   google_seen if google_state == CHANGED else None, google_seen)

        # Row 3: gone on both sides (deleted or left the scope on each): forget the pair.
        if crm_state in (GONE_DELETED, GONE_OUT) and google_state in (GONE_DELETED, GONE_OUT):
            return self.unlink(pair, "deleted_both")

        # Row 4: deleted in the CRM.
        if crm_state == GONE_DELETED:
            if google_state == CHANGED and p.delete_in_google and p.writes_crm:
                # 4a: real deletion is on, but Google was edited since the base: the edit beats the
                #     delete; the record is re-created in the CRM from Google's content.
                return self.recreate_in_crm(pair, google_seen)
            if p.delete_in_google and p.writes_google and google_state == UNCHANGED:
                # 4b: real deletion is on and Google is unchanged since the base: delete it there.
                self.emit(DeleteInGoogle(pair.pair_id, pair.crm_id, pair.google_id, pair.google_etag))
                return self.unlink(pair, "crm_deleted", removed_side="google")
            # 4c (default): leave the Google record, take it out of the sync (contacts: leave the label).
            return self.leave_google_scope(pair, "crm_deleted")

        # Row 5: taken out of the sync in the CRM (untagged / before "sync starting from"): mirror the scope
        # exit on Google where Google has a membership (the label); the scope decision beats an edit there
        # (the edited Google record stays, just outside the sync).
        if crm_state == GONE_OUT:
            return self.leave_google_scope(pair, "crm_left")

        # Row 6: deleted in Google.
        if google_state == GONE_DELETED:
            if crm_state == CHANGED and p.delete_in_crm and p.writes_google:
                # 6a: real deletion is on, but the CRM was edited since the base: the edit beats the
                #     delete; re-created in Google.
                return self.recreate_in_google(pair, crm_seen)
            if p.delete_in_crm and p.writes_crm and crm_state == UNCHANGED:
                # 6b: real deletion is on and the CRM is unchanged since the base: delete it there.
                self.emit(DeleteInCrm(pair.pair_id, pair.crm_id, pair.google_id))
                return self.unlink(pair, "google_deleted", removed_side="crm")
            # 6c (default): keep the CRM record, untag it (activities: clear "show in calendar").
            if p.writes_crm:
                self.emit(UntagInCrm(pair.pair_id, pair.crm_id, pair.google_id))
                return self.unlink(pair, "google_deleted", removed_side="crm")
            return self.unlink(pair, "google_deleted")

        # Row 7: left the scope in Google (removed from the label / moved out of the window): contacts are
        # untagged in the CRM; activities are only unlinked.
        if google_state == GONE_OUT:
            if self.spec.scope_membership and p.writes_crm:
                self.emit(UntagInCrm(pair.pair_id, pair.crm_id, pair.google_id))
                return self.unlink(pair, "google_left", removed_side="crm")
            return self.unlink(pair, "google_left")
        raise AssertionError(f"unhandled pair state {crm_state}/{google_state}")  # pragma: no cover

    def decide_pending(self, pair: Pair) -> None:
        """An intent row whose Google record was not found in this run's Google changes."""
        change = self.crm.get(pair.crm_id)
        if change in (DELETED, OUT_OF_SCOPE) or not self.policy.writes_google:
            # P1: the CRM record left meanwhile: drop the intent (nothing was confirmed in Google).
            return self.unlink(pair, "pending_dropped")
        record = change.record if isinstance(change, Seen) else pair.base
        if self.spec.idempotent_create or self.google_full:
            # P2: a repeated create cannot duplicate (deterministic event id -> 409 -> paired), or a full
            #     listing proved it never reached Google: create (again).
            self.creates += 1
            self.emit(CreateInGoogle(pair.crm_id, record, self.event_id(pair.crm_id), pair.pair_id))
            return
        # P3: it may have reached Google without showing up yet in an incremental listing: wait for a full
        #     listing rather than risk a duplicate.
        self.needs_full_listing = True
        self.emit(ReportIssue(Message(errors.ISSUE_PENDING_CREATE, {"crm_id": pair.crm_id}), crm_id=pair.crm_id))

    # --- outcomes ---------------------------------------------------------------------------------------

    def merge_pair(self, pair: Pair, crm_seen: Seen | None, google_changed: Seen | None,
                   google_seen: Seen | None, *, base: Record | None = ...) -> None:
        base = pair.base if base is ... else base
        crm_now = crm_seen.record if crm_seen is not None else pair.crm_current()
        google_now = google_changed.record if google_changed is not None else pair.google_current()
        if google_now is None:
            google_now = pair.base
        result = merge(self.spec, base, crm_now, google_now, policy=self.policy,
                       crm_modified=crm_seen.modified if crm_seen else None,
                       google_modified=google_changed.modified if google_changed else None)
        crm_fields = _changed_fields(crm_now, result.crm)
        google_fields = _changed_fields(google_now, result.google)
        etag = google_seen.etag if google_seen is not None and google_seen.etag else pair.google_etag
        if crm_fields:
            self.emit(UpdateCrm(pair.pair_id, pair.crm_id, pair.google_id, crm_fields, result.crm))
        if google_fields:
            self.emit(UpdateGoogle(pair.pair_id, pair.crm_id, pair.google_id, google_fields, result.google, etag))
        open_conflicts = result.open_conflicts
        for c in open_conflicts:
            self.emit(RecordConflict(pair.pair_id, pair.crm_id, pair.google_id, c.fields, c.base, c.crm, c.google,
                                     Message(errors.CONFLICT_FIELD, {"field": ", ".join(c.fields)})))
        in_conflict = bool(open_conflicts)
        new_pair = pair.with_(
            base=result.base,
            crm_fingerprint=fingerprint(result.crm),
            google_fingerprint=fingerprint(result.google),
            state=PairState.CONFLICT if in_conflict else PairState.SYNCED,
            conflicts=frozenset(n for c in open_conflicts for n in c.fields),
            crm_record=result.crm if in_conflict else None,
            google_record=result.google if in_conflict else None,
            google_etag=etag,
        )
        if new_pair != pair or self.is_dirty(pair):
            self.emit(SaveBase(new_pair))

    def unlink(self, pair: Pair, reason: str, *, removed_side: str | None = None) -> None:
        self.emit(Unlink(pair.pair_id, pair.crm_id, pair.google_id, reason))
        if pair.state is not PairState.PENDING_CREATE and reason != "recreated":
            self.removed_pairs += 1
            if removed_side == "crm":
                self.removed_crm_side += 1
            elif removed_side == "google":
                self.removed_google_side += 1

    def leave_google_scope(self, pair: Pair, reason: str) -> None:
        if self.spec.scope_membership and self.policy.writes_google:
            self.emit(RemoveFromGoogleScope(pair.pair_id, pair.crm_id, pair.google_id))
            return self.unlink(pair, reason, removed_side="google")
        return self.unlink(pair, reason)

    def recreate_in_crm(self, pair: Pair, google_seen: Seen) -> None:
        self.emit(ReportIssue(Message(errors.ISSUE_DELETE_BEATEN_BY_EDIT, {"side": "crm"}),
                              crm_id=pair.crm_id, google_id=pair.google_id))
        self.unlink(pair, "recreated")
        self.emit(CreateInCrm(pair.google_id, google_seen.record))

    def recreate_in_google(self, pair: Pair, crm_seen: Seen) -> None:
        self.emit(ReportIssue(Message(errors.ISSUE_DELETE_BEATEN_BY_EDIT, {"side": "google"}),
                              crm_id=pair.crm_id, google_id=pair.google_id))
        self.unlink(pair, "recreated")
        self.emit(CreateInGoogle(pair.crm_id, crm_seen.record, self.event_id(pair.crm_id)))

    # --- unpaired records -------------------------------------------------------------------------------

    def link_unpaired_google(self) -> None:
        """Google records in scope with no pair: back-reference, then (first sync) e-mail, phone; else create
        them in the CRM."""
        unpaired_crm = {cid: ch for cid, ch in sorted(self.crm.items())
                        if isinstance(ch, Seen) and cid not in self.used_crm}
        index = _MatchIndex(self.spec, unpaired_crm) if self.first_sync and self.spec.match_keys else None
        for google_id, change in sorted(self.google.items()):
            if not isinstance(change, Seen) or google_id in self.used_google:
                continue
            if change.back_ref is not None:
                self.link_by_back_ref(google_id, change, unpaired_crm)
                continue
            match = index.find(change.record, self.used_crm) if index is not None else None
            if match is not None:
                crm_id, how = match
                self.link_new(crm_id, unpaired_crm[crm_id], google_id, change, how, set_back_ref=True)
                continue
            if self.policy.writes_crm:
                # U1: nothing matches: a new CRM record, created with the tag (the engine writes its id back).
                self.creates += 1
                self.used_google.add(google_id)
                self.emit(CreateInCrm(google_id, change.record))

    def link_by_back_ref(self, google_id: str, change: Seen, unpaired_crm: dict) -> None:
        crm_id = change.back_ref
        if crm_id in unpaired_crm:
            # B1: the CRM record it names is in this run, unpaired: pair them (merge without base).
            return self.link_new(crm_id, unpaired_crm[crm_id], google_id, change, Match.BACK_REF)
        if crm_id in self.by_crm:
            # B2: the CRM record is already paired with another Google record (a copy in Google): leave it.
            self.emit(ReportIssue(Message(errors.ISSUE_DUPLICATE_BACK_REF, {"google_id": google_id,
                                                                             "crm_id": crm_id}),
                                  crm_id=crm_id, google_id=google_id))
            return
        if crm_id in self.crm or self.crm_full:
            # B3: the CRM record is deleted or outside the sync: never resurrect it; leave the Google record.
            return
        # B4: unknown to this run (an incremental CRM listing): the engine fetches it and plans again.
        self.refetch_crm.add(crm_id)

    def link_new(self, crm_id: str, crm_seen: Seen, google_id: str, google_seen: Seen, how: Match, *,
                 set_back_ref: bool = False) -> None:
        self.used_crm.add(crm_id)
        self.used_google.add(google_id)
        self.matched += 1
        self.emit(Link(crm_id, google_id, how))
        if set_back_ref and self.policy.writes_google:
            self.emit(SetBackRef(crm_id, google_id, google_seen.etag))
        new = Pair(None, crm_id, google_id, None, None, None, PairState.SYNCED, google_etag=google_seen.etag)
        self.dirty.add(self.key(new))
        self.merge_pair(new, crm_seen, google_seen, google_seen, base=None)

    def create_unpaired_crm(self) -> None:
        if not self.policy.writes_google:
            return
        for crm_id, change in sorted(self.crm.items()):
            if isinstance(change, Seen) and crm_id not in self.used_crm:
                # C1: a CRM record in scope with no pair and no match: create it in Google.
                self.used_crm.add(crm_id)
                self.creates += 1
                self.emit(CreateInGoogle(crm_id, change.record, self.event_id(crm_id)))

    # --- safety -----------------------------------------------------------------------------------------

    def guard(self, force: bool) -> Guard:
        paired = [p for p in self.pairs if p.state is not PairState.PENDING_CREATE]
        message = None
        status = GuardStatus.OK
        empty_side = self.empty_side(paired)
        if empty_side is not None:
            status = GuardStatus.BLOCKED
            message = Message(errors.GUARD_SIDE_EMPTY, {"side": empty_side, "pairs": len(paired)})
        elif mass_delete_exceeded(self.removed_pairs, len(paired), self.policy):
            status = GuardStatus.BLOCKED
            message = Message(errors.GUARD_MASS_DELETE, {"removals": self.removed_pairs, "pairs": len(paired)})
        elif self.first_sync and first_sync_needs_preview(self.creates, self.policy):
            status = GuardStatus.PREVIEW
            to_google = sum(1 for a in self.actions if isinstance(a, CreateInGoogle))
            to_crm = sum(1 for a in self.actions if isinstance(a, CreateInCrm))
            message = Message(errors.GUARD_FIRST_SYNC_PREVIEW,
                              {"to_google": to_google, "to_crm": to_crm, "matched": self.matched})
        if status is not GuardStatus.OK and force:
            return Guard(GuardStatus.OK, message, forced=True)
        return Guard(status, message)

    def empty_side(self, paired: list[Pair]) -> str | None:
        """'crm' / 'google' when that side looks empty while pairs exist (a full listing with nothing in
        scope, or every paired record gone from it in this run)."""
        if not paired:
            return None
        for name, changes, full in (("crm", self.crm, self.crm_full), ("google", self.google, self.google_full)):
            ids = [p.crm_id if name == "crm" else p.google_id for p in paired]
            if full and not any(isinstance(c, Seen) for c in changes.values()):
                return name
            if (all(changes.get(i) in (DELETED, OUT_OF_SCOPE) for i in ids)
                    and not any(isinstance(c, Seen) for c in changes.values())):
                return name
        return None


def _classify(change: Change | None, fp: str | None):
    if change is None:
        return UNCHANGED, None
    if change is DELETED:
        return GONE_DELETED, None
    if change is OUT_OF_SCOPE:
        return GONE_OUT, None
    if fp is not None and fingerprint(change.record) == fp:
        return UNCHANGED, change
    return CHANGED, change


def _changed_fields(before: Record, after: Record) -> frozenset[str]:
    return frozenset(name for name in after if before[name] != after[name])


class _MatchIndex:
    """First-sync matching of unpaired records: e-mail keys first, then phone keys; the lowest CRM id wins
    when several match (deterministic), and each CRM record matches at most once."""

    def __init__(self, spec: ObjectSpec, crm: dict[str, Seen]):
        self.by_key = {}
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
                return candidates[0], Match.EMAIL if field_name == "emails" else Match.PHONE
        return None
