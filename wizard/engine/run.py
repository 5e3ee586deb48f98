"""One run of one account and object: the shell around the pure core (wizard.sync).

Take the running lock (lock.py), gather what changed on both sides since the
cursors, ask the core for a plan, stop before writing anything if a guard says so, apply the plan through the
adapters in batches (each batch's results committed before the next is sent), then move the cursors on and
record the run. Contacts and activities go through the same code; only the adapters differ.

Failure handling, by what a human must do:
- `AuthRevoked` (invalid_grant): the account is marked "needs reconnect" and its schedule paused; no retry.
- `SyncTokenExpired`: the cursor is dropped and Google listed in full, reconciled against the pairs (a full
  listing never implies a deletion: the core treats a missing item as unknown).
- any other Google error: the run fails with the error's message; the next scheduled run starts again from
  the saved pairs and cursors, which are consistent after every batch.
"""
import logging
from collections import Counter
from contextlib import contextmanager

from flask import current_app

from wizard.engine import guards
from wizard.engine.apply import Applier, Tally
from wizard.engine.checkpoints import Checkpoints, SimulatedCrash
from wizard.engine.decisions import Decisions
from wizard.engine.issues import Issues
from wizard.engine.lock import LeaseLost, close_stale_runs, running_lock, worker_name
from wizard.engine.pairs import PairTable, load_cursor
from wizard.engine.policy import SPECS, call_planner, policy_for, scope_key
from wizard.engine.prefetch import CrmPrefetch
from wizard.extensions import db
from wizard.google.errors import AuthRevoked, ClientRejected, GoogleError, SyncTokenExpired
from wizard.google.sides import google_side_for
from wizard.google.tokens import NotConfigured, ReconnectNeeded
from wizard.models.accounts import CONNECTED, GoogleAccount, mark_needs_reconnect
from wizard.models.sync import RunStatus, SyncRun, utcnow
from wizard.redis import kept_alive
from wizard.settings.installation import installation_id
from wizard.settings.values import google_credentials
from wizard.store import store_for
from wizard.sync.actions import PlanTally, UpdateGoogle
from wizard.sync.changes import Seen, side
from wizard.sync.chunking import match_keys, partition
from wizard.sync.planner import SideSummary, empty_side, run_guard
from wizard.sync.policy import first_sync_needs_preview, mass_delete_exceeded

log = logging.getLogger(__name__)
# Checkpoints just before a write leaves for the CRM or Google: the run checks there that it still holds its lock.
WRITE_POINTS = ("before_crm_writes", "before_google_writes", "after_intents")


class NeedsFullListing(Exception):
    """A chunk's plan can only go on after a full Google listing (an interrupted create to find)."""


def run_sync(account_id: int, object: str = "contacts", run_id: int | None = None,
             force: bool | None = None, wait_for_lock: bool = False) -> SyncRun:
    """Run one sync now, in this process. Returns the finished run; what its outcome means for the schedule
    (the time it finished, a pause after invalid_grant) is for the caller to note (wizard.jobs.entry).

    `wait_for_lock`: a queued run waits up to one lease for the running lock. It finds the lock held only when
    it replaces a run judged dead (wizard.jobs.liveness) whose lease has not lapsed yet; a holder that is in
    fact alive keeps renewing it, and this run is skipped: never two writers."""
    run = _claim_run(account_id, object, run_id, force)
    lock = running_lock(account_id, object)
    wait = lock.timeout + 2 if wait_for_lock else None
    if not lock.acquire(blocking=wait is not None, blocking_timeout=wait):
        return _finish(run, RunStatus.SKIPPED, "sync.run.already_running")
    # Commits after every batch must not expire the thousands of pair rows the run holds (each would be
    # read back one by one): this run is the only writer of its pairs, under the running lock.
    session = db.session()
    expire_on_commit, session.expire_on_commit = session.expire_on_commit, False
    try:
        with kept_alive(lock, f"running lock of run {run.id}") as lease:
            return _run_locked(run, lease)
    finally:
        session.expire_on_commit = expire_on_commit
        try:
            lock.release()
        except Exception:  # noqa: BLE001  (expired and taken by another: not ours to release)
            pass


def _claim_run(account_id, object, run_id, force) -> SyncRun:
    run = db.session.get(SyncRun, run_id) if run_id else None
    if run is None:
        run = SyncRun(account_id=account_id, object=object, trigger="cli", forced=bool(force))
        db.session.add(run)
    elif force:
        run.forced = True
    db.session.commit()
    return run


def _run_locked(run: SyncRun, lease) -> SyncRun:
    account = db.session.get(GoogleAccount, run.account_id)
    if account is None or account.unlinked_at is not None:
        return _finish(run, RunStatus.SKIPPED, "sync.run.account_unlinked")
    if account.status != CONNECTED:
        return _finish(run, RunStatus.NEEDS_RECONNECT, "sync.run.needs_reconnect")
    if account.user is not None and not account.user.is_active:  # a disabled person's accounts wait, kept
        return _finish(run, RunStatus.SKIPPED, "sync.run.owner_disabled")
    close_stale_runs(run)
    run.status, run.started_at, run.worker = RunStatus.RUNNING, utcnow(), worker_name()
    db.session.commit()
    ctx = None
    try:
        ctx = RunContext(run, account, lease)
        ctx.execute()
    except (AuthRevoked, ReconnectNeeded) as error:
        db.session.rollback()
        reason = getattr(error, "reason_code", None) or getattr(error, "reason", None) or "invalid_grant"
        # invalid_grant: the user is told (banner, health page); the job pauses the schedule, nothing retries.
        mark_needs_reconnect(run.account_id, "invalid_grant" if reason in (None, "", "invalid_grant") else reason)
        return _finish(run, RunStatus.NEEDS_RECONNECT, "sync.run.needs_reconnect", {"reason": reason}, ctx)
    except NotConfigured:
        db.session.rollback()
        return _finish(run, RunStatus.FAILED, "sync.run.not_configured", {}, ctx)
    except (ClientRejected, GoogleError) as error:
        db.session.rollback()
        log.warning("sync run %s failed: %r", run.id, error)
        return _finish(run, RunStatus.FAILED, error.code, error.params, ctx)
    except LeaseLost:
        # Everything written so far is committed (the lease is checked after each batch's commit and before
        # each write): the next run converges from there, and the run that took the lock writes alone.
        db.session.rollback()
        log.warning("sync run %s lost its running lock: stopped before writing more", run.id)
        return _finish(run, RunStatus.FAILED, "sync.run.lock_lost", {"worker": run.worker or "?"}, ctx)
    except SimulatedCrash:
        raise
    except Exception as error:  # noqa: BLE001  (recorded for the health page, then re-raised for RQ)
        db.session.rollback()
        log.exception("sync run %s crashed", run.id)
        _finish(run, RunStatus.FAILED, "sync.run.crashed", {"detail": f"{type(error).__name__}: {error}"[:300]}, ctx)
        raise
    if ctx.guard is not None:
        return _finish(run, RunStatus.AWAITING_CONFIRMATION, ctx.guard.code, ctx.guard.params, ctx)
    status = RunStatus.PARTIAL if ctx.tally.issues else RunStatus.SUCCEEDED
    code = "sync.run.partial" if ctx.tally.issues else "sync.run.succeeded"
    return _finish(run, status, code, {"issues": ctx.tally.issues}, ctx)


def _finish(run, status, code, params=None, ctx=None) -> SyncRun:
    run = db.session.merge(run)
    run.status = status
    run.finished_at = utcnow()
    run.outcome_code = code
    run.outcome_params = dict(params or {})
    if ctx is not None:
        run.counts = ctx.counts()
        try:
            run.api_calls = ctx.api_calls()
        except AttributeError:  # failed before the Google side existed
            pass
    db.session.commit()
    return run


class RunContext:
    """One run's work: the account, the adapters, the pair table, the tally; owns the commits. Guards, issues,
    the user's conflict decisions and the checkpoints are modules of their own (guards, issues, decisions,
    checkpoints)."""

    def __init__(self, run: SyncRun, account, lease=None):
        self.run, self.account = run, account
        self.lease = lease  # the running lock (wizard.redis.Lease); None when a test builds a context alone
        self.account_id, self.object = account.id, run.object
        self.policy = policy_for(account, run.object)
        self.scope = scope_key(account, run.object)
        self.store = store_for(run.object, account)
        self.installation = installation_id()
        self.google = google_side_for(run.object, account, google_credentials(account), self.installation)
        self.tally = Tally()
        self.guard = None
        self.failed_crm: set = set()
        self.failed_google: set = set()
        self.google_seen: dict = {}
        self.google_listed: set = set()
        self.first_sync = False
        self.crm_listed = 0
        self.pairs: PairTable | None = None
        self.issues = Issues(run, self.store)
        self.decisions = Decisions(account.id, run.object)
        self.checkpoints = Checkpoints()
        # Pipelined creates (Applier.google_creates): the worker thread sending them, and the last batch of
        # a chunk still in flight, recorded once the next chunk is planned (`finish_tail`).
        self.sender = None
        self.tail = None
        self.prefetch = None  # the next chunk's CRM records, read while creates are in flight (`idle`)

    # --- the run ----------------------------------------------------------------------------------------
    def execute(self):
        """Gather what changed (ids on the CRM side, Google's changes), split the work into chunks, check the
        guard over the whole run (unless forced), then plan and apply chunk by chunk."""
        cursor = load_cursor(self.account_id, self.object)
        self.pairs = PairTable(self.account_id, self.object)
        scope_changed = cursor.scope_key != self.scope
        self.first_sync = cursor.google_token is None and not self.pairs.count
        google_scope = self.google.prepare(cursor.google_scope)
        google_full = cursor.google_token is None or scope_changed
        # Rows whose etag Google still shows are unchanged and skipped unparsed: in an incremental listing,
        # and in the full listing that follows an expired token (not after a scope change: the same etag
        # may then be in or out of the sync).
        known = self.pairs.known_etags() if not scope_changed else None
        try:
            google_changes, token = self.google.changes(None if google_full else cursor.google_token, known)
        except SyncTokenExpired:
            google_changes, token = self.google.changes(None, known)
        del known
        if google_changes.full and self.pairs.count:
            google_changes = self._confirm_missing(google_changes)
        # An incremental CRM listing from position 0 is complete (every record ever written), so a run that
        # saw no CRM change yet goes on incrementally: a full listing cannot show deletions.
        crm_full = self.first_sync or scope_changed
        crm_ids, seq = self.store.changed_ids(cursor.crm_seq or 0, full=crm_full)
        self.crm_listed = len(crm_ids)
        if crm_full and self.pairs.count:
            # As on Google's side: what became of the paired records the full listing lacks is read back.
            listed = set(crm_ids)
            crm_ids += [i for i in self.pairs.active_crm_ids() if i not in listed]
        crm_ids, google_changes = self._with_retries(crm_ids, google_changes)
        while True:
            self.run.full_listing = google_changes.full
            try:
                if not self._plan_and_apply(crm_ids, crm_full, google_changes):
                    return  # held by the guard
                break
            except NeedsFullListing:
                # An interrupted create can only be found in a full listing; what earlier chunks wrote is
                # committed and consistent, and comes back unchanged.
                google_changes, token = self.google.changes(None)
                self.pairs = PairTable(self.account_id, self.object)
                google_changes = self._confirm_missing(google_changes)
        cursor = load_cursor(self.account_id, self.object)
        cursor.google_token = token
        cursor.crm_seq = seq
        cursor.scope_key = self.scope
        cursor.google_scope = google_scope
        if google_changes.full:
            cursor.full_listing_at = utcnow()
        self.issues.resolve(crm_ids, self.google_listed, self.failed_crm, self.failed_google)
        self.decisions.mark_applied(self.failed_crm)
        db.session.commit()

    def _plan_and_apply(self, crm_ids, crm_full, google_changes) -> bool:
        """False when the guard holds the run (nothing written)."""
        spec = SPECS[self.object]
        self.google_listed = set(google_changes.changes)
        chunks = partition(spec, self.pairs.refs(), crm_ids, google_changes.changes, first_sync=self.first_sync,
                           installation_id=self.installation, crm_keys=self._match_keys(spec, crm_ids, google_changes),
                           size=self.chunk_size())
        surveyed = None
        active = self.pairs.active_count()
        if not self.run.forced and self._guard_may_hold(chunks, crm_ids, crm_full, google_changes, active):
            # The guard weighs the whole run: every chunk is planned (nothing written) and the figures added.
            tally, counts, writes = PlanTally(), Counter(), 0
            crm_side = SideSummary(crm_full)
            google_side = SideSummary(google_changes.full, in_sync=bool(self._google_skipped()))
            for chunk in chunks:
                planned = self._plan_chunk(chunk, crm_full, google_changes)
                tally += planned[0].tally
                counts.update(planned[0].counts())
                writes += len(planned[0].writes())
                crm_side.add(planned[1].changes)
                google_side.add(planned[2].changes)
                if len(chunks) == 1:
                    surveyed = planned
                else:
                    self._release_chunk(chunk)
            guard = run_guard(self.policy, tally, active, empty_side(active, tally, crm_side, google_side),
                              first_sync=self.first_sync, force=False)
            if not guard.ok:
                self.guard = guards.hold(self.run, guard, dict(counts))
                return False
            self.set_total(writes)
        else:
            self.set_total(len(crm_ids) + len(google_changes.changes))
        guards.close(self.run)
        with self._sending():
            for index, chunk in enumerate(chunks):
                plan, crm_side, google_side = surveyed or self._plan_chunk(chunk, crm_full, google_changes)
                self.finish_tail()  # the previous chunk's last batch of creates, in flight while this was planned
                self.google_seen = google_side.seen()
                # The next chunk's CRM records are read while this one's creates are in flight (`idle`).
                self.prefetch = CrmPrefetch(self.store, chunks[index + 1]) if index + 1 < len(chunks) else None
                Applier(self, plan).apply()
                self._join_labels(chunk)
                self._release_chunk(chunk, google_changes)
            self.finish_tail()
        self.run.progress_done = self.run.progress_total
        return True

    @contextmanager
    def _sending(self):
        """The run's create sender (a worker thread, wizard.google.sides.CreateSender) for the chunks' loop.
        Leaving, it waits for a create in flight; one not recorded because the run stopped stays an intent
        row, found by the next run like after a crash."""
        make = getattr(self.google, "create_sender", None)
        if make is None:
            yield
            return
        with make() as sender:
            self.sender = sender
            try:
                yield
            finally:
                self.sender, self.tail = None, None

    def finish_tail(self):
        """Record the batch of creates left in flight at the end of a chunk (before anything else is sent)."""
        tail, self.tail = self.tail, None
        if tail is not None:
            tail()

    def _join_labels(self, chunk):
        """Paired contacts join the labels of the mapped tags they carry and are not in yet: a tag mapped after
        they synced (the scope's full listing reads them all), or put on them in the CRM since. The plan
        compares records, not label memberships, so without this a newly mapped label stayed empty."""
        join = getattr(self.google, "join_labels", None)
        if join is None or not self.google.several_labels:
            return
        self.finish_tail()  # its pairs count, and Google hears one write at a time
        synced = {row.google_id: str(row.crm_id) for row in self.pairs.rows()
                  if row.crm_id is not None and row.google_id and str(row.crm_id) not in self.failed_crm
                  and row.google_id not in self.failed_google}
        if not synced:
            return
        tags = self.store.mapped_tags(list(synced.values()))
        chunk_crm = set(chunk.crm_ids)
        changed_in_crm = {g for g, c in synced.items() if c in chunk_crm}
        joined = join({g: tags.get(c, []) for g, c in synced.items()}, read=changed_in_crm)
        if joined:
            self.tally.add("google", "label", joined)
            self.commit_batch(0)

    def _guard_may_hold(self, chunks, crm_ids, crm_full, google_changes, active) -> bool:
        """Whether the guard could stop this run, from bounds known before planning: a run that cannot trip
        it is planned and applied in one pass (a single chunk is planned once anyway)."""
        if len(chunks) <= 1:
            return True
        if self.first_sync and first_sync_needs_preview(len(crm_ids) + len(google_changes.changes), self.policy):
            return True  # creates are at most what is listed
        if not active:
            return False  # no pair to delete or to find gone
        reached = sum(len(chunk.pair_ids) for chunk in chunks)
        if reached >= active or mass_delete_exceeded(reached, active, self.policy):
            return True  # each reached pair is at most one removal
        if crm_full and self.crm_listed == 0:
            return True
        return google_changes.full and not self._google_skipped() and not any(
            isinstance(c, Seen) and c.in_scope for c in google_changes.changes.values())

    def _google_skipped(self) -> int:
        """Records Google listed that were skipped as unchanged: in the sync, though not in the changes."""
        return len(getattr(self.google, "unchanged", ()))

    def _confirm_missing(self, google_changes):
        """A full listing says nothing of what it does not list, so an absence is never read as a deletion;
        but a contact deleted in Google just before its sync token expired is only ever absent. Active pairs
        whose Google record the listing lacks are therefore read one by one (batched): Google's own 404
        is a deletion, anything else is what Google holds now (e.g. out of the label)."""
        listed = set(google_changes.changes) | getattr(self.google, "unchanged", set())
        missing = [google_id for google_id in self.pairs.active_google_ids() if google_id not in listed]
        if not missing:
            return google_changes
        return _merged(google_changes, self.google.fetch(missing))

    def idle(self):
        """The Applier waits for Google (a batch of creates in flight): a slice of the next chunk's CRM
        records is read meanwhile (wizard.engine.prefetch)."""
        if self.prefetch is not None:
            self.prefetch.step()

    def _plan_chunk(self, chunk, crm_full, google_changes):
        """(plan, CRM side, Google side) of one chunk: its CRM records read now (or ahead: `idle`), its pairs
        loaded."""
        prefetch, self.prefetch = self.prefetch, None
        if prefetch is not None and prefetch.chunk is chunk:
            crm = prefetch.finish()
        else:
            crm = self.store.fetch(chunk.crm_ids) if chunk.crm_ids else {}
        crm_changes = side(crm, full=crm_full)
        google = {key: google_changes.changes[key] for key in chunk.google_ids}
        google_changes = side(google, full=google_changes.full)
        self.pairs.load(chunk.pair_ids, content=False)
        plan = self.plan(google_changes, crm_changes, self.first_sync)
        if plan.needs_full_listing and not google_changes.full:
            raise NeedsFullListing()
        if plan.refetch_crm:
            crm_changes = _merged(crm_changes, self.store.fetch(plan.refetch_crm))
            plan = self.plan(google_changes, crm_changes, self.first_sync)
        return plan, crm_changes, google_changes

    def _release_chunk(self, chunk, google_changes=None):
        """A chunk's rows, records and Google's answers are let go once it is committed."""
        self.pairs.release()
        if google_changes is not None:
            for key in chunk.google_ids:
                google_changes.changes.pop(key, None)
        forget = getattr(self.google, "forget", None)
        if forget is not None:
            forget(chunk.google_ids)

    def _match_keys(self, spec, crm_ids, google_changes):
        """First sync: the match keys of the CRM records that share one with a Google record (read in chunks,
        keeping only the keys)."""
        if not (self.first_sync and spec.match_keys):
            return None
        wanted = set()
        for change in google_changes.changes.values():
            if isinstance(change, Seen) and change.in_scope:
                wanted |= match_keys(spec, change.record)
        if not wanted:
            return None
        keys = {}
        size = self.chunk_size()
        for start in range(0, len(crm_ids), size):
            for crm_id, change in self.store.fetch(crm_ids[start:start + size]).items():
                if isinstance(change, Seen):
                    shared = match_keys(spec, change.record) & wanted
                    if shared:
                        keys[crm_id] = shared
        return keys

    def chunk_size(self) -> int:
        return max(1, int(current_app.config.get("SYNC_CHUNK_SIZE", 2000)))

    def plan(self, google_changes, crm_changes, first_sync):
        return call_planner(self, google_changes, crm_changes, first_sync)

    def _with_retries(self, crm_ids, google_changes):
        """Records with an open issue, or a conflict the user just decided, are read again on both sides,
        so a write that failed last time is merged and sent again."""
        rows = self.issues.open_ids()
        retry_crm = {str(c) for c, _ in rows if c is not None} | set(self.decisions.crm_ids())
        google_ids = {g for _, g in rows if g}
        for crm_id in retry_crm:
            row_id = self.pairs.crm_index.get(int(crm_id)) if crm_id.isdigit() else None
            row = self.pairs.find(row_id) if row_id is not None else None
            if row is not None and row.google_id:
                google_ids.add(row.google_id)
        self.pairs.release()
        listed = set(crm_ids)
        crm_ids = list(crm_ids) + sorted(i for i in retry_crm if i not in listed)
        missing_google = [i for i in google_ids if i not in google_changes.changes]
        if missing_google:
            google_changes = _merged(google_changes, self.google.fetch(missing_google))
        return crm_ids, google_changes

    def issue(self, code, params=None, crm_id=None, google_id=None):
        """A per-record problem (the Applier reports them here): counted in the tally, recorded for the user."""
        self.tally.issues += 1
        self.issues.record(code, params, crm_id, google_id)

    # --- batches and progress -----------------------------------------------------------------------------
    def set_total(self, total: int):
        self.run.progress_total = total
        self.run.progress_done = 0
        db.session.commit()

    def commit_batch(self, done: int):
        """A batch's results are durable before the next batch is sent."""
        self.pairs.flush()
        self.run.progress_done = min(self.run.progress_total, self.run.progress_done + done)
        self.run.counts = self.counts()
        self.run.api_calls = self.api_calls()
        db.session.commit()
        self.check_lease()  # the batch is durable; the next one is sent only under the lock

    def counts(self) -> dict:
        counts = self.tally.as_json()
        pacer = getattr(getattr(getattr(self, "google", None), "client", None), "pacer", None)
        if pacer is not None:
            counts["retries"] = pacer.retries  # answers refused (5xx, 429, 403 rate limits) and tried again
        return counts

    def api_calls(self) -> int:
        google = getattr(self, "google", None)
        return google.api_calls if google is not None else 0

    def create_options(self, action) -> dict:
        return self.google.create_options(action) if hasattr(self.google, "create_options") else {}

    def replan_stale(self, actions):
        """Google refused updates on a stale etag: fetch the latest, merge again, retry once."""
        fresh = self.google.fetch([a.google_id for a in actions])
        pairs = [p for p in self.core_pairs(side({}), side(fresh)) if p.google_id in fresh]
        # Both sides as they are now: the CRM may hold this run's own write for the pair, whose base was not
        # saved because Google refused the other half.
        crm_now = self.store.fetch([p.crm_id for p in pairs if p.crm_id is not None])
        plan = call_planner(self, side(fresh), side(crm_now), False, pairs=pairs)
        self.google_seen.update(side(fresh).seen())
        applier = Applier(self, plan)
        applier.bookkeeping()
        applier.crm_writes()
        updates = list(plan.of(UpdateGoogle))
        for result in self.google.update(updates) if updates else []:
            if result.ok:
                applier.saved_after_google(result)
            else:
                applier.google_failure(result)
        self.commit_batch(0)

    # --- pairs with the user's conflict decisions applied ----------------------------------------------------
    def core_pairs(self, crm_changes=None, google_changes=None):
        """The pairs for the core. A conflict the user resolved is applied by moving the pair's base to the
        losing side's value: the three-way merge then sees only the winning side as changed.

        Given the sides' changes, pairs neither side mentions are passed without their base (see to_core)."""
        if crm_changes is None:
            pairs = self.pairs.core_pairs()
        else:
            google_ids = set(google_changes.changes)
            for change in google_changes.changes.values():
                google_ids.update(getattr(change, "previous_ids", ()) or ())
            pairs = self.pairs.core_pairs(crm_changes.changes.keys(), google_ids)
        return self.decisions.apply(pairs)

    def checkpoint(self, name: str):
        """A named point of the run (wizard.engine.checkpoints: crash points and hooks for tests)."""
        self.checkpoints.reach(name, self)
        if name in WRITE_POINTS:
            self.check_lease()

    def check_lease(self):
        """Stop before writing more when the running lock is no longer ours (its lease lapsed during a Redis
        outage, or another worker took it after it expired): two runs must never write one account's data."""
        if self.lease is not None and not self.lease.held():
            raise LeaseLost(self.run.id)


def _merged(changes, extra: dict):
    merged = dict(extra)
    merged.update(changes.changes)
    return side(merged, full=changes.full)
