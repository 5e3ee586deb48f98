"""Applying a plan: the core's actions sent through the adapters in batches, each batch's results committed
(pair rows, issues, progress) before the next batch is sent.

Order: bookkeeping that writes nothing (pairs matched, unlinked, bases moved on), then CRM writes (in our own
database: a write and its pair row commit together), then Google writes: creates (intent rows committed
first), updates and back-references, scope removals, deletes. A SaveBase that belongs to a Google write is
saved only once Google has answered for it, with Google's new etag.
"""
from collections import defaultdict
from dataclasses import dataclass, field

from wizard.engine.pairs import to_core
from wizard.engine.policy import SPECS
from wizard.extensions import begin_write, db
from wizard.google.errors import StaleEtag
from wizard.models.sync import SyncConflict
from wizard.sync import actions as A
from wizard.sync.guarded import after_refused_google_write, fingerprint_basis, guarded_write
from wizard.sync.pairs import pair_after_create, pending_pair, synced_pair
from wizard.sync.records import fingerprint

CRM_BATCH = 200



@dataclass
class Tally:
    counts: dict = field(default_factory=lambda: {"google": defaultdict(int), "crm": defaultdict(int)})
    issues: int = 0
    conflicts: int = 0

    def add(self, side: str, verb: str, n: int = 1):
        self.counts[side][verb] += n

    def as_json(self) -> dict:
        return {"google": dict(self.counts["google"]), "crm": dict(self.counts["crm"]),
                "issues": self.issues, "conflicts": self.conflicts}


@dataclass
class _Prepared:
    """A batch of creates made ready: its intents, their row ids, and the Person bodies to send."""
    intents: list
    row_ids: list
    bodies: list | None = None
    payload: bytes | None = None  # the bodies' request, encoded by the sender ahead of sending


class Applier:
    """Applies one plan for one run through the run context `ctx` (adapters, pair table, commits)."""
    def __init__(self, ctx, plan):
        self.ctx = ctx
        self.plan = plan
        self.tally = ctx.tally
        self.backrefs: list = []
        self.crm_written: dict = {}  # CRM id -> the record this plan's update left there (see _agree_on_crm_writes)
        google_keys = _keys(a for a in plan.actions if a.writes_google and not isinstance(a, A.CreateInGoogle))
        # A pair leaving Google's side (label left, record deleted) is forgotten only once Google has answered
        # (`_after_removal`): forgotten before, a run dying in between would leave Google unchanged for ever.
        self.removal_keys = _keys(plan.of(A.RemoveFromGoogleScope, A.DeleteInGoogle))
        # Likewise on the CRM's side: a pair whose record Google deleted is forgotten in the savepoint of the
        # CRM untag or delete, so both are committed together; forgotten before, a run dying in between left the
        # record tagged and unpaired, and its next CRM edit would have created it in Google again.
        self.crm_removal_keys = _keys(plan.of(A.UntagInCrm, A.DeleteInCrm))
        self.unlink_keys = _keys(plan.of(A.Unlink))
        crm_keys = _keys(a for a in plan.actions if a.writes_crm and not isinstance(a, A.CreateInCrm))
        # Each SaveBase waits for the last write of its pair: Google's answer, else the CRM write, else none.
        self.waiting: dict = {}
        self.now: list = []
        for action in plan.of(A.SaveBase):
            keys = _pair_keys(action.pair)
            phase = "google" if keys & google_keys else "crm" if keys & crm_keys else None
            if phase is None:
                self.now.append(action.pair)
                continue
            for key in keys:
                self.waiting[(phase, key)] = action.pair

    def take_base(self, phase, pair_id=None, crm_id=None, google_id=None):
        """The SaveBase planned for the pair a write of `phase` touches, if that write is its last one."""
        for key in (("p", pair_id), ("c", crm_id), ("g", google_id)):
            if key[1] is not None and (phase, key) in self.waiting:
                pair = self.waiting[(phase, key)]
                for other in _pair_keys(pair):
                    self.waiting.pop((phase, other), None)
                return pair
        return None

    # --- the run ------------------------------------------------------------------------------------------
    def apply(self):
        self.bookkeeping()
        self.ctx.checkpoint("before_crm_writes")
        self.crm_writes()
        self.ctx.checkpoint("before_google_writes")
        self.google_creates()
        self.google_additions()
        self.google_updates()
        self.google_removals()
        self.google_deletes()
        self.ctx.commit_batch(0)

    def bookkeeping(self):
        """Conflicts and issues recorded; unlinks; bases of pairs that no write touches (e.g. a
        content-identical etag change moves the etag on)."""
        pairs = self.ctx.pairs
        for action in self.plan.actions:
            if isinstance(action, A.RecordConflict):
                self.record_conflict(action)
            elif isinstance(action, A.ReportIssue):
                self.ctx.issue(action.message.code, action.message.params, crm_id=action.crm_id,
                               google_id=action.google_id)
            elif isinstance(action, A.Unlink) and not _keys([action]) & (self.removal_keys | self.crm_removal_keys):
                pairs.delete(pairs.find(action.pair_id, action.crm_id, action.google_id))
        for pair in self.now:
            pairs.save(pair)
        self.ctx.commit_batch(0)

    def record_conflict(self, action):
        self.tally.conflicts += 1
        field_name = ",".join(action.fields)
        row = db.session.scalar(db.select(SyncConflict).where(
            SyncConflict.account_id == self.ctx.account_id, SyncConflict.object == self.ctx.object,
            SyncConflict.crm_id == _int(action.crm_id), SyncConflict.field == field_name,
            SyncConflict.resolved_at.is_(None)))
        if row is None:
            row = SyncConflict(account_id=self.ctx.account_id, object=self.ctx.object,
                               crm_id=_int(action.crm_id), field=field_name)
            db.session.add(row)
        row.pair_id = action.pair_id if isinstance(action.pair_id, int) else None
        row.google_id = action.google_id
        row.label = self.ctx.store.label(action.crm_id) if action.crm_id else ""
        values = [action.base, action.crm, action.google]
        if len(action.fields) == 1:  # one field: its value, not a one-element unit
            values = [v[0] if isinstance(v, tuple) and len(v) == 1 else v for v in values]
        row.base_value, row.crm_value, row.google_value = (_json(v) for v in values)

    # --- CRM ---------------------------------------------------------------------------------------------
    def crm_writes(self):
        store, pairs = self.ctx.store, self.ctx.pairs
        writes = [a for a in self.plan.actions if a.writes_crm]
        backrefs = []
        for start in range(0, len(writes), CRM_BATCH):
            chunk = writes[start:start + CRM_BATCH]
            begin_write()  # each record's savepoint must not start a reader that another writer deadlocks
            for action in chunk:
                try:
                    with db.session.begin_nested():
                        self._crm_write(action, store, pairs, backrefs)
                except Exception as error:  # noqa: BLE001  (one record's bad data must not stop the run)
                    self.ctx.issue("sync.issue.crm_write_failed", {"detail": str(error)[:300]},
                                   crm_id=getattr(action, "crm_id", None), google_id=getattr(action, "google_id", None))
            self.ctx.commit_batch(len(chunk))
        self.backrefs = backrefs

    def _crm_write(self, action, store, pairs, backrefs):
        if isinstance(action, A.CreateInCrm):
            crm_id = self._create_or_reuse(action, store)
            db.session.flush()
            crm_record = store.record(crm_id)
            seen = self.ctx.google_seen.get(action.google_id)
            pair = synced_pair(None, crm_id, action.google_id, action.record,
                               google_etag=getattr(seen, "etag", None))
            pair = pair.with_(crm_fingerprint=fingerprint(crm_record) if crm_record is not None else pair.crm_fingerprint)
            pairs.save(pair)
            # One-way from Google: nothing is written there, not even this. A reused record is the one the
            # Google record already names.
            if self.ctx.policy.writes_google and crm_id != action.reuse_crm_id:
                backrefs.append(A.SetBackRef(crm_id=crm_id, google_id=action.google_id, etag=pair.google_etag))
            self.tally.add("crm", "tag" if crm_id == action.reuse_crm_id else "create")
        elif isinstance(action, A.UpdateCrm):
            self._guarded_update(action, store)
        elif isinstance(action, A.TagInCrm):
            store.tag(action.crm_id)
            self._save_base_after_crm(action)
            self.tally.add("crm", "tag")
        elif isinstance(action, A.UntagInCrm):
            store.untag(action.crm_id)
            self._save_base_after_crm(action)
            self.tally.add("crm", "untag")
        elif isinstance(action, A.DeleteInCrm):
            store.delete(action.crm_id)
            self._save_base_after_crm(action)
            self.tally.add("crm", "delete")

    def _create_or_reuse(self, action, store) -> str:
        """The CRM record the Google record names comes back into the sync (tagged, content written) if it
        still exists; else a new one. Creating a second one would duplicate the contact on every return."""
        options = self.ctx.create_options(action)
        if action.reuse_crm_id is not None and store.exists(action.reuse_crm_id):
            store.tag(action.reuse_crm_id, **options)
            store.update(action.reuse_crm_id, action.record)
            return action.reuse_crm_id
        return store.create(action.record, **options)

    def _guarded_update(self, action, store):
        """Compare-and-set (wizard.sync.guarded): the record is read again under its row lock; the fields a
        person saved since the run read it keep the person's value, and the pair's CRM fingerprint is taken
        from what this run wrote, never from the person's save (the next run syncs that save)."""
        current = store.current(action.crm_id)
        if current is None:
            return  # deleted meanwhile: the pair keeps its base, the next run reads the deletion
        write = guarded_write(action.expected, action.expected_fingerprint, current, action.fields, action.record)
        if write.fields:
            store.update(action.crm_id, current.replace(**{name: action.record[name] for name in write.fields}),
                         write.fields)
            self.tally.add("crm", "update")
        self.crm_written[action.crm_id] = fingerprint_basis(store.current(action.crm_id), write)
        self._save_base_after_crm(action, self.crm_written[action.crm_id])

    def _save_base_after_crm(self, action, written=None):
        """`written`: the record an update leaves in the CRM (its fingerprint is the pair's CRM side)."""
        pair = self.take_base("crm", action.pair_id, action.crm_id, getattr(action, "google_id", None))
        if pair is None:
            if isinstance(action, (A.UntagInCrm, A.DeleteInCrm)) and _keys([action]) & self.unlink_keys:
                self.ctx.pairs.delete(self.ctx.pairs.find(action.pair_id, action.crm_id, action.google_id))
            return
        if written is not None:
            pair = pair.with_(crm_fingerprint=fingerprint(written))
        self.ctx.pairs.save(pair)

    # --- Google ------------------------------------------------------------------------------------------
    def google_creates(self):
        """Creates in batches. Each batch's intent rows are committed before Google hears of it, so a crash
        leaves a trace (the next run finds what was made by the CRM id it carries). With a Google side that
        can send from a worker thread (`create_sender`), the batches are pipelined: while one is in flight,
        this thread records the previous answer and writes the next batch's intents, one commit for both."""
        creates = self.plan.of(A.CreateInGoogle)
        google = self.ctx.google
        batches = [creates[start:start + google.CREATE_BATCH] for start in range(0, len(creates), google.CREATE_BATCH)]
        if not batches:
            return
        if not hasattr(google, "create_sender"):
            for batch in batches:
                prepared = self._intents(batch)
                self._commit_intents()
                self._record_creates(prepared, google.create(list(batch), tags=self._tags(batch)))
                self.ctx.commit_batch(len(batch))
            return
        if self.ctx.sender is not None:
            self._pipelined(batches, self.ctx.sender)
        else:
            with google.create_sender() as sender:
                self._pipelined(batches, sender)
                self.ctx.finish_tail()

    def _pipelined(self, batches, sender):
        google = self.ctx.google
        ready = [self._intents(batches[0], google)]
        self._commit_intents()
        sender.submit(ready[0].bodies)
        if len(batches) > 1:  # made while the first is in flight, committed before it is sent
            ready.append(self._intents(batches[1], google, sender))
            self._commit_intents()
        for index, batch in enumerate(batches):
            prepared = ready.pop(0)
            if index == len(batches) - 1 and not self._more_google_writes():
                # The last batch is recorded later (RunContext.finish_tail): the next chunk is read and
                # planned meanwhile, which writes nothing to Google.
                self.ctx.tail = lambda: self._finish_batch(sender, batch, prepared, commit=True)
                return
            self._finish_batch(sender, batch, prepared, ready)
            if index + 2 < len(batches):
                ready.append(self._intents(batches[index + 2], google, sender))
            self.ctx.commit_batch(len(batch))
            if index + 2 < len(batches):
                self.ctx.checkpoint("after_intents")
            idle = getattr(self.ctx, "idle", None)
            if idle is not None:  # a batch is in flight: local work for later meanwhile
                idle()

    def _finish_batch(self, sender, batch, prepared, ready=(), commit=False):
        """Take Google's answer to the batch in flight, send the next one (its intents are committed), then
        record the answer (committed with the next batch's intents, unless `commit`: the last batch). The next
        batch leaves as soon as Google answered, before the answer is decoded; after a failed call only once
        it is settled (settling may send again: one create in flight at a time)."""
        answer = sender.answer()
        sent = bool(ready) and answer[1] is None
        if sent:
            sender.submit(ready[0].bodies, ready[0].payload)
        results = sender.results(list(batch), prepared.bodies, answer)
        if ready and not sent:
            sender.submit(ready[0].bodies, ready[0].payload)
        self._record_creates(prepared, results)
        if commit:
            self.ctx.commit_batch(len(batch))

    def _more_google_writes(self) -> bool:
        """Whether this plan sends Google anything after its creates (they must wait for the last create)."""
        return bool(self.backrefs) or any(a.writes_google and not isinstance(a, A.CreateInGoogle)
                                          for a in self.plan.actions)

    def _intents(self, batch, google=None, sender=None) -> "_Prepared":
        """A batch's intent rows written (not committed) and, for a pipelined send, its Person bodies made
        (and encoded by the `sender`, when one will send them)."""
        intents = [pending_pair(action.pair_id, action.crm_id, action.record) for action in batch]
        row_ids = self.ctx.pairs.insert_intents(intents)
        bodies = google.create_bodies(list(batch), tags=self._tags(batch)) if google is not None else None
        payload = sender.encode(bodies) if sender is not None and bodies is not None else None
        return _Prepared(intents, row_ids, bodies, payload)

    def _commit_intents(self):
        db.session.commit()
        self.ctx.checkpoint("after_intents")

    def _record_creates(self, prepared, results):
        """Google answered a batch of creates: the pairs are synced (in one statement), failures reported."""
        self.ctx.checkpoint("after_google_answer")
        created = []
        for result, intent, row_id in zip(results, prepared.intents, prepared.row_ids):
            action = result.action
            if result.ok:
                self.take_base("google", action.pair_id, action.crm_id, None)
                created.append((row_id, pair_after_create(intent.with_(pair_id=row_id), result.google_id,
                                                          result.record, google_etag=result.etag)))
                self.tally.add("google", "create")
            else:
                self.google_failure(result)
        self.ctx.pairs.finish_creates(created)

    def _tags(self, actions):
        """The mapped tags of these actions' CRM records (contacts go into the labels of their tags)."""
        mapped_tags = getattr(self.ctx.store, "mapped_tags", None)
        return mapped_tags([a.crm_id for a in actions if a.crm_id is not None]) if mapped_tags else None

    def google_updates(self):
        updates = list(self.plan.of(A.UpdateGoogle, A.SetBackRef)) + list(getattr(self, "backrefs", []))
        google = self.ctx.google
        for start in range(0, len(updates), google.UPDATE_BATCH):
            chunk = updates[start:start + google.UPDATE_BATCH]
            results = google.update(chunk)
            self.ctx.checkpoint("after_google_answer")
            retry = []
            for result in results:
                if result.ok:
                    self.saved_after_google(result)
                elif _is_stale(result.error) and isinstance(result.action, A.UpdateGoogle):
                    retry.append(result.action)
                else:
                    self.google_failure(result)
            if retry:
                self._agree_on_crm_writes(retry)
            self.ctx.commit_batch(len(chunk))
            if retry:
                self.ctx.replan_stale(retry)

    def _agree_on_crm_writes(self, refused):
        """Google refused these updates (edited there since the listing): a pair whose CRM side this run
        wrote is planned again from a base that holds what was copied (wizard.sync.guarded), so the run's
        own CRM write does not pass for the newest CRM edit."""
        pairs = self.ctx.pairs
        for action in refused:
            written = self.crm_written.get(action.crm_id)
            row = pairs.find(action.pair_id, action.crm_id, action.google_id) if written is not None else None
            if row is None:
                continue
            pair = to_core(row, self.ctx.object)
            seen = self.ctx.google_seen.get(action.google_id)
            google_then = seen.record if seen is not None else pair.google_current()
            pairs.save(after_refused_google_write(pair, written, google_then))

    def saved_after_google(self, result):
        action = result.action
        pair_id = getattr(action, "pair_id", None)
        pair = self.take_base("google", pair_id, action.crm_id, action.google_id)
        row = self.ctx.pairs.find(pair_id, action.crm_id, action.google_id)
        if pair is None and row is not None:
            pair = to_core(row, self.ctx.object)
        if pair is None:
            return
        changes = {"google_etag": result.etag or pair.google_etag}
        if result.google_id:
            changes["google_id"] = result.google_id
        if result.record is not None:
            changes["google_fingerprint"] = fingerprint(result.record)
        self.ctx.pairs.save(pair.with_(**changes))
        if isinstance(action, A.UpdateGoogle):
            self.tally.add("google", "cancel" if _cancels(self.ctx.object, action) else "update")
        else:
            self.tally.add("google", "backref")

    def google_additions(self):
        """Detached pairs returning from the CRM side: back into the Google scope. The pair's base waits for
        a Google update of the same pair when there is one (it is saved after that write's answer)."""
        additions = self.plan.of(A.AddToGoogleScope)
        if not additions:
            return
        later = _keys(self.plan.of(A.UpdateGoogle, A.SetBackRef))
        google = self.ctx.google
        for start in range(0, len(additions), google.MEMBERS_BATCH):
            chunk = additions[start:start + google.MEMBERS_BATCH]
            for result in google.add_to_scope(list(chunk), tags=self._tags(chunk)):
                action = result.action
                if not result.ok:
                    self.google_failure(result)
                    continue
                if not _keys([action]) & later:
                    pair = self.take_base("google", action.pair_id, action.crm_id, action.google_id)
                    if pair is not None:
                        self.ctx.pairs.save(pair)
                self.tally.add("google", "add")
            self.ctx.commit_batch(len(chunk))

    def google_removals(self):
        google = self.ctx.google
        self._remove_in_batches(A.RemoveFromGoogleScope, google.MEMBERS_BATCH, google.remove_from_scope, "unlink")

    def google_deletes(self):
        google = self.ctx.google
        self._remove_in_batches(A.DeleteInGoogle, google.DELETE_BATCH, google.delete, "delete")

    def _remove_in_batches(self, kind, size, send, verb):
        """Scope removals and deletions alike: a batch sent, each answer recorded, the batch committed."""
        actions = self.plan.of(kind)
        for start in range(0, len(actions), size):
            chunk = actions[start:start + size]
            for result in send(list(chunk)):
                self._after_removal(result, verb)
            self.ctx.commit_batch(len(chunk))

    def _after_removal(self, result, verb):
        action = result.action
        if result.ok:
            pair = self.take_base("google", action.pair_id, action.crm_id, action.google_id)
            if pair is not None:
                self.ctx.pairs.save(pair)
            else:
                self.ctx.pairs.delete(self.ctx.pairs.find(action.pair_id, action.crm_id, action.google_id))
            self.tally.add("google", verb)
        else:
            self.google_failure(result)

    def google_failure(self, result):
        action, error = result.action, result.error
        crm_id, google_id = getattr(action, "crm_id", None), getattr(action, "google_id", None)
        pair = self.take_base("google", getattr(action, "pair_id", None), crm_id, google_id)
        if pair is not None and isinstance(action, A.SetBackRef):
            self.ctx.pairs.save(pair)  # the link is right; only the back-reference is missing (retried later)
        elif pair is not None and pair.pair_id is None and crm_id is not None and google_id is not None:
            # A new link whose Google write failed: keep the link (never match or create it twice), with no
            # base, so the next run reads both sides again and merges them afresh.
            self.ctx.pairs.save(pair.with_(base=None, crm_fingerprint=None, google_fingerprint=None,
                                           crm_record=None, google_record=None))
        if crm_id:
            self.ctx.failed_crm.add(crm_id)
        if google_id:
            self.ctx.failed_google.add(google_id)
        message = getattr(error, "message", None)
        if message is not None:
            self.ctx.issue(message.code, message.params, crm_id=crm_id, google_id=google_id)
        else:
            self.ctx.issue("sync.issue.google_write_failed", {"detail": str(error)[:300]},
                           crm_id=crm_id, google_id=google_id)


def _cancels(object, action) -> bool:
    """An update that cancels (activities: the event deleted in Google), counted as such, not as an update."""
    rule = SPECS[object].gone_in_google
    return rule is not None and rule[0] in action.fields and action.record[rule[0]] == rule[1]


def _pair_keys(pair) -> set:
    return {key for key in (("p", pair.pair_id), ("c", pair.crm_id), ("g", pair.google_id)) if key[1] is not None}


def _keys(actions) -> set:
    keys = set()
    for action in actions:
        for tag, name in (("p", "pair_id"), ("c", "crm_id"), ("g", "google_id")):
            value = getattr(action, name, None)
            if value is not None:
                keys.add((tag, value))
    return keys


def _is_stale(error) -> bool:
    return isinstance(error, StaleEtag)


def _int(value):
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None


def _json(value):
    if isinstance(value, (frozenset, set)):
        return sorted((_json(v) for v in value), key=repr)
    if isinstance(value, tuple):
        return [_json(v) for v in value]
    return value
