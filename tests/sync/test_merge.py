"""Table-driven tests of the field-level three-way merge, on plain data."""
from datetime import datetime, timezone

import pytest

from wizard.sync import ACTIVITIES, CONTACTS, ConflictPolicy, Direction, Item, Policy, make_record, merge

EARLY = datetime(2026, 1, 1, 9, 0, tzinfo=timezone.utc)
LATE = datetime(2026, 1, 1, 10, 0, tzinfo=timezone.utc)


def contact(**fields):
    return make_record(CONTACTS, **fields)


# (case, base, crm, google, policy, crm_modified, google_modified, expected crm, expected google, open conflicts)
SCALAR_CASES = [
    ("nothing changed", "Ann", "Ann", "Ann", ConflictPolicy.NEWEST, None, None, "Ann", "Ann", 0),
    ("crm only", "Ann", "Anna", "Ann", ConflictPolicy.NEWEST, None, None, "Anna", "Anna", 0),
    ("google only", "Ann", "Ann", "Annie", ConflictPolicy.NEWEST, None, None, "Annie", "Annie", 0),
    ("same change both", "Ann", "Anna", "Anna", ConflictPolicy.ASK, None, None, "Anna", "Anna", 0),
    ("cleared in google", "Ann", "Ann", None, ConflictPolicy.NEWEST, None, None, None, None, 0),
    ("conflict newest google", "Ann", "Anna", "Annie", ConflictPolicy.NEWEST, EARLY, LATE, "Annie", "Annie", 0),
    ("conflict newest crm", "Ann", "Anna", "Annie", ConflictPolicy.NEWEST, LATE, EARLY, "Anna", "Anna", 0),
    ("conflict newest tie -> crm", "Ann", "Anna", "Annie", ConflictPolicy.NEWEST, LATE, LATE, "Anna", "Anna", 0),
    ("conflict newest unknown -> crm", "Ann", "Anna", "Annie", ConflictPolicy.NEWEST, None, LATE, "Anna", "Anna",
     0),
    ("conflict crm wins", "Ann", "Anna", "Annie", ConflictPolicy.CRM_WINS, EARLY, LATE, "Anna", "Anna", 0),
    ("conflict google wins", "Ann", "Anna", "Annie", ConflictPolicy.GOOGLE_WINS, LATE, EARLY, "Annie", "Annie",
     0),
    ("conflict ask", "Ann", "Anna", "Annie", ConflictPolicy.ASK, EARLY, LATE, "Anna", "Annie", 1),
    ("cleared vs edited ask", "Ann", None, "Annie", ConflictPolicy.ASK, None, None, None, "Annie", 1),
]


@pytest.mark.parametrize("case,base,crm,google,policy,c_mod,g_mod,exp_crm,exp_google,n_open", SCALAR_CASES,
                         ids=[c[0] for c in SCALAR_CASES])
def test_scalar_merge(case, base, crm, google, policy, c_mod, g_mod, exp_crm, exp_google, n_open):
    result = merge(CONTACTS, contact(given_name=base), contact(given_name=crm), contact(given_name=google),
                   policy=Policy(conflict=policy), crm_modified=c_mod, google_modified=g_mod)
    assert result.crm["given_name"] == exp_crm
    assert result.google["given_name"] == exp_google
    assert len(result.open_conflicts) == n_open
    if n_open:
        # the base keeps the old value: both sides still differ from it, so the conflict stays open
        assert result.base["given_name"] == base
    else:
        assert result.base == result.crm == result.google


def test_edits_to_different_fields_both_survive():
    base = contact(given_name="Ann", family_name="Lee", organization="Acme")
    crm = base.replace(given_name="Anna")
    google = base.replace(organization="Acme Ltd")
    result = merge(CONTACTS, base, crm, google, policy=Policy(conflict=ConflictPolicy.ASK))
    assert result.crm == result.google == contact(given_name="Anna", family_name="Lee", organization="Acme Ltd")
    assert result.conflicts == ()


def emails(*pairs):
    return [Item(k, v) for k, v in pairs]


# (case, base items, crm items, google items, policy, expected crm, expected google, open conflict?)
SET_CASES = [
    ("additions on both sides survive", [("a@x.org", None)], [("a@x.org", None), ("b@x.org", None)],
     [("a@x.org", None), ("c@x.org", None)], ConflictPolicy.ASK,
     [("a@x.org", None), ("b@x.org", None), ("c@x.org", None)], None, False),
    ("removal on one side removes", [("a@x.org", None), ("b@x.org", None)], [("a@x.org", None)],
     [("a@x.org", None), ("b@x.org", None)], ConflictPolicy.ASK, [("a@x.org", None)], None, False),
    ("removal and addition", [("a@x.org", None), ("b@x.org", None)], [("a@x.org", None)],
     [("a@x.org", None), ("b@x.org", None), ("c@x.org", None)], ConflictPolicy.ASK,
     [("a@x.org", None), ("c@x.org", None)], None, False),
    ("type label changed on one side", [("a@x.org", "home")], [("a@x.org", "work")], [("a@x.org", "home")],
     ConflictPolicy.ASK, [("a@x.org", "work")], None, False),
    ("edit beats removal", [("a@x.org", "home")], [], [("a@x.org", "work")], ConflictPolicy.CRM_WINS,
     [("a@x.org", "work")], None, False),
    ("same item added on both", [], [("a@x.org", None)], [("a@x.org", None)], ConflictPolicy.ASK,
     [("a@x.org", None)], None, False),
    ("clashing labels, crm wins", [("a@x.org", "home")], [("a@x.org", "work")], [("a@x.org", "other")],
     ConflictPolicy.CRM_WINS, [("a@x.org", "work")], None, False),
    ("clashing labels, ask keeps each", [("a@x.org", "home"), ("b@x.org", None)],
     [("a@x.org", "work"), ("b@x.org", None), ("c@x.org", None)], [("a@x.org", "other"), ("b@x.org", None)],
     ConflictPolicy.ASK, [("a@x.org", "work"), ("b@x.org", None), ("c@x.org", None)],
     [("a@x.org", "other"), ("b@x.org", None), ("c@x.org", None)], True),
]


@pytest.mark.parametrize("case,base,crm,google,policy,exp_crm,exp_google,open_conflict", SET_CASES,
                         ids=[c[0] for c in SET_CASES])
def test_set_merge(case, base, crm, google, policy, exp_crm, exp_google, open_conflict):
    result = merge(CONTACTS, contact(emails=emails(*base)), contact(emails=emails(*crm)),
                   contact(emails=emails(*google)), policy=Policy(conflict=policy))
    assert result.crm["emails"] == frozenset(emails(*exp_crm))
    assert result.google["emails"] == frozenset(emails(*(exp_google if exp_google is not None else exp_crm)))
    assert bool(result.open_conflicts) is open_conflict


def test_set_keys_are_normalized_values():
    a = contact(emails=["Ann@Example.ORG "], phones=["+1 (555) 010-0000"])
    b = contact(emails=["ann@example.org"], phones=["+15550100000"])
    assert a == b


def test_without_base_empty_never_beats_filled_and_sets_unite():
    crm = contact(given_name="Ann", emails=["a@x.org"])
    google = contact(family_name="Lee", emails=["b@x.org"], phones=["+15550001"])
    result = merge(CONTACTS, None, crm, google, policy=Policy(conflict=ConflictPolicy.ASK))
    assert result.crm == result.google == contact(given_name="Ann", family_name="Lee",
                                                  emails=["a@x.org", "b@x.org"], phones=["+15550001"])


def test_without_base_different_values_are_a_conflict():
    result = merge(CONTACTS, None, contact(given_name="Ann"), contact(given_name="Anne"),
                   policy=Policy(conflict=ConflictPolicy.ASK))
    assert [c.fields for c in result.open_conflicts] == [("given_name",)]
    assert result.base["given_name"] is None  # neither side equals the base: stays open until they agree


def test_activity_time_fields_merge_as_one_unit():
    base = make_record(ACTIVITIES, title="Call", start="2026-03-08T14:00:00Z", end="2026-03-08T15:00:00Z",
                       all_day=False, timezone="America/New_York")
    crm = base.replace(start="2026-03-08T13:00:00Z")  # moved earlier in the CRM
    google = base.replace(end="2026-03-08T16:00:00Z")  # extended in Google
    result = merge(ACTIVITIES, base, crm, google, policy=Policy(conflict=ConflictPolicy.ASK))
    # not stitched into 13:00-16:00: the time is one unit, so this is a conflict on it
    assert [c.fields for c in result.open_conflicts] == [("start", "end", "all_day", "timezone")]
    assert result.crm["start"] == "2026-03-08T13:00:00Z" and result.google["end"] == "2026-03-08T16:00:00Z"


def test_zone_change_alone_moves_nothing():
    base = make_record(ACTIVITIES, title="Call", start="2026-03-08T14:00:00Z", end="2026-03-08T15:00:00Z",
                       all_day=False, timezone="America/New_York")
    crm = base.replace(timezone="Europe/Moscow")  # the user moved; the instant is the same
    result = merge(ACTIVITIES, base, crm, base)
    assert result.google["start"] == "2026-03-08T14:00:00Z" and result.google["end"] == "2026-03-08T15:00:00Z"
    assert result.google["timezone"] == "Europe/Moscow"


@pytest.mark.parametrize("direction,expected", [(Direction.TO_GOOGLE, "Anna"), (Direction.FROM_GOOGLE, "Annie")])
def test_one_way_directions(direction, expected):
    base = contact(given_name="Ann", notes="n")
    crm = base.replace(given_name="Anna")
    google = base.replace(given_name="Annie", notes="g")
    result = merge(CONTACTS, base, crm, google, policy=Policy(direction=direction))
    assert result.crm["given_name"] == result.google["given_name"] == expected
    # the source side is copied whole: the other side's edits are not read back
    assert result.crm["notes"] == ("n" if direction is Direction.TO_GOOGLE else "g")


def test_newest_compares_naive_database_times_as_utc():
    naive_late = datetime(2026, 1, 1, 10, 0)  # what SQLite hands back for an aware column
    result = merge(CONTACTS, contact(given_name="Ann"), contact(given_name="Anna"), contact(given_name="Annie"),
                   crm_modified=naive_late, google_modified=EARLY)
    assert result.crm["given_name"] == "Anna"
    result = merge(CONTACTS, contact(given_name="Ann"), contact(given_name="Anna"), contact(given_name="Annie"),
                   crm_modified=datetime(2026, 1, 1, 8, 0), google_modified=EARLY)
    assert result.crm["given_name"] == "Annie"
