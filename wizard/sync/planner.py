"""The decision table: pairs x what changed on each side -> a plan of actions.

`plan()` is the only entry point. It reads plain data (pairs, the two sides' changes, the policy) and
returns a `Plan`; it performs no I/O. Order of work:

1. renames: a Google record listed under a new resource name continues its pair;
2. interrupted creates: an intent row whose Google record shows up (back-reference / event id) is paired;
3. the per-pair table (`_Run.decide_pair`, one commented row per case; detached pairs in `decide_detached`,
   intent rows in `decide_pending`);
4. unpaired Google records: back-reference, then (first sync) e-mail, then phone, else created in the CRM;
5. unpaired CRM records: created in Google;
6. the guard: mass delete, one side empty, first-sync preview.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from . import errors
from .actions import (
    Action,
    AddToGoogleScope,
    CreateInCrm,
    CreateInGoogle,
    DeleteInCrm,
    DeleteInGoogle,
    Guard,
    GuardStatus,
    Link,
    Match,
    Plan,
    PlanTally,
    RecordConflict,
    RemoveFromGoogleScope,
    ReportIssue,
    SaveBase,
    SetBackRef,
    TagInCrm,
    Unlink,
    UntagInCrm,
    UpdateCrm,
    UpdateGoogle,
)
from .changes import DELETED, OUT_OF_SCOPE, Change, Seen
from .errors import Message
from .ids import event_id_for
from .matching import MatchIndex
from .merge import merge
from .policy import Policy, first_sync_needs_preview, mass_delete_exceeded
from .records import ObjectSpec, Record, fingerprint
from .pairs import Pair, PairState, pending_pair

# How one side of a pair looks in this run.
UNCHANGED = "unchanged"  # not listed, or listed with the fingerprint of the last sync (etag-only change)
CHANGED = "changed"  # listed in the sync with other content
DELETED_ = "deleted"  # deleted on that side
LEFT = "left"  # left the sync on that side (untagged, out of the label, before "sync starting from")


def plan(spec: ObjectSpec, pairs: Iterable[Pair], crm_changes: Mapping[str, Change],
         google_changes: Mapping[str, Change], *, policy: Policy = Policy(), crm_full: bool = False,
         google_full: bool = False, first_sync: bool = False, force: bool = False,
         installation_id: str | None = None) -> Plan:
    """Decide what to do for one account and object.

    `crm_changes` / `google_changes`: `{id: Seen | DELETED | OUT_OF_SCOPE}` since each side's cursor.
    `crm_full` / `google_full`: that side's changes are a full listing (a paired record missing from it is
    unknown, never deleted). `first_sync`: no sync of this account and object ever completed; unpaired
    records are matched by e-mail then phone (contacts) before anything is created, and large creations
    ask for a preview. (A first sync normally comes with full listings: say so with the two flags.)
    `force`: apply despite the guard (confirmed on the health page, `--force`). `installation_id`: for the
    deterministic event ids of activities.
    """
    run = _Run(spec, list(pairs), dict(crm_changes), dict(google_changes), policy, crm_full, google_full,
               first_sync, installation_id)
    run.follow_renames()
    run.resolve_pending_by_google()
    for pair in sorted(run.touched_pairs(), key=_pair_order):
        run.decide_pair(pair)
    run.link_unpaired_google()
    run.create_unpaired_crm()
    tally = run.tally()
    return Plan(spec.name, tuple(run.actions), run.guard(force, tally), run.needs_full_listing,
                frozenset(run.refetch_crm), tally)


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
    dirty: set = field(default_factory=set)  # pairs to save even without a content change (renamed, linked)
    needs_full_listing: bool = False
    refetch_crm: set = field(default_factory=set)
    removals: int = 0  # pairs whose record is deleted or taken out of the sync on one side by this plan
    creates: int = 0
    matched: int = 0

    def __post_init__(self):
        self.active_before = sum(1 for p in self.pairs if p.active)
        self.by_crm = {p.crm_id: p for p in self.pairs if p.crm_id is not None}
        self.by_google = {p.google_id: p for p in self.pairs if p.google_id is not None}
        self.used_crm = set(self.by_crm)  # CRM ids consumed by a pair or a match in this run
        self.used_google = set(self.by_google)
        self.position: dict | None = None  # built on the first replacement only

    # --- helpers ---------------------------------------------------------------------------------------

    def touched_pairs(self) -> list[Pair]:
        """Pairs something happened to in this run; the others need nothing (a run costs in proportion to
        the changes, not to the number of pairs)."""
        crm, google, dirty, pending = self.crm, self.google, self.dirty, PairState.PENDING_CREATE
        return [p for p in self.pairs
                if p.crm_id in crm or p.google_id in google or p.state is pending
                or (dirty and self.key(p) in dirty)]

    def emit(self, *actions: Action) -> None:
        self.actions.extend(actions)

    @staticmethod
    def key(pair: Pair):
        return pair.pair_id if pair.pair_id is not None else ("new", pair.crm_id, pair.google_id)

    def event_id(self, crm_id: str) -> str | None:
        if not self.spec.idempotent_create or self.installation_id is None:
            return None
        return event_id_for(self.installation_id, crm_id)

    def _replace_pair(self, old: Pair, new: Pair) -> None:
        if self.position is None:
            self.position = {id(p): i for i, p in enumerate(self.pairs)}
        index = self.position.pop(id(old))
        self.pairs[index] = new
        self.position[id(new)] = index
        if old.google_id is not None:
            self.by_google.pop(old.google_id, None)
        if new.google_id is not None:
            self.by_google[new.google_id] = new
        if new.crm_id is not None:
            self.by_crm[new.crm_id] = new
        self.dirty.add(self.key(new))

    # --- renames and interrupted creates ----------------------------------------------------------------

    def follow_renames(self) -> None:
        """A Google record listed under a new resource name continues the pair of its former name."""
        for google_id, change in sorted(self.google.items()):
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
        """An intent row whose Google record shows up (by back-reference or event id) becomes a pair whose
        base is what we meant to create; the merge then treats Google's copy as Google's content."""
        state = PairState.PENDING_CREATE
        pending = {p.crm_id: p for p in self.pairs if p.state is state}
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

    # --- the per-pair decision table --------------------------------------------------------------------

    def classify(self, change: Change | None, fp: str | None) -> tuple[str, Seen | None]:
        if change is None:
            return UNCHANGED, None
        if change is DELETED:
            return DELETED_, None
        if change is OUT_OF_SCOPE:
            return LEFT, None
        if not change.in_scope:
            return LEFT, change
        if fp is not None and fingerprint(change.record) == fp:
            return UNCHANGED, change
        return CHANGED, change

    def decide_pair(self, pair: Pair) -> None:
        if pair.state is PairState.PENDING_CREATE:
            return self.decide_pending(pair)
        crm, crm_seen = self.classify(self.crm.get(pair.crm_id), pair.crm_fingerprint)
        google, google_seen = self.classify(self.google.get(pair.google_id), pair.google_fingerprint)
        if pair.state is PairState.DETACHED:
            return self.decide_detached(pair, crm, crm_seen, google, google_seen)
        p = self.policy
        if google_seen is not None and google_seen.back_ref != pair.crm_id and p.writes_google:
            # Row 0: the Google record lacks our back-reference (its write was interrupted after a CRM
            #        create): repair it, so the record can never be taken for a new one.
            self.emit(SetBackRef(pair.crm_id, pair.google_id, google_seen.etag))

        # Row 1: nothing changed on either side. Nothing is written; the row is saved only when Google's
        # etag moved with identical content, or the pair was renamed / relinked.
        if crm == UNCHANGED and google == UNCHANGED:
            etag = google_seen.etag if google_seen is not None and google_seen.etag else pair.google_etag
            if self.key(pair) in self.dirty or etag != pair.google_etag:
                self.emit(SaveBase(pair.with_(google_etag=etag)))
            return

        # Row 2: content changed on one or both sides, both still in the sync: field-level three-way merge.
        if crm in (UNCHANGED, CHANGED) and google in (UNCHANGED, CHANGED):
            return self.merge_pair(pair, crm_seen if crm == CHANGED else None,
                                   google_seen if google == CHANGED else None, google_seen)

        # Row 3: gone on both sides. Deleted on either: forget the pair. Left the sync on both (untagged
        # and removed from the label): remember it detached, so a return re-pairs.
        if crm in (DELETED_, LEFT) and google in (DELETED_, LEFT):
            if DELETED_ in (crm, google):
                return self.unlink(pair, "gone_both")
            return self.detach(pair, "both", crm_seen, google_seen)

        # Row 4: deleted in the CRM (Google unchanged or changed).
        if crm == DELETED_:
            if google == CHANGED and p.delete_in_google and p.writes_crm:
                # 4a: real deletion is on, but Google was edited since the base: the edit beats the delete;
                #     the record is re-created in the CRM from Google's content.
                return self.recreate_in_crm(pair, google_seen)
            if google == UNCHANGED and p.delete_in_google and p.writes_google:
                # 4b: real deletion is on and Google is unchanged since the base: delete it there too.
                self.removals += 1
                self.emit(DeleteInGoogle(pair.pair_id, pair.crm_id, pair.google_id, pair.google_etag))
                return self.unlink(pair, "crm_deleted")
            # 4c (default): keep the Google record and its edits; take it out of the sync where Google has a
            #     membership (contacts: remove it from the label); forget the pair.
            self.remove_from_google_scope(pair)
            return self.unlink(pair, "crm_deleted")

        # Row 5: left the sync in the CRM (untagged / "show in calendar" cleared / before "sync starting
        # from"), Google unchanged or edited: contacts leave the label too; the pair is kept detached with
        # Google's content so nothing edited is lost and a return re-pairs. Moving the date never deletes.
        if crm == LEFT:
            self.remove_from_google_scope(pair)
            return self.detach(pair, "crm", crm_seen, google_seen if google == CHANGED else None)

        # Row 6: deleted in Google (the CRM unchanged or changed): see `google_deleted`. A cancelled activity's
        #        event is deleted in Google by the cancellation itself: the pair is kept (6d).
        if google == DELETED_ and self.gone_by_design(pair, crm_seen):
            return self.keep_gone(pair, crm_seen)
        if google == DELETED_:
            return self.google_deleted(pair, crm, crm_seen)

        # Row 7: left the sync in Google (removed from the label / moved out of the calendar's window), the
        # CRM unchanged or edited: contacts are untagged in the CRM; activities keep their CRM mark (a
        # calendar has no membership to mirror). Kept detached.
        if google == LEFT:
            if self.spec.scope_membership and p.writes_crm:
                self.removals += 1
                self.emit(UntagInCrm(pair.pair_id, pair.crm_id, pair.google_id))
            return self.detach(pair, "google", crm_seen if crm == CHANGED else None, google_seen)
        raise AssertionError(f"unhandled pair state {crm}/{google}")  # pragma: no cover

    def gone_by_design(self, pair: Pair, crm_seen: Seen | None) -> bool:
        """The CRM record holds the value that has no live Google counterpart (a cancelled activity)."""
        rule = self.spec.gone_in_google
        crm_now = crm_seen.record if crm_seen is not None else pair.crm_current()
        return rule is not None and crm_now is not None and crm_now[rule[0]] == rule[1]

    def keep_gone(self, pair: Pair, crm_seen: Seen | None) -> None:
        """6d: the pair stays (nothing comes back, nothing is untagged), its base the CRM record as it is: an
        un-cancelled activity later writes its event again (Google restores a deleted event on update)."""
        record = crm_seen.record if crm_seen is not None else pair.crm_current()
        kept = pair.with_(base=record, crm_fingerprint=fingerprint(record), google_fingerprint=fingerprint(record),
                          state=PairState.SYNCED, conflicts=frozenset(), crm_record=None, google_record=None)
        if kept != pair or self.key(pair) in self.dirty:
            self.emit(SaveBase(kept))

    def google_deleted(self, pair: Pair, crm: str, crm_seen: Seen | None) -> None:
        """Row 6: deleted in Google while the CRM record is in the sync (unchanged or changed)."""
        p = self.policy
        if crm == CHANGED and p.delete_in_crm and p.writes_google:
            # 6a: real deletion is on, but the CRM was edited since the base: the edit beats the delete;
            #     the record is re-created in Google.
            return self.recreate_in_google(pair, crm_seen)
        if crm == UNCHANGED and p.delete_in_crm and p.writes_crm:
            # 6b: real deletion is on and the CRM is unchanged since the base: delete it there too.
            self.removals += 1
            self.emit(DeleteInCrm(pair.pair_id, pair.crm_id, pair.google_id))
            return self.unlink(pair, "google_deleted")
        # 6c (default): keep the CRM record and its edits, untag it (activities: clear "show in
        #     calendar"); forget the pair.
        if p.writes_crm:
            self.removals += 1
            self.emit(UntagInCrm(pair.pair_id, pair.crm_id, pair.google_id))
        return self.unlink(pair, "google_deleted")

    def decide_detached(self, pair: Pair, crm: str, crm_seen, google: str, google_seen) -> None:
        """A pair that left the sync on one side. Nothing is written unless a record comes back."""
        # D1: an activity still marked in the CRM whose event left the calendar and is now deleted there:
        #     handled as a Google delete of a synced pair (default: clear the mark, keep the activity).
        if google == DELETED_ and pair.left == "google" and not self.spec.scope_membership \
                and crm in (UNCHANGED, CHANGED):
            return self.google_deleted(pair, crm, crm_seen)
        # D2: deleted on either side while detached: forget the pair; a record of the other side that is
        #     back in the sync is then handled like any unpaired record (created on the other side).
        if DELETED_ in (crm, google):
            self.unlink(pair, "gone_while_detached")
            self.by_crm.pop(pair.crm_id, None)
            self.by_google.pop(pair.google_id, None)
            self.used_crm.discard(pair.crm_id)
            self.used_google.discard(pair.google_id)
            return
        crm_back = crm == CHANGED or (crm == UNCHANGED and crm_seen is not None)
        google_back = google == CHANGED or (google == UNCHANGED and google_seen is not None)
        left = pair.left or ("both" if self.spec.scope_membership else "crm")  # rows saved without `left`
        if crm == LEFT and left == "google":
            left = "both"  # the CRM side left too, in this run: remembered, so Google alone cannot return it
            pair = pair.with_(left=left)
            self.dirty.add(self.key(pair))
        if not self.spec.scope_membership and google_back and not crm_back and left in ("crm", "both"):
            # Activities have no Google membership to mirror: an event back in the calendar does not mark the
            # activity again; only the CRM side coming back returns the pair. (left "both" -> "crm")
            google_back = False
            if left == "both":
                pair = pair.with_(left="crm")
                self.dirty.add(self.key(pair))
        if not (crm_back or google_back):
            # D3: still out of the sync: only keep what each side now holds (for the merge on return); a side
            #     reported out of the sync without content is marked unknown.
            updated = _detached_sides(pair, crm_seen, crm == LEFT and crm_seen is None,
                                      google_seen, google == LEFT and google_seen is None)
            if updated != pair or self.key(pair) in self.dirty:
                self.emit(SaveBase(updated))
            return
        # D4: back in the sync on one side (re-tagged, put back in the label, moved back into the window):
        #     bring the other side back too (contacts) and merge against the base, so nothing is duplicated.
        self.emit(Link(pair.crm_id, pair.google_id, Match.RETURN))
        if self.spec.scope_membership:
            if crm_back and not google_back and self.policy.writes_google:
                self.emit(AddToGoogleScope(pair.pair_id, pair.crm_id, pair.google_id))
            if google_back and not crm_back and self.policy.writes_crm:
                self.emit(TagInCrm(pair.pair_id, pair.crm_id, pair.google_id))
        # A side whose content is unknown (it left without content and is not listed now) is asked for
        # (`refetch_crm`) and, failing that, written in full with the merged record so both sides agree.
        overwrite = set()
        if crm_seen is None and (pair.crm_fingerprint is None or crm == LEFT):
            overwrite.add("crm")
            self.refetch_crm.add(pair.crm_id)
        if google_seen is None and (pair.google_fingerprint is None or google == LEFT):
            overwrite.add("google")
        returned = pair.with_(state=PairState.SYNCED, left=None)
        self.dirty.add(self.key(returned))
        self.merge_pair(returned, crm_seen, google_seen, google_seen, overwrite=overwrite)

    def decide_pending(self, pair: Pair) -> None:
        """An intent row whose Google record was not found in this run's Google changes."""
        change = self.crm.get(pair.crm_id)
        if change is DELETED or change is OUT_OF_SCOPE or (isinstance(change, Seen) and not change.in_scope) \
                or (change is None and self.crm_full) or not self.policy.writes_google:
            # P1: the CRM record left meanwhile (or a full CRM listing no longer has it): drop the intent.
            #     With deterministic ids the half-done create is rolled back (410/404 count as done).
            if self.spec.idempotent_create and self.event_id(pair.crm_id) and self.policy.writes_google:
                self.emit(DeleteInGoogle(pair.pair_id, pair.crm_id, self.event_id(pair.crm_id)))
            return self.unlink(pair, "pending_dropped")
        record = change.record if isinstance(change, Seen) else pair.base
        if self.spec.idempotent_create or self.google_full:
            # P2: a repeated create cannot duplicate (deterministic event id -> 409 -> paired), or a full
            #     listing proved it never reached Google: create (again), reusing the intent row.
            self.creates += 1
            self.emit(CreateInGoogle(pair.crm_id, record, self.event_id(pair.crm_id), pair.pair_id))
            return
        # P3: it may have reached Google without showing up yet in an incremental listing: ask for a full
        #     listing rather than risk a duplicate; keep the CRM's latest content in the intent meanwhile.
        self.needs_full_listing = True
        if record != pair.base:
            self.emit(SaveBase(pending_pair(pair.pair_id, pair.crm_id, record, extra=pair.extra)))
        self.emit(ReportIssue(Message(errors.ISSUE_PENDING_CREATE, {"crm_id": pair.crm_id}), crm_id=pair.crm_id))

    # --- outcomes ---------------------------------------------------------------------------------------

    def merge_pair(self, pair: Pair, crm_changed: Seen | None, google_changed: Seen | None,
                   google_seen: Seen | None, *, base: Record | None = ..., overwrite: set = frozenset()) -> None:
        """Merge, write each side only where it differs from the result, save the new base."""
        base = pair.base if base is ... else base
        crm_now = crm_changed.record if crm_changed is not None else pair.crm_current()
        google_now = google_changed.record if google_changed is not None else pair.google_current()
        result = merge(self.spec, base, crm_now, google_now, policy=self.policy,
                       crm_modified=crm_changed.modified if crm_changed else None,
                       google_modified=google_changed.modified if google_changed else None)
        every = frozenset(self.spec.field_names)
        crm_fields = every if "crm" in overwrite else _changed_fields(crm_now, result.crm)
        google_fields = every if "google" in overwrite else _changed_fields(google_now, result.google)
        etag = google_seen.etag if google_seen is not None and google_seen.etag else pair.google_etag
        if crm_fields and self.policy.writes_crm:
            expected_fp = fingerprint(crm_now) if crm_changed is not None else pair.crm_fingerprint
            # A CRM side the plan does not know (written in full on purpose) has nothing to compare against.
            known = "crm" not in overwrite and expected_fp is not None
            self.emit(UpdateCrm(pair.pair_id, pair.crm_id, pair.google_id, crm_fields, result.crm,
                                crm_now if known else None, expected_fp if known else None))
        if google_fields and self.policy.writes_google:
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
            left=None,
        )
        if new_pair != pair or self.key(pair) in self.dirty:
            self.emit(SaveBase(new_pair))

    def unlink(self, pair: Pair, reason: str) -> None:
        self.emit(Unlink(pair.pair_id, pair.crm_id, pair.google_id, reason))

    def detach(self, pair: Pair, left: str, crm_seen: Seen | None, google_seen: Seen | None) -> None:
        """Keep the pair, out of the sync, with what each side holds. A side that left without content
        (`OUT_OF_SCOPE` rather than `Seen(in_scope=False)`) is marked unknown (fingerprint None)."""
        crm_unknown = self.crm.get(pair.crm_id) is OUT_OF_SCOPE
        google_unknown = self.google.get(pair.google_id) is OUT_OF_SCOPE
        self.emit(SaveBase(_detached_sides(pair.with_(state=PairState.DETACHED, left=left, conflicts=frozenset()),
                                           crm_seen, crm_unknown, google_seen, google_unknown)))

    def remove_from_google_scope(self, pair: Pair) -> None:
        if self.spec.scope_membership and self.policy.writes_google:
            self.removals += 1
            self.emit(RemoveFromGoogleScope(pair.pair_id, pair.crm_id, pair.google_id))

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
        """Google records in the sync with no pair: back-reference, then (first sync) e-mail, then phone;
        when nothing matches, a CRM record is created."""
        unpaired_crm = {cid: ch for cid, ch in sorted(self.crm.items())
                        if isinstance(ch, Seen) and ch.in_scope and cid not in self.used_crm}
        matching = self.first_sync and bool(self.spec.match_keys)
        index = None  # built at the first record to match: a first sync into an empty Google needs none
        for google_id, change in sorted(self.google.items()):
            if not isinstance(change, Seen) or not change.in_scope or google_id in self.used_google:
                continue
            if change.back_ref is not None:
                self.link_by_back_ref(google_id, change, unpaired_crm)
                continue
            if matching and index is None:
                index = MatchIndex(self.spec, unpaired_crm)
            match = index.find(change.record, self.used_crm) if index is not None else None
            if match is not None:
                # M1: first sync, same normalized e-mail (else phone) as an unpaired CRM record: pair them.
                crm_id, how = match
                self.link_new(crm_id, unpaired_crm[crm_id], google_id, change, how, set_back_ref=True)
                continue
            if self.policy.writes_crm:
                # U1: nothing matches: a new CRM record in the sync (the engine writes its id back to Google).
                self.creates += 1
                self.used_google.add(google_id)
                self.emit(CreateInCrm(google_id, change.record))

    def link_by_back_ref(self, google_id: str, change: Seen, unpaired_crm: dict) -> None:
        crm_id = change.back_ref
        if crm_id in unpaired_crm:
            # B1: the CRM record it names is in this run, in the sync and unpaired: pair them (merge with no
            #     base: an empty value never beats a filled one, sets are united).
            return self.link_new(crm_id, unpaired_crm[crm_id], google_id, change, Match.BACK_REF)
        if crm_id in self.by_crm:
            # B2: that CRM record is already paired with another Google record (a copy made in Google):
            #     leave the copy alone and say so.
            self.emit(ReportIssue(Message(errors.ISSUE_DUPLICATE_BACK_REF, {"google_id": google_id,
                                                                             "crm_id": crm_id}),
                                  crm_id=crm_id, google_id=google_id))
            return
        if crm_id in self.crm or self.crm_full:
            # B3: the CRM record is deleted or outside the sync. Contacts: the user put the Google contact
            #     in the label, so it comes into the CRM, reusing the named record if it still exists.
            #     Activities: an event stays in the calendar when its activity leaves; it is left alone.
            if self.spec.scope_membership and self.policy.writes_crm:
                self.creates += 1
                self.used_google.add(google_id)
                self.emit(CreateInCrm(google_id, change.record, reuse_crm_id=crm_id))
            return
        # B4: unknown to this run (incremental CRM listing): the engine fetches that CRM record and plans again.
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
            if isinstance(change, Seen) and change.in_scope and crm_id not in self.used_crm:
                # C1: a CRM record in the sync with no pair and no match: create it in Google.
                self.used_crm.add(crm_id)
                self.creates += 1
                self.emit(CreateInGoogle(crm_id, change.record, self.event_id(crm_id)))

    # --- safety -----------------------------------------------------------------------------------------

    def guard(self, force: bool, tally: PlanTally) -> Guard:
        empty = empty_side(self.active_before, tally, SideSummary(self.crm_full).add(self.crm),
                           SideSummary(self.google_full).add(self.google))
        return run_guard(self.policy, tally, self.active_before, empty, first_sync=self.first_sync, force=force)

    def tally(self) -> PlanTally:
        activated = crm_gone = google_gone = 0
        if self.active_before or self.position is not None:
            for p in self.pairs:
                if p.active:
                    activated += 1
                    crm_gone += _gone(self.crm.get(p.crm_id))
                    crm_seen = self.crm.get(p.crm_id)
                    if not self.gone_by_design(p, crm_seen if isinstance(crm_seen, Seen) else None):
                        google_gone += _gone(self.google.get(p.google_id))  # a cancellation is no emptying
            activated -= self.active_before
        return PlanTally(self.removals, self.creates, self.matched,
                         sum(1 for a in self.actions if isinstance(a, CreateInGoogle)),
                         sum(1 for a in self.actions if isinstance(a, CreateInCrm)),
                         activated, crm_gone, google_gone)


# --- the guard, also used for a run planned in chunks (wizard.sync.chunking) -------------------------------

@dataclass
class SideSummary:
    """What the guard needs to know of one side's changes; a run planned in chunks adds each chunk's."""

    full: bool = False
    listed: bool = False
    in_sync: bool = False  # some record is listed in the sync

    def add(self, changes: Mapping[str, Change]) -> "SideSummary":
        if changes:
            self.listed = True
        if not self.in_sync:
            self.in_sync = any(isinstance(c, Seen) and c.in_scope for c in changes.values())
        return self


def empty_side(active_before: int, tally: PlanTally, crm: SideSummary, google: SideSummary) -> str | None:
    """'crm' / 'google' when that side looks empty while active pairs exist: a full listing with nothing in
    the sync, or every active pair's record gone from it with nothing new listed."""
    if not active_before:
        return None
    active = active_before + tally.activated
    for name, summary, gone in (("crm", crm, tally.crm_gone), ("google", google, tally.google_gone)):
        if summary.in_sync or not (summary.full or summary.listed):
            continue
        if summary.full or gone >= active:
            return name
    return None


def run_guard(policy: Policy, tally: PlanTally, active_before: int, empty: str | None, *, first_sync: bool,
              force: bool) -> Guard:
    """Block a plan that empties a side or deletes too much; ask for a preview of a large first sync."""
    status, message = GuardStatus.OK, None
    if empty is not None:
        status = GuardStatus.BLOCKED
        message = Message(errors.GUARD_SIDE_EMPTY, {"side": empty, "pairs": active_before})
    elif mass_delete_exceeded(tally.removals, active_before, policy):
        status = GuardStatus.BLOCKED
        message = Message(errors.GUARD_MASS_DELETE, {"removals": tally.removals, "pairs": active_before})
    elif first_sync and first_sync_needs_preview(tally.creates, policy):
        status = GuardStatus.PREVIEW
        message = Message(errors.GUARD_FIRST_SYNC_PREVIEW, {
            "to_google": tally.to_google, "to_crm": tally.to_crm, "matched": tally.matched})
    if status is not GuardStatus.OK and force:
        return Guard(GuardStatus.OK, message, forced=True)
    return Guard(status, message)


def _detached_sides(pair: Pair, crm_seen: Seen | None, crm_unknown: bool, google_seen: Seen | None,
                    google_unknown: bool) -> Pair:
    """A detached pair updated with what each side now holds (a listed record) or doesn't say (unknown)."""
    changes = {}
    for side, seen, unknown in (("crm", crm_seen, crm_unknown), ("google", google_seen, google_unknown)):
        if seen is not None:
            changes[f"{side}_record"] = seen.record if seen.record != pair.base else None
            changes[f"{side}_fingerprint"] = fingerprint(seen.record)
        elif unknown:
            changes[f"{side}_record"] = None
            changes[f"{side}_fingerprint"] = None
    return pair.with_(**changes)


def _gone(change: Change | None) -> bool:
    return change is DELETED or change is OUT_OF_SCOPE or (isinstance(change, Seen) and not change.in_scope)


def _changed_fields(before: Record, after: Record) -> frozenset[str]:
    return frozenset(name for name in after if before[name] != after[name])
