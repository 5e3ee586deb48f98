"""A run planned in chunks (wizard.sync.chunking) decides exactly what the whole run planned at once decides."""
from collections import Counter

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wizard.sync import ACTIVITIES, CONTACTS, DELETED, OUT_OF_SCOPE, Policy, Seen, make_record, plan
from wizard.sync.chunking import PairRef, match_keys, partition
from wizard.sync.ids import event_id_for
from wizard.sync.planner import SideSummary, empty_side, run_guard
from wizard.sync.policy import ConflictPolicy
from wizard.sync.pairs import Pair, PairState, pending_pair, synced_pair

INSTALLATION = "install-1"
EMAILS = ["a@x.org", "b@x.org", "c@x.org", "d@x.org"]
NAMES = ["Ann", "Bob", "Cid"]


def contact(name, emails=()):
    return make_record(CONTACTS, given_name=name, emails=list(emails))


records = st.builds(contact, st.sampled_from(NAMES), st.lists(st.sampled_from(EMAILS), max_size=2))


@st.composite
def runs(draw):
    n_pairs = draw(st.integers(0, 8))
    pairs = []
    for i in range(n_pairs):
        state = draw(st.sampled_from([PairState.SYNCED, PairState.SYNCED, PairState.DETACHED,
                                      PairState.PENDING_CREATE]))
        record = draw(records)
        if state is PairState.PENDING_CREATE:
            pairs.append(pending_pair(i, f"c{i}", record))
        else:
            pair = synced_pair(i, f"c{i}", f"g{i}", record)
            if state is PairState.DETACHED:
                pair = pair.with_(state=state, left=draw(st.sampled_from(["crm", "google", "both"])))
            pairs.append(pair)
    crm_ids = [f"c{i}" for i in range(n_pairs + 4)]
    google_ids = [f"g{i}" for i in range(n_pairs + 4)]
    change = st.one_of(st.builds(Seen, records), st.just(DELETED), st.just(OUT_OF_SCOPE))
    crm = draw(st.dictionaries(st.sampled_from(crm_ids), change, max_size=8))
    google = {}
    for google_id in draw(st.lists(st.sampled_from(google_ids), max_size=8, unique=True)):
        kind = draw(st.sampled_from(["seen", "seen", "deleted", "out"]))
        if kind == "seen":
            back_ref = draw(st.one_of(st.none(), st.sampled_from(crm_ids)))
            previous = tuple(draw(st.lists(st.sampled_from(google_ids), max_size=1)))
            google[google_id] = Seen(draw(records), back_ref=back_ref, previous_ids=previous,
                                     in_scope=draw(st.booleans()))
        else:
            google[google_id] = DELETED if kind == "deleted" else OUT_OF_SCOPE
    flags = draw(st.fixed_dictionaries({"first_sync": st.booleans(), "crm_full": st.booleans(),
                                        "google_full": st.booleans()}))
    policy = Policy(conflict=draw(st.sampled_from(list(ConflictPolicy))), delete_in_crm=draw(st.booleans()),
                    delete_in_google=draw(st.booleans()))
    return pairs, crm, google, flags, policy


def chunked_plans(spec, pairs, crm, google, flags, policy, size):
    refs = [PairRef(p.pair_id, p.crm_id, p.google_id, p.state) for p in pairs]
    keys = {cid: match_keys(spec, ch.record) for cid, ch in crm.items() if isinstance(ch, Seen)}
    chunks = partition(spec, refs, list(crm), google, first_sync=flags["first_sync"],
                       installation_id=INSTALLATION, crm_keys=keys, size=size)
    by_id = {p.pair_id: p for p in pairs}
    plans = []
    for chunk in chunks:
        plans.append(plan(spec, [by_id[i] for i in chunk.pair_ids], {k: crm[k] for k in chunk.crm_ids},
                          {k: google[k] for k in chunk.google_ids}, policy=policy,
                          installation_id=INSTALLATION, **flags))
    return chunks, plans


def normalized(actions):
    return Counter(repr(a) for a in actions)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(runs(), st.integers(1, 4))
def test_chunks_plan_what_the_whole_run_plans(run, size):
    pairs, crm, google, flags, policy = run
    whole = plan(CONTACTS, pairs, crm, google, policy=policy, installation_id=INSTALLATION, **flags)
    chunks, plans = chunked_plans(CONTACTS, pairs, crm, google, flags, policy, size)
    assert normalized(a for p in plans for a in p.actions) == normalized(whole.actions)
    assert any(p.needs_full_listing for p in plans) == whole.needs_full_listing
    assert frozenset().union(*(p.refetch_crm for p in plans)) == whole.refetch_crm
    # The guard of the whole run, from the chunks' tallies and side summaries.
    total = sum((p.tally for p in plans), start=type(whole.tally)())
    assert total == whole.tally
    active = sum(1 for p in pairs if p.active)
    crm_side, google_side = SideSummary(flags["crm_full"]), SideSummary(flags["google_full"])
    for chunk in chunks:
        crm_side.add({k: crm[k] for k in chunk.crm_ids})
        google_side.add({k: google[k] for k in chunk.google_ids})
    guard = run_guard(policy, total, active, empty_side(active, total, crm_side, google_side),
                      first_sync=flags["first_sync"], force=False)
    assert guard == whole.guard


def test_every_listed_id_lands_in_exactly_one_chunk():
    crm = {f"c{i}": Seen(contact("Ann")) for i in range(10)}
    chunks = partition(CONTACTS, [], list(crm), {}, size=3)
    ids = [i for chunk in chunks for i in chunk.crm_ids]
    assert sorted(ids) == sorted(crm) and max(len(c) for c in chunks) == 3 and len(chunks) == 4


def test_a_group_is_never_split():
    """A pair, the Google record naming its CRM record, and a rename of its Google record stay together."""
    pairs = [PairRef(1, "c1", "g1", PairState.SYNCED)]
    google = {"g2": Seen(contact("Ann"), back_ref="c1"), "g3": Seen(contact("Bob"), previous_ids=("g1",))}
    chunks = partition(CONTACTS, pairs, ["c1", "c9"], google, size=1)
    together = next(c for c in chunks if "c1" in c.crm_ids)
    assert sorted(together.google_ids) == ["g2", "g3"] and together.pair_ids == [1]


def test_first_sync_matches_by_key_inside_one_chunk():
    crm = {"c1": Seen(contact("Ann", ["a@x.org"])), "c2": Seen(contact("Bob", ["b@x.org"]))}
    google = {"g1": Seen(contact("Ann", ["a@x.org"]))}
    keys = {cid: match_keys(CONTACTS, ch.record) for cid, ch in crm.items()}
    chunks = partition(CONTACTS, [], list(crm), google, first_sync=True, crm_keys=keys, size=1)
    assert any(c.crm_ids == ["c1"] and c.google_ids == ["g1"] for c in chunks)
    # Not on later syncs: then nothing is matched by key, so nothing needs to be kept together.
    later = partition(CONTACTS, [], list(crm), google, first_sync=False, crm_keys=keys, size=1)
    assert len(later) == 3


def test_an_intent_row_stays_with_its_deterministic_event():
    record = make_record(ACTIVITIES, title="Call")
    event_id = event_id_for(INSTALLATION, "c1")
    pairs = [PairRef(1, "c1", None, PairState.PENDING_CREATE)]
    chunks = partition(ACTIVITIES, pairs, [], {event_id: Seen(record), "other": Seen(record)},
                       installation_id=INSTALLATION, size=1)
    assert any(c.pair_ids == [1] and c.google_ids == [event_id] for c in chunks)


def test_pairs_nothing_touches_are_left_out():
    pairs = [PairRef(i, f"c{i}", f"g{i}", PairState.SYNCED) for i in range(100)]
    chunks = partition(CONTACTS, pairs, ["c5"], {"g7": DELETED})
    assert sorted(i for c in chunks for i in c.pair_ids) == [5, 7]


def test_a_pair_id_string_or_new_pair_is_accepted():
    pair = Pair(None, "c1", None, None, None, None, PairState.SYNCED)
    assert partition(CONTACTS, [PairRef(pair.pair_id, pair.crm_id, None, pair.state)], ["c1"], {})[0].crm_ids == ["c1"]
