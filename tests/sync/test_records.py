"""Records: normalisation, fingerprints, JSON round trip; deterministic event ids."""
import pytest

from wizard.sync import (
    ACTIVITIES,
    CONTACTS,
    CreateInGoogle,
    Item,
    Seen,
    event_id_for,
    fingerprint,
    is_valid_event_id,
    make_record,
    plan,
    record_from_json,
)
from wizard.sync.pairs import synced_pair


def test_records_are_frozen_hashable_and_compare_by_content():
    a = make_record(CONTACTS, given_name="  Ann ", emails=[("Ann@X.org", "work")])
    b = make_record(CONTACTS, given_name="Ann", emails=[Item("ann@x.org", "work")])
    assert a == b and hash(a) == hash(b) and len({a, b}) == 1
    with pytest.raises(AttributeError):
        a.kind = "x"
    with pytest.raises(TypeError):
        a["given_name"] = "Bob"


def test_every_field_is_present_and_unknown_fields_are_refused():
    r = make_record(CONTACTS)
    assert set(r) == set(CONTACTS.field_names)
    assert r["emails"] == frozenset() and r["given_name"] is None
    with pytest.raises(KeyError):
        make_record(CONTACTS, nickname="x")


def test_text_normalisation_keeps_lines_and_drops_empties():
    r = make_record(CONTACTS, notes="  first   line \r\n second\tline  ", organization="   ")
    assert r["notes"] == "first line\nsecond line"
    assert r["organization"] is None


def test_fingerprint_is_stable_and_content_only():
    r = make_record(CONTACTS, given_name="Ann", emails=["b@x.org", "a@x.org"], phones=["+1 555 0100"])
    same = make_record(CONTACTS, phones=["+15550100"], emails=["a@x.org", "b@x.org"], given_name="Ann")
    assert fingerprint(r) == fingerprint(same)
    assert fingerprint(r) != fingerprint(r.replace(given_name="Anna"))
    assert fingerprint(r) != fingerprint(make_record(ACTIVITIES, title="Ann"))
    assert len(fingerprint(r)) == 64


def test_etag_only_change_is_not_a_change():
    r = make_record(CONTACTS, given_name="Ann")
    pair = synced_pair(1, "c1", "people/1", r, google_etag="etag-1")
    result = plan(CONTACTS, [pair], {}, {"people/1": Seen(r, etag="etag-2", back_ref="c1")})
    assert result.writes() == ()
    (save,) = result.actions
    assert save.pair.google_etag == "etag-2"  # the etag moves on for the next If-Match


def test_json_round_trip():
    r = make_record(CONTACTS, given_name="Ann", birthday="--05-01",
                    addresses=[("Main St 1, Springfield", ("street", "Main St 1", "city", "Springfield"))])
    assert record_from_json("contacts", r.to_json()) == r
    a = make_record(ACTIVITIES, title="x", all_day=True, start="2026-01-01", end="2026-01-02")
    assert record_from_json("activities", a.to_json()) == a


def test_address_keys_ignore_case_and_punctuation():
    a = make_record(CONTACTS, addresses=["Main St. 1, Springfield"])
    b = make_record(CONTACTS, addresses=["main st 1 springfield"])
    assert a == b


def test_event_ids_are_deterministic_base32hex():
    eid = event_id_for("installation-7", 42)
    assert eid == event_id_for("installation-7", "42")
    assert eid != event_id_for("installation-8", 42) and eid != event_id_for("installation-7", 43)
    assert is_valid_event_id(eid) and 5 <= len(eid) <= 1024
    assert set(eid) <= set("abcdefghijklmnopqrstuv0123456789")
    assert not is_valid_event_id("abcw1") and not is_valid_event_id("abc")


def test_retried_create_uses_the_same_event_id():
    rec = make_record(ACTIVITIES, title="x", all_day=True, start="2026-01-01", end="2026-01-02")
    first = plan(ACTIVITIES, [], {"a1": Seen(rec)}, {}, installation_id="inst").of(CreateInGoogle)[0]
    again = plan(ACTIVITIES, [], {"a1": Seen(rec)}, {}, installation_id="inst").of(CreateInGoogle)[0]
    assert first.event_id == again.event_id == event_id_for("inst", "a1")


def test_json_from_elsewhere_can_be_normalized():
    data = {"given_name": "  Ann  ", "emails": [["ANN@X.org", None]]}
    assert record_from_json("contacts", data, normalize=True) == make_record(CONTACTS, given_name="Ann",
                                                                           emails=["ann@x.org"])


def test_birthdays_with_and_without_year():
    from wizard.sync.records import birthday_parts, birthday_value
    assert birthday_value(5, 1, 1990) == "1990-05-01" and birthday_value(5, 1) == "--05-01"
    assert birthday_parts("--05-01") == (None, 5, 1) and birthday_parts("1990-05-01") == (1990, 5, 1)
    assert birthday_parts(None) is None
    with pytest.raises(ValueError):
        birthday_value(13, 1)
