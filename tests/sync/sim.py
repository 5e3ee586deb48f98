"""An in-memory simulation of both sides and of the engine, to drive the pure core in property tests.

Each side keeps records, scope membership (CRM tag / Google label), deletions, modification times and a
change log (ids in order); a cursor is a position in that log. `Simulation.sync()` lists the changes since
the cursors, calls `wizard.sync.plan`, applies the plan action by action the way the engine must (intent row
before a Google create, CRM create and its pair in one step, back-reference written afterwards) and moves the
cursors to where the listing was taken, so the sync's own writes come back in the next listing.
`crash_after` stops applying after that many steps without moving the cursors (a killed worker).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from wizard.sync import (
    DELETED,
    OUT_OF_SCOPE,
    AddToGoogleScope,
    CreateInCrm,
    CreateInGoogle,
    DeleteInCrm,
    DeleteInGoogle,
    Pair,
    Policy,
    Record,
    RemoveFromGoogleScope,
    SaveBase,
    Seen,
    SetBackRef,
    TagInCrm,
    Unlink,
    UntagInCrm,
    UpdateCrm,
    UpdateGoogle,
    plan,
)
from wizard.sync.guarded import after_refused_google_write, fingerprint_basis, guarded_write
from wizard.sync.records import ObjectSpec, fingerprint
from wizard.sync.pairs import pair_after_create, pending_pair, synced_pair

T0 = datetime(2026, 1, 1, tzinfo=timezone.utc)


class Crash(Exception):
    pass


@dataclass
class Side:
    name: str
    records: dict = field(default_factory=dict)
    in_scope: set = field(default_factory=set)
    deleted: set = field(default_factory=set)
    modified: dict = field(default_factory=dict)
    back_ref: dict = field(default_factory=dict)  # Google: id -> CRM id
    etag: dict = field(default_factory=dict)
    log: list = field(default_factory=list)
    next_id: int = 0

    def new_id(self) -> str:
        self.next_id += 1
        return f"{self.name[0]}{self.next_id}"

    def touch(self, rid: str, clock: "Clock") -> None:
        self.modified[rid] = clock.tick()
        self.etag[rid] = self.etag.get(rid, 0) + 1
        self.log.append(rid)

    def alive(self) -> set:
        return set(self.records) - self.deleted

    def live_in_scope(self) -> set:
        return (self.in_scope & set(self.records)) - self.deleted

    def seen(self, rid: str, content_out_of_scope: bool = True):
        if rid not in self.in_scope and not content_out_of_scope:
            return OUT_OF_SCOPE  # an adapter that does not say what a record outside the sync holds
        return Seen(self.records[rid], self.modified.get(rid), back_ref=self.back_ref.get(rid),
                    etag=str(self.etag.get(rid, 0)), in_scope=rid in self.in_scope)

    def changes_since(self, cursor: int, content_out_of_scope: bool = True) -> dict:
        out = {}
        for rid in dict.fromkeys(self.log[cursor:]):
            out[rid] = DELETED if rid in self.deleted else self.seen(rid, content_out_of_scope)
        return out

    def full_listing(self) -> dict:
        return {rid: self.seen(rid) for rid in sorted(self.live_in_scope())}


class Clock:
    def __init__(self):
        self.t = 0

    def tick(self) -> datetime:
        self.t += 1
        return T0 + timedelta(seconds=self.t)


@dataclass
class Simulation:
    spec: ObjectSpec
    policy: Policy = Policy()
    installation_id: str = "inst-1"
    crm: Side = field(default_factory=lambda: Side("crm"))
    google: Side = field(default_factory=lambda: Side("google"))
    pairs: dict = field(default_factory=dict)  # pair_id -> Pair
    crm_cursor: int = 0
    google_cursor: int = 0
    synced_once: bool = False
    clock: Clock = field(default_factory=Clock)
    next_pair: int = 0
    history: list = field(default_factory=list)
    content_out_of_scope: bool = True  # False: records outside the sync are reported as OUT_OF_SCOPE
    written: dict = field(default_factory=dict)  # CRM id -> fingerprint of what the run's update wrote
    refused: set = field(default_factory=set)  # pair keys whose Google update Google refused (stale etag)
    crm_written: dict = field(default_factory=dict)  # CRM id -> the record the run's update left there
    google_read: dict = field(default_factory=dict)  # the Google changes the plan was made from
    run_wrote: set = field(default_factory=set)  # Google ids this run has written (their etag moved on)

    # --- user actions -------------------------------------------------------------------------------

    def user_create(self, side: Side, record: Record, *, in_scope: bool = True) -> str:
        rid = side.new_id()
        side.records[rid] = record
        if in_scope:
            side.in_scope.add(rid)
        side.touch(rid, self.clock)
        return rid

    def user_edit(self, side: Side, rid: str, record: Record) -> None:
        side.records[rid] = record
        side.touch(rid, self.clock)

    def user_delete(self, side: Side, rid: str) -> None:
        side.deleted.add(rid)
        side.in_scope.discard(rid)
        side.touch(rid, self.clock)

    def user_scope(self, side: Side, rid: str, inside: bool) -> None:
        (side.in_scope.add if inside else side.in_scope.discard)(rid)
        side.touch(rid, self.clock)

    # --- the engine ---------------------------------------------------------------------------------

    def make_plan(self, *, google_full: bool = False, force: bool = False):
        # A first sync lists both sides in full; if it was interrupted after pairs were saved, the retry reads
        # both logs from their start instead (a listing that also reports what was deleted meanwhile).
        first = not self.synced_once
        crm_full = first and not self.pairs
        google_full = crm_full or google_full
        content = self.content_out_of_scope
        crm_changes = self.crm.full_listing() if crm_full else self.crm.changes_since(self.crm_cursor, content)
        google_changes = (self.google.full_listing() if google_full
                          else self.google.changes_since(self.google_cursor, content))
        self.google_read = google_changes
        refetched = False
        while True:
            the_plan = plan(self.spec, list(self.pairs.values()), crm_changes, google_changes,
                            policy=self.policy, first_sync=first, crm_full=crm_full, google_full=google_full,
                            force=force, installation_id=self.installation_id)
            if not the_plan.refetch_crm or refetched:
                return the_plan
            # Google names CRM records this listing did not include: fetch them once and plan again.
            refetched = True
            for cid in the_plan.refetch_crm:
                if cid in crm_changes and crm_changes[cid] is not OUT_OF_SCOPE:
                    raise AssertionError(f"refetch of {cid} already listed")
                crm_changes[cid] = (DELETED if cid in self.crm.deleted or cid not in self.crm.records
                                    else self.crm.seen(cid, content))

    def sync(self, *, google_full: bool = False, crash_after: int | None = None, force: bool = True,
             meanwhile=None):
        """One run; returns the plan. `force` stands for the user confirming a blocked plan; `meanwhile` is
        called between the plan (the run's read) and its application (a person saving in between)."""
        crm_mark, google_mark = len(self.crm.log), len(self.google.log)
        the_plan = self.make_plan(google_full=google_full, force=False)
        if not the_plan.allowed:
            self.history.append(("blocked", the_plan.guard))
            if not force:
                return the_plan
            the_plan = self.make_plan(google_full=google_full, force=True)
        if meanwhile is not None:
            meanwhile()
        self.apply(the_plan, crash_after)
        self.crm_cursor, self.google_cursor = crm_mark, google_mark
        self.synced_once = True
        if the_plan.needs_full_listing:
            return self.sync(google_full=True)
        return the_plan

    def apply(self, the_plan, crash_after: int | None) -> None:
        steps = [0]

        def step():
            if crash_after is not None and steps[0] >= crash_after:
                raise Crash()
            steps[0] += 1

        self.written, self.refused, self.crm_written, self.run_wrote = {}, set(), {}, set()
        for action in the_plan.actions:
            self.apply_one(action, step)
        self.replan_refused(step)

    def replan_refused(self, step) -> None:
        """As the engine does when Google refuses an update on a stale etag: read both records as they are
        now, plan those pairs again against their saved base, and apply that plan (once)."""
        refused = sorted(gid for tag, gid in self.refused if tag == "g")
        pairs = [after_refused_google_write(p, self.crm_written.get(p.crm_id), self.google_then(p))
                 for p in self.pairs.values() if p.google_id in refused]
        if not pairs:
            return
        crm = {p.crm_id: self.crm.seen(p.crm_id) for p in pairs if p.crm_id in self.crm.alive()}
        google = {p.google_id: self.google.seen(p.google_id) for p in pairs}
        again = plan(self.spec, pairs, crm, google, policy=self.policy, installation_id=self.installation_id)
        self.written, self.refused = {}, set()
        for action in again.actions:
            self.apply_one(action, step)

    def google_then(self, pair):
        seen = self.google_read.get(pair.google_id)
        return seen.record if isinstance(seen, Seen) else pair.google_current()

    def save(self, pair: Pair) -> Pair:
        if pair.pair_id is None:
            self.next_pair += 1
            pair = pair.with_(pair_id=self.next_pair)
        self.pairs[pair.pair_id] = pair
        return pair

    def apply_one(self, a, step) -> None:
        crm, google = self.crm, self.google
        if isinstance(a, CreateInGoogle):
            step()
            # the intent row (new, or the retried one refreshed with the content about to be sent)
            intent = self.save(pending_pair(a.pair_id, a.crm_id, a.record))
            step()
            gid = a.event_id or google.new_id()
            # an existing (possibly cancelled) event with this id answers 409: ours, so it is overwritten
            google.records[gid] = a.record
            google.deleted.discard(gid)
            google.in_scope.add(gid)
            google.back_ref[gid] = a.crm_id
            google.touch(gid, self.clock)
            step()
            self.save(pair_after_create(intent, gid, a.record, google_etag=str(google.etag[gid])))
        elif isinstance(a, CreateInCrm):
            step()
            reuse = a.reuse_crm_id
            cid = reuse if reuse is not None and reuse in crm.alive() else crm.new_id()
            crm.records[cid] = a.record
            crm.in_scope.add(cid)
            crm.touch(cid, self.clock)
            self.save(synced_pair(None, cid, a.google_id, a.record))
            step()
            google.back_ref[a.google_id] = cid
            google.touch(a.google_id, self.clock)
            self.run_wrote.add(a.google_id)
        elif isinstance(a, UpdateGoogle):
            step()
            if self.spec.gone_in_google and a.google_id in google.deleted:
                google.deleted.discard(a.google_id)  # Google restores a deleted event on update (un-cancelled)
            assert a.google_id in google.alive(), a
            # (the run's own earlier write in this run, e.g. a back-reference, is one call with it in the engine)
            if a.etag is not None and a.etag != str(google.etag.get(a.google_id, 0)) \
                    and a.google_id not in self.run_wrote:
                # Google refuses a stale etag: nothing written, the pair keeps its base (merged next run).
                self.refused |= {("c", a.crm_id), ("g", a.google_id)}
                return
            current = google.records[a.google_id]
            google.records[a.google_id] = current.replace(**{f: a.record[f] for f in a.fields})
            self.run_wrote.add(a.google_id)
            google.touch(a.google_id, self.clock)
        elif isinstance(a, UpdateCrm):
            step()
            assert a.crm_id in crm.alive(), a
            current = crm.records[a.crm_id]
            # compare-and-set, as the engine does: a person's save since the plan keeps its fields
            write = guarded_write(a.expected, a.expected_fingerprint, current, a.fields, a.record)
            crm.records[a.crm_id] = current.replace(**{f: a.record[f] for f in write.fields})
            self.crm_written[a.crm_id] = fingerprint_basis(crm.records[a.crm_id], write)
            self.written[a.crm_id] = fingerprint(self.crm_written[a.crm_id])
            crm.touch(a.crm_id, self.clock)
        elif isinstance(a, SetBackRef):
            step()
            self.run_wrote.add(a.google_id)
            google.back_ref[a.google_id] = a.crm_id
            google.touch(a.google_id, self.clock)
        elif isinstance(a, (RemoveFromGoogleScope, AddToGoogleScope)):
            step()
            self.user_scope(google, a.google_id, isinstance(a, AddToGoogleScope))
            self.run_wrote.add(a.google_id)
        elif isinstance(a, (UntagInCrm, TagInCrm)):
            step()
            self.user_scope(crm, a.crm_id, isinstance(a, TagInCrm))
        elif isinstance(a, DeleteInGoogle):
            step()
            if a.google_id in google.alive():  # deleting what is already gone (410/404) is success
                self.user_delete(google, a.google_id)
        elif isinstance(a, DeleteInCrm):
            step()
            self.user_delete(crm, a.crm_id)
        elif isinstance(a, Unlink):
            step()
            for pid, pair in list(self.pairs.items()):
                if (a.pair_id is not None and pid == a.pair_id) or (
                        a.pair_id is None and pair.crm_id == a.crm_id and pair.google_id == a.google_id):
                    del self.pairs[pid]
        elif isinstance(a, SaveBase):
            step()
            if {("c", a.pair.crm_id), ("g", a.pair.google_id)} & self.refused:
                return
            pair = a.pair
            if pair.crm_id in self.written:
                pair = pair.with_(crm_fingerprint=self.written.pop(pair.crm_id))
            self.save(pair)
        # Link, RecordConflict, ReportIssue: bookkeeping only
