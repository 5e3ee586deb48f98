"""A record's JSON form is made once (issue 16: a first sync needed it for the fingerprint and again for the
stored row): the cached form must be what it always was, survive a caller changing what it got, and leave
the fingerprints stored by earlier versions valid."""
import hashlib
import json

from wizard.sync.records import fingerprint, make_record


def old_fingerprint(record):
    """The fingerprint as it was computed before the JSON form was cached (rows hold such fingerprints)."""
    data = {name: record[name] for name in record}
    canonical = json.dumps([record.kind, _jsonable(data)], sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _jsonable(data):
    out = {}
    for name, value in sorted(data.items()):
        if isinstance(value, frozenset):
            value = sorted(([item.key, _payload(item.value)] for item in value), key=lambda kv: kv[0])
        out[name] = value
    return out


def _payload(value):
    return [_payload(v) for v in value] if isinstance(value, tuple) else value


def sample():
    return make_record("contacts", given_name="Ёлка", family_name="Smith", notes="line one\nline two",
                       emails=[("b@example.org", "work"), ("a@example.org", "home")],
                       phones=[("+79160000001", "mobile")])


def test_the_json_form_is_the_same_each_time_and_a_callers_change_does_not_stick():
    record = sample()
    first = record.to_json()
    first["given_name"] = "changed"
    first.pop("notes")
    assert record.to_json()["given_name"] == "Ёлка" and record.to_json()["notes"] == "line one\nline two"
    assert record.to_json() == sample().to_json()
    assert list(record.to_json()) == sorted(record.to_json())


def test_fingerprints_are_those_earlier_versions_stored():
    for record in (sample(), make_record("contacts"), make_record("activities", title="Встреча", all_day=True,
                                                                   start="2026-01-02", end="2026-01-03")):
        assert fingerprint(record) == old_fingerprint(record)
        record.to_json()  # cached now
        assert fingerprint(record) == old_fingerprint(record)
