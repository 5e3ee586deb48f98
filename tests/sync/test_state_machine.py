"""Property tests: random edits on both sides and syncs in any order, for contacts and for activities.

Invariants checked after every complete sync (edits happen during a sync only in the rule that puts a
person's save between the run's read and its write: that save is on both sides once the runs settle):
- the two records of every synced pair agree on every mapped field (open "ask" conflicts: all but those);
- nothing is duplicated: pairs are one-to-one and every record in the sync has exactly one pair;
- no edit is lost: a field changed on one side only since the last sync holds that value on both sides,
  a conflict is resolved as the policy says;
- a second sync writes nothing.
A crashed sync (stopped after any step) is followed by a complete one, which must restore all of the above.
"""
from __future__ import annotations

import os

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, rule

from wizard.sync import ACTIVITIES, CONTACTS, ConflictPolicy, Pair, PairState, Policy, UpdateCrm, make_record
from wizard.sync.records import FieldKind

from .sim import Crash, Simulation

NAMES = ["Ann", "Bob", "Cid", None]
WORDS = ["alpha", "beta", "gamma", None]
EMAIL_KEYS = ["a@x.org", "b@x.org", "c@x.org", "d@x.org"]
PHONE_KEYS = ["+15550001", "+15550002", "+15550003"]
PAYLOADS = [None, "work", "home"]

WHEN = [  # (start, end, all_day, timezone)
    ("2026-03-01", "2026-03-02", True, None),
    ("2026-03-07", "2026-03-10", True, None),
    ("2026-03-08T06:30:00Z", "2026-03-08T08:30:00Z", False, "America/New_York"),
    ("2026-04-04T14:00:00Z", "2026-04-04T15:00:00Z", False, "Australia/Lord_Howe"),
    ("2026-04-04T14:00:00Z", "2026-04-04T15:00:00Z", False, "Europe/Moscow"),
]

policies = st.builds(
    Policy,
    conflict=st.sampled_from(list(ConflictPolicy)),
    delete_in_google=st.booleans(),
    delete_in_crm=st.booleans(),
)


def contact_values():
    items = lambda keys: st.lists(st.tuples(st.sampled_from(keys), st.sampled_from(PAYLOADS)),  # noqa: E731
                                  max_size=3, unique_by=lambda t: t[0])
    return st.fixed_dictionaries({
        "given_name": st.sampled_from(NAMES), "family_name": st.sampled_from(NAMES),
        "organization": st.sampled_from(WORDS), "notes": st.sampled_from(WORDS),
        "birthday": st.sampled_from([None, "1990-05-01", "--05-01"]),
        "emails": items(EMAIL_KEYS), "phones": items(PHONE_KEYS),
    })


def activity_values():
    return st.builds(
        lambda title, desc, when, status, kind: {
            "title": title, "description": desc, "start": when[0], "end": when[1], "all_day": when[2],
            "timezone": when[3], "status": status, "type": kind},
        st.sampled_from(NAMES), st.sampled_from(WORDS), st.sampled_from(WHEN),
        st.sampled_from(["confirmed", "cancelled"]), st.sampled_from(["meeting", "call"]))


class SyncMachine(RuleBasedStateMachine):
    spec = CONTACTS
    values = staticmethod(contact_values)

    def __init__(self):
        super().__init__()
        self.sim: Simulation | None = None
        self.snapshot: dict | None = None  # after the last complete sync: pair -> (crm record, google record)
        self.crashed = False

    @initialize(policy=policies)
    def start(self, policy):
        self.sim = Simulation(self.spec, policy)

    # --- user actions on either side -----------------------------------------------------------------

    def side(self, name):
        return self.sim.crm if name == "crm" else self.sim.google

    @rule(side=st.sampled_from(["crm", "google"]), data=st.data())
    def create(self, side, data):
        values = data.draw(self.values())
        self.sim.user_create(self.side(side), make_record(self.spec, **values))

    @rule(side=st.sampled_from(["crm", "google"]), data=st.data())
    def edit(self, side, data):
        s = self.side(side)
        alive = sorted(s.alive())
        if not alive:
            return
        rid = data.draw(st.sampled_from(alive))
        changes = data.draw(self.values())
        # edit a few fields (a unit at a time for activities), keep the others
        names = sorted(changes)
        chosen = data.draw(st.lists(st.sampled_from(names), min_size=1, max_size=3, unique=True))
        if self.spec is ACTIVITIES and {"start", "end", "all_day", "timezone"} & set(chosen):
            chosen = set(chosen) | {"start", "end", "all_day", "timezone"}
        self.sim.user_edit(s, rid, s.records[rid].replace(**{n: changes[n] for n in chosen}))

    @rule(data=st.data())
    def edit_both_sides_of_a_pair(self, data):
        """Concurrent edits of one pair (the case the three-way merge and the conflict policy exist for)."""
        pairs = sorted((p.crm_id, p.google_id) for p in self.sim.pairs.values() if p.active)
        if not pairs:
            return
        cid, gid = data.draw(st.sampled_from(pairs))
        for side, rid in ((self.sim.crm, cid), (self.sim.google, gid)):
            changes = data.draw(self.values())
            chosen = set(data.draw(st.lists(st.sampled_from(sorted(changes)), min_size=1, max_size=3,
                                            unique=True)))
            if self.spec is ACTIVITIES and {"start", "end", "all_day", "timezone"} & chosen:
                chosen |= {"start", "end", "all_day", "timezone"}
            self.sim.user_edit(side, rid, side.records[rid].replace(**{n: changes[n] for n in chosen}))

    @rule(side=st.sampled_from(["crm", "google"]), data=st.data())
    def edit_while_the_run_is_between_read_and_write(self, side, data):
        """A person saves a record of a pair after the run read it and before the run writes: the save must
        not be lost. After the runs settle it is on both sides, or listed as a conflict (a field the other
        side changed before the run is decided by the policy, like any concurrent edit: see below)."""
        pairs = sorted((p.crm_id, p.google_id) for p in self.sim.pairs.values() if p.active)
        if not pairs:
            return
        cid, gid = data.draw(st.sampled_from(pairs))
        s, rid = (self.sim.crm, cid) if side == "crm" else (self.sim.google, gid)
        other, other_id = (self.sim.google, gid) if side == "crm" else (self.sim.crm, cid)
        # The other side changes first, so the run has something to write into the record the person saves.
        pending, pending_fields = self.draw_edit(data)
        other.records[other_id] = other.records[other_id].replace(**{n: pending[n] for n in pending_fields})
        other.touch(other_id, self.sim.clock)
        changes, chosen = self.draw_edit(data)
        [pair] = [p for p in self.sim.pairs.values() if p.crm_id == cid]
        # A Google edit that Google refuses the run's write for meets the CRM's edits of the same run as any
        # concurrent edit does: the policy decides those fields.
        other_changed = {n for n in self.spec.field_names if pair.base is not None
                         and other.records[other_id][n] != pair.base[n]}
        saved = {}

        def meanwhile():
            if rid not in s.alive():
                return
            before = s.records[rid]
            after = before.replace(**{n: changes[n] for n in chosen})
            saved.update({n: (before[n], after[n]) for n in chosen if before[n] != after[n]})
            self.sim.user_edit(s, rid, after)

        interleaved = self.sim.sync(meanwhile=meanwhile)
        if side == "crm":
            # What the run was writing into the CRM record: the person's later save wins those fields. Other
            # fields the other side changed meet the save as any concurrent edit (the policy decides).
            overwriting = {n for a in interleaved.of(UpdateCrm) if a.crm_id == cid for n in a.fields}
            other_changed = {n for n in self.spec.field_names if n not in overwriting and pair.base is not None
                             and other.records[other_id][n] != pair.base[n]}
        for _ in range(2):
            self.sim.sync()
        now = [p for p in self.sim.pairs.values() if p.crm_id == cid and p.google_id == gid and p.active]
        if now and cid in self.sim.crm.alive() and gid in self.sim.google.alive():
            self.check_saved(now[0], saved, other_changed)
        self.crashed = True  # the snapshot predates the interleaved run: no edit check against it
        self.check_after_sync(None)

    def draw_edit(self, data):
        """(values, the fields to change): a few fields, a whole unit of time fields for activities."""
        changes = data.draw(self.values())
        chosen = set(data.draw(st.lists(st.sampled_from(sorted(changes)), min_size=1, max_size=3, unique=True)))
        if self.spec is ACTIVITIES and {"start", "end", "all_day", "timezone"} & chosen:
            chosen |= {"start", "end", "all_day", "timezone"}
        return changes, chosen

    def gone_by_design(self, pair) -> bool:
        rule = self.spec.gone_in_google
        return (rule is not None and pair.google_id in self.sim.google.deleted
                and self.sim.crm.records[pair.crm_id][rule[0]] == rule[1])

    def check_saved(self, pair, saved, other_changed):
        crm, google = self.sim.crm.records[pair.crm_id], self.sim.google.records[pair.google_id]
        # fields merge by unit (an activity's time fields together): a unit changed on the other side is too
        other_changed = {n for unit in self.spec.merge_units() if set(unit) & set(other_changed) for n in unit}
        for name, (before, after) in saved.items():
            if name in pair.conflicts or name in other_changed:
                continue  # listed as a conflict, or a concurrent edit the policy decides
            if self.spec.kind_of(name) is FieldKind.SET:
                added = {i.key for i in after} - {i.key for i in before}
                removed = {i.key for i in before} - {i.key for i in after}
                for record in (crm, google):
                    keys = {i.key for i in record[name]}
                    assert added <= keys and not removed & keys, (name, before, after, crm[name], google[name])
            else:
                assert crm[name] == google[name] == after, (name, before, after, crm[name], google[name])

    @rule(side=st.sampled_from(["crm", "google"]), data=st.data())
    def delete(self, side, data):
        s = self.side(side)
        alive = sorted(s.alive())
        if alive:
            self.sim.user_delete(s, data.draw(st.sampled_from(alive)))

    @rule(side=st.sampled_from(["crm", "google"]), inside=st.booleans(), data=st.data())
    def scope(self, side, inside, data):
        s = self.side(side)
        alive = sorted(s.alive())
        if alive:
            self.sim.user_scope(s, data.draw(st.sampled_from(alive)), inside)

    # --- syncs -----------------------------------------------------------------------------------------

    @rule(google_full=st.booleans(), content_out_of_scope=st.booleans())
    def sync(self, google_full, content_out_of_scope):
        # A full listing after an expired token never infers deletions; use it when the Google side has no
        # deletion or scope exit pending, so the checks below stay meaningful.
        if google_full and self.google_gone_since_cursor():
            google_full = False
        pre = self.capture()
        self.sim.content_out_of_scope = content_out_of_scope
        self.sim.sync(google_full=google_full)
        self.check_after_sync(pre)

    @rule(steps=st.integers(min_value=0, max_value=12))
    def crashing_sync(self, steps):
        pre = self.capture()
        try:
            self.sim.sync(crash_after=steps)
        except Crash:
            self.crashed = True
            return
        self.check_after_sync(pre)

    def google_gone_since_cursor(self):
        g = self.sim.google
        return any(rid in g.deleted or rid not in g.in_scope for rid in g.log[self.sim.google_cursor:])

    def capture(self):
        """What each side holds now, for the pairs of the last complete sync that are still alive."""
        sim = self.sim
        if self.snapshot is None or self.crashed:
            return None
        out = {}
        for key in self.snapshot:
            cid, gid = key
            if cid in sim.crm.alive() and gid in sim.google.alive():
                out[key] = (sim.crm.records[cid], sim.google.records[gid], sim.crm.modified.get(cid),
                            sim.google.modified.get(gid))
        return out

    # --- checks ----------------------------------------------------------------------------------------

    def active_pairs(self) -> list[Pair]:
        return [p for p in self.sim.pairs.values() if p.active]

    def check_after_sync(self, pre):
        sim = self.sim
        pairs = self.active_pairs()
        crm, google = sim.crm, sim.google
        # agreement
        # A cancelled activity's event may be deleted in Google (that is what Google does with a cancelled
        # event): its pair stays, with nothing to compare on Google's side.
        for p in [p for p in pairs if not self.gone_by_design(p)]:
            a, b = crm.records[p.crm_id], google.records[p.google_id]
            differing = {n for n in self.spec.field_names if a[n] != b[n]}
            if p.state is PairState.SYNCED:
                assert not differing, (p, a, b)
            else:
                assert differing <= p.conflicts, (p, differing)
                assert sim.policy.conflict is ConflictPolicy.ASK
        # no duplicates: one-to-one pairs covering everything in the sync
        all_pairs = list(sim.pairs.values())
        assert len({p.crm_id for p in all_pairs}) == len(all_pairs)
        assert len({p.google_id for p in all_pairs}) == len(all_pairs)
        if self.spec.scope_membership:
            assert {p.crm_id for p in pairs} == crm.live_in_scope(), (pairs, crm.live_in_scope())
            assert {p.google_id for p in pairs} == google.live_in_scope()
        else:
            # an activity whose event left the calendar (window) keeps its CRM mark, detached, never deleted
            detached_by_google = {p.crm_id for p in all_pairs if p.state is PairState.DETACHED and p.left == "google"}
            assert {p.crm_id for p in pairs} == crm.live_in_scope() - detached_by_google
            known = {p.google_id for p in all_pairs}
            for gid in google.live_in_scope() - known:
                ref = google.back_ref.get(gid)
                assert ref is not None and ref not in crm.live_in_scope(), (gid, ref)
        for p in pairs:
            assert p.crm_id in crm.alive() and (p.google_id in google.alive() or self.gone_by_design(p))
        # no lost edit, conflicts as the policy says
        if pre:
            self.check_edits(pre)
        # a second sync writes nothing
        again = sim.sync()
        assert not again.writes(), again.writes()
        self.crashed = False
        self.snapshot = {(p.crm_id, p.google_id): (crm.records[p.crm_id], google.records[p.google_id], p.conflicts)
                         for p in self.active_pairs()}

    def check_edits(self, pre):
        crm, google = self.sim.crm, self.sim.google
        active = {(p.crm_id, p.google_id) for p in self.active_pairs()}
        for key, (pre_c, pre_g, c_mod, g_mod) in pre.items():
            if key not in active:
                continue
            snap_c, _snap_g, open_conflicts = self.snapshot[key]
            now_c, now_g = crm.records[key[0]], google.records[key[1]]
            google_newer = g_mod is not None and c_mod is not None and g_mod > c_mod
            for unit in self.spec.merge_units():
                if set(unit) & open_conflicts:
                    continue
                if len(unit) == 1 and self.spec.kind_of(unit[0]) is FieldKind.SET:
                    self.check_items(unit[0], snap_c, pre_c, pre_g, now_c, now_g, google_newer)
                    continue
                values = [tuple(r[n] for n in unit) for r in (snap_c, pre_c, pre_g, now_c, now_g)]
                self.check_values(unit, *values, google_newer)

    def expected(self, base, c, g, google_newer):
        """(crm, google) expected after the sync for one unit or item, or None when not determined."""
        c_changed, g_changed = c != base, g != base
        if not c_changed:
            return g, g
        if not g_changed or c == g:
            return c, c
        policy = self.sim.policy.conflict
        if policy is ConflictPolicy.ASK:
            return c, g
        if policy is ConflictPolicy.CRM_WINS or (policy is ConflictPolicy.NEWEST and not google_newer):
            return c, c
        return g, g

    def check_values(self, unit, base, c, g, now_c, now_g, google_newer):
        exp_c, exp_g = self.expected(base, c, g, google_newer)
        assert (now_c, now_g) == (exp_c, exp_g), (unit, base, c, g, now_c, now_g, self.sim.policy)

    def check_items(self, name, snap, pre_c, pre_g, now_c, now_g, google_newer):
        base = {i.key: i.value for i in snap[name]}
        c = {i.key: i.value for i in pre_c[name]}
        g = {i.key: i.value for i in pre_g[name]}
        nc = {i.key: i.value for i in now_c[name]}
        ng = {i.key: i.value for i in now_g[name]}
        absent = object()
        clash = False
        expectations = {}
        for key in set(base) | set(c) | set(g):
            b, cv, gv = base.get(key, absent), c.get(key, absent), g.get(key, absent)
            if cv != b and gv != b and cv != gv and absent in (cv, gv):
                exp = (gv, gv) if cv is absent else (cv, cv)  # an edit beats a removal
            else:
                exp = self.expected(b, cv, gv, google_newer)
                clash = clash or exp[0] != exp[1]
            expectations[key] = exp
        if clash:
            # policy "ask" with a clashing item: each side keeps its own version of the clashing items
            for key, (ec, eg) in expectations.items():
                assert nc.get(key, absent) == ec and ng.get(key, absent) == eg, (name, key)
            return
        for key, (ec, eg) in expectations.items():
            assert nc.get(key, absent) == ec, (name, key, base.get(key), c.get(key), g.get(key), nc.get(key))
            assert ng.get(key, absent) == eg, (name, key)


class ContactsMachine(SyncMachine):
    spec = CONTACTS
    values = staticmethod(contact_values)


class ActivitiesMachine(SyncMachine):
    spec = ACTIVITIES
    values = staticmethod(activity_values)


# Bounded so the folder runs in well under a minute on two cores; SYNC_SM_EXAMPLES=2000 for a deep run.
SETTINGS = settings(max_examples=int(os.environ.get("SYNC_SM_EXAMPLES", "100")), stateful_step_count=25,
                    deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])

TestContactsStateMachine = ContactsMachine.TestCase
TestContactsStateMachine.settings = SETTINGS
TestActivitiesStateMachine = ActivitiesMachine.TestCase
TestActivitiesStateMachine.settings = SETTINGS
