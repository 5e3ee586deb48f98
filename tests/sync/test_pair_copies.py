"""`Pair.with_` copies a pair without `dataclasses.replace` (a hot step of a first sync, issue 16): the copy
must be exactly what `replace` makes, leave the original as it was, and refuse a field the pair lacks."""
from dataclasses import replace

import pytest

from wizard.sync.pairs import PairState, pair_after_create, pending_pair
from wizard.sync.records import make_record


def intent():
    record = make_record("contacts", given_name="Anna", emails=[("anna@example.org", "work")])
    return pending_pair(None, "7", record)


def test_a_copy_equals_what_replace_makes_and_the_original_is_unchanged():
    pair = intent()
    copy = pair.with_(pair_id=12, google_id="people/c1", state=PairState.SYNCED, conflicts=frozenset({"notes"}))
    assert copy == replace(pair, pair_id=12, google_id="people/c1", state=PairState.SYNCED,
                           conflicts=frozenset({"notes"}))
    assert hash(copy) == hash(replace(copy))
    assert (pair.pair_id, pair.google_id, pair.state) == (None, None, PairState.PENDING_CREATE)
    assert type(copy) is type(pair) and copy.base is pair.base


def test_a_copy_stays_frozen():
    copy = intent().with_(pair_id=3)
    with pytest.raises(AttributeError):
        copy.pair_id = 4


def test_an_unknown_field_is_refused():
    with pytest.raises(TypeError):
        intent().with_(google_idd="people/c1")


def test_the_pair_after_a_create_carries_googles_answer():
    pair = pair_after_create(intent().with_(pair_id=5), "people/c9", google_etag="%E1")
    assert (pair.pair_id, pair.google_id, pair.google_etag, pair.state) == (5, "people/c9", "%E1", PairState.SYNCED)
    assert pair.google_fingerprint == pair.crm_fingerprint
