"""Table-driven tests of the decision table (pair state x CRM change x Google change x policy), plain data."""
import pytest

from wizard.sync import (
    ACTIVITIES,
    CONTACTS,
    DELETED,
    OUT_OF_SCOPE,
    ConflictPolicy,
    CreateInCrm,
    CreateInGoogle,
    DeleteInGoogle,
    Direction,
    Link,
    Match,
    PairState,
    Policy,
    SaveBase,
    Seen,
    SetBackRef,
    TagInCrm,
    UpdateCrm,
    UpdateGoogle,
    event_id_for,
    make_record,
    plan,
)
from wizard.sync.pairs import pending_pair, synced_pair

BASE = make_record(CONTACTS, given_name="Ann", family_name="Lee", emails=["ann@x.org"])
ACT = make_record(ACTIVITIES, title="Call", start="2026-03-02", end="2026-03-03", all_day=True,
                  status="confirmed", type="call")
OPT_IN = Policy(delete_in_google=True, delete_in_crm=True)


def change(kind, base, spec):
    """A side's change for the table: none, same (etag-only), edit, deleted, out."""
    edited = base.replace(title="Edited") if spec is ACTIVITIES else base.replace(organization="Acme")
    return {
        "none": None,
        "same": Seen(base, etag="e2"),
        "edit": Seen(edited, etag="e2"),
        "edit2": Seen(base.replace(notes="from the CRM") if spec is CONTACTS else base.replace(location="Room 1"),
                      etag="e2"),
        "deleted": DELETED,
        "out": OUT_OF_SCOPE,
    }[kind]


# (case, spec, policy, crm change, google change, expected action names, resulting pair state or None)
TABLE = [
    # row 1: nothing changed
    ("unchanged", CONTACTS, Policy(), "none", "none", [], None),
    ("etag moved, same content", CONTACTS, Policy(), "same", "same", ["SaveBase"], PairState.SYNCED),
    # row 2: merge
    ("crm edited", CONTACTS, Policy(), "edit2", "none", ["UpdateGoogle", "SaveBase"], PairState.SYNCED),
    ("google edited", CONTACTS, Policy(), "none", "edit", ["UpdateCrm", "SaveBase"], PairState.SYNCED),
    ("both edited, other fields", CONTACTS, Policy(), "edit2", "edit", ["UpdateCrm", "UpdateGoogle", "SaveBase"],
     PairState.SYNCED),
    ("both edited, same change", CONTACTS, Policy(), "edit", "edit", ["SaveBase"], PairState.SYNCED),
    # row 3: gone on both
    ("deleted both", CONTACTS, Policy(), "deleted", "deleted", ["Unlink"], None),
    ("deleted and left", CONTACTS, Policy(), "deleted", "out", ["Unlink"], None),
    ("left both", CONTACTS, Policy(), "out", "out", ["SaveBase"], PairState.DETACHED),
    # row 4: CRM delete
    ("crm deleted (safe default)", CONTACTS, Policy(), "deleted", "none", ["RemoveFromGoogleScope", "Unlink"], None),
    ("crm deleted, google edited (default)", CONTACTS, Policy(), "deleted", "edit",
     ["RemoveFromGoogleScope", "Unlink"], None),
    ("crm deleted, opt-in", CONTACTS, OPT_IN, "deleted", "none", ["DeleteInGoogle", "Unlink"], None),
    ("crm deleted, opt-in, google edited: edit wins", CONTACTS, OPT_IN, "deleted", "edit",
     ["ReportIssue", "Unlink", "CreateInCrm"], None),
    # row 5: CRM untag
    ("crm untagged", CONTACTS, Policy(), "out", "none", ["RemoveFromGoogleScope", "SaveBase"], PairState.DETACHED),
    ("crm untagged, google edited", CONTACTS, OPT_IN, "out", "edit", ["RemoveFromGoogleScope", "SaveBase"],
     PairState.DETACHED),
    # row 6: Google delete
    ("google deleted (safe default)", CONTACTS, Policy(), "none", "deleted", ["UntagInCrm", "Unlink"], None),
    ("google deleted, crm edited (default)", CONTACTS, Policy(), "edit2", "deleted", ["UntagInCrm", "Unlink"], None),
    ("google deleted, opt-in", CONTACTS, OPT_IN, "none", "deleted", ["DeleteInCrm", "Unlink"], None),
    ("google deleted, opt-in, crm edited: edit wins", CONTACTS, OPT_IN, "edit2", "deleted",
     ["ReportIssue", "Unlink", "CreateInGoogle"], None),
    # row 7: Google label removed
    ("google left the label", CONTACTS, Policy(), "none", "out", ["UntagInCrm", "SaveBase"], PairState.DETACHED),
    # activities: no Google membership to mirror
    ("activity left the sync in the crm", ACTIVITIES, Policy(), "out", "none", ["SaveBase"], PairState.DETACHED),
    ("activity deleted in the crm (default)", ACTIVITIES, Policy(), "deleted", "none", ["Unlink"], None),
    ("activity deleted in the crm, opt-in", ACTIVITIES, OPT_IN, "deleted", "none", ["DeleteInGoogle", "Unlink"],
     None),
    ("event deleted in google (default)", ACTIVITIES, Policy(), "none", "deleted", ["UntagInCrm", "Unlink"], None),
    ("event left the window", ACTIVITIES, Policy(), "none", "out", ["SaveBase"], PairState.DETACHED),
    ("activity edited", ACTIVITIES, Policy(), "edit2", "none", ["UpdateGoogle", "SaveBase"], PairState.SYNCED),
    # conflicts and directions
    ("to google only: google edit reverted", CONTACTS, Policy(direction=Direction.TO_GOOGLE), "none", "edit",
     ["UpdateGoogle", "SaveBase"], PairState.SYNCED),
    ("from google only: crm edit reverted", CONTACTS, Policy(direction=Direction.FROM_GOOGLE), "edit2", "none",
     ["UpdateCrm"], None),
    ("to google only: google delete just unlinks", CONTACTS, Policy(direction=Direction.TO_GOOGLE), "none",
     "deleted", ["Unlink"], None),
]


@pytest.mark.parametrize("case,spec,policy,crm_kind,google_kind,expected,state",
                         TABLE, ids=[t[0] for t in TABLE])
def test_decision_table(case, spec, policy, crm_kind, google_kind, expected, state):
    base = BASE if spec is CONTACTS else ACT
    pair = synced_pair(1, "c1", "g1", base, google_etag="e1")
    # untouched pairs around it, so that one removal is no "side looks empty" (tested on its own)
    bystanders = [synced_pair(i, f"c{i}", f"g{i}", base) for i in range(100, 109)]
    crm = {} if crm_kind == "none" else {"c1": change(crm_kind, base, spec)}
    google = {} if google_kind == "none" else {"g1": _with_back_ref(change(google_kind, base, spec))}
    result = plan(spec, [pair, *bystanders], crm, google, policy=policy, installation_id="inst")
    assert [a.name for a in result.actions] == expected
    saved = result.of(SaveBase)
    if state is not None:
        assert saved[-1].pair.state is state
    assert result.allowed


def _with_back_ref(c):
    return Seen(c.record, etag=c.etag, back_ref="c1") if isinstance(c, Seen) else c


def test_writes_carry_only_the_changed_fields_and_the_merged_record():
    pair = synced_pair(1, "c1", "g1", BASE)
    crm = {"c1": Seen(BASE.replace(given_name="Anna"))}
    google = {"g1": Seen(BASE.replace(emails=["ann@x.org", "ann@home.org"]), back_ref="c1", etag="e9")}
    result = plan(CONTACTS, [pair], crm, google)
    (to_crm,), (to_google,) = result.of(UpdateCrm), result.of(UpdateGoogle)
    merged = BASE.replace(given_name="Anna", emails=["ann@x.org", "ann@home.org"])
    assert to_crm.fields == {"emails"} and to_crm.record == merged
    assert to_google.fields == {"given_name"} and to_google.record == merged and to_google.etag == "e9"
    (saved,) = result.of(SaveBase)
    assert saved.pair.base == merged and saved.pair.google_etag == "e9"


def test_conflict_ask_writes_neither_side_and_reports():
    pair = synced_pair(1, "c1", "g1", BASE)
    result = plan(CONTACTS, [pair], {"c1": Seen(BASE.replace(given_name="Anna"))},
                  {"g1": Seen(BASE.replace(given_name="Annie"), back_ref="c1")},
                  policy=Policy(conflict=ConflictPolicy.ASK))
    assert [a.name for a in result.actions] == ["RecordConflict", "SaveBase"]
    conflict = result.conflicts()[0]
    assert conflict.fields == ("given_name",) and conflict.crm == ("Anna",) and conflict.google == ("Annie",)
    saved = result.of(SaveBase)[0].pair
    assert saved.state is PairState.CONFLICT and saved.conflicts == {"given_name"}
    # nothing changed afterwards: nothing to do, the conflict stays open
    again = plan(CONTACTS, [saved], {}, {})
    assert again.actions == ()
    # the user makes the CRM agree with Google: resolved, nothing to write to Google
    resolved = plan(CONTACTS, [saved], {"c1": Seen(BASE.replace(given_name="Annie"))}, {})
    assert [a.name for a in resolved.actions] == ["SaveBase"]
    assert resolved.of(SaveBase)[0].pair.state is PairState.SYNCED


def test_conflict_newest_uses_each_sides_own_time():
    from datetime import datetime, timezone
    early, late = datetime(2026, 1, 1, tzinfo=timezone.utc), datetime(2026, 1, 2, tzinfo=timezone.utc)
    pair = synced_pair(1, "c1", "g1", BASE)
    result = plan(CONTACTS, [pair], {"c1": Seen(BASE.replace(given_name="Anna"), modified=early)},
                  {"g1": Seen(BASE.replace(given_name="Annie"), modified=late, back_ref="c1")})
    assert [a.name for a in result.actions] == ["UpdateCrm", "SaveBase"]
    assert result.of(UpdateCrm)[0].record["given_name"] == "Annie"


# --- detached pairs (left the sync on one side) -----------------------------------------------------------

def detached(left="crm", spec=CONTACTS, base=BASE):
    return synced_pair(1, "c1", "g1", base).with_(state=PairState.DETACHED, left=left)


def test_detached_contact_retagged_in_crm_returns_to_the_label_without_duplicate():
    result = plan(CONTACTS, [detached()], {"c1": Seen(BASE.replace(notes="while away"))}, {})
    assert [a.name for a in result.actions] == ["Link", "AddToGoogleScope", "UpdateGoogle", "SaveBase"]
    assert result.of(Link)[0].match is Match.RETURN
    assert result.of(SaveBase)[0].pair.state is PairState.SYNCED
    assert not result.of(CreateInGoogle)


def test_detached_contact_put_back_in_label_is_tagged_again():
    result = plan(CONTACTS, [detached()], {}, {"g1": Seen(BASE, back_ref="c1")})
    assert [a.name for a in result.actions] == ["Link", "TagInCrm", "SaveBase"]
    assert result.of(TagInCrm)[0].crm_id == "c1"


def test_detached_keeps_what_the_out_of_scope_side_holds():
    edited = BASE.replace(organization="Elsewhere")
    result = plan(CONTACTS, [detached()], {}, {"g1": Seen(edited, back_ref="c1", in_scope=False)})
    assert [a.name for a in result.actions] == ["SaveBase"]
    kept = result.of(SaveBase)[0].pair
    assert kept.state is PairState.DETACHED and kept.google_record == edited
    # back in the sync later: that edit is merged, not lost
    back = plan(CONTACTS, [kept], {"c1": Seen(BASE)}, {})
    assert back.of(UpdateCrm)[0].record["organization"] == "Elsewhere"


def test_detached_and_deleted_is_forgotten():
    result = plan(CONTACTS, [detached()], {"c1": DELETED}, {})
    assert [a.name for a in result.actions] == ["Unlink"]


def test_detached_activity_is_not_brought_back_by_a_google_edit():
    result = plan(ACTIVITIES, [detached(base=ACT)], {}, {"g1": Seen(ACT.replace(title="Moved"), back_ref="c1")})
    assert [a.name for a in result.actions] == ["SaveBase"]
    assert result.of(SaveBase)[0].pair.state is PairState.DETACHED


# --- interrupted creates (intent rows) --------------------------------------------------------------------

def test_pending_create_found_by_back_reference():
    intent = pending_pair(7, "c1", BASE)
    result = plan(CONTACTS, [intent], {}, {"people/9": Seen(BASE, back_ref="c1", etag="e1")})
    assert [a.name for a in result.actions] == ["Link", "SaveBase"]
    saved = result.of(SaveBase)[0].pair
    assert saved.google_id == "people/9" and saved.state is PairState.SYNCED and saved.pair_id == 7


def test_pending_contact_create_not_found_incrementally_asks_for_a_full_listing():
    intent = pending_pair(7, "c1", BASE)
    result = plan(CONTACTS, [intent], {}, {})
    assert result.needs_full_listing and [a.name for a in result.actions] == ["ReportIssue"]
    full = plan(CONTACTS, [intent], {}, {}, google_full=True)
    (create,) = full.of(CreateInGoogle)
    assert create.pair_id == 7 and create.record == BASE


def test_pending_activity_create_is_retried_with_the_same_event_id():
    intent = pending_pair(7, "a1", ACT)
    result = plan(ACTIVITIES, [intent], {}, {}, installation_id="inst")
    (create,) = result.of(CreateInGoogle)
    assert create.event_id == event_id_for("inst", "a1") and create.pair_id == 7


def test_pending_activity_found_by_event_id():
    intent = pending_pair(7, "a1", ACT)
    eid = event_id_for("inst", "a1")
    result = plan(ACTIVITIES, [intent], {}, {eid: Seen(ACT)}, installation_id="inst")
    assert result.of(Link)[0].match is Match.PENDING
    assert not result.of(CreateInGoogle)


def test_pending_activity_whose_crm_record_left_is_rolled_back():
    intent = pending_pair(7, "a1", ACT)
    result = plan(ACTIVITIES, [intent], {"a1": DELETED}, {}, installation_id="inst")
    assert [a.name for a in result.actions] == ["DeleteInGoogle", "Unlink"]
    assert result.of(DeleteInGoogle)[0].google_id == event_id_for("inst", "a1")


# --- unpaired records ------------------------------------------------------------------------------------

def test_new_on_each_side_is_created_on_the_other():
    result = plan(CONTACTS, [], {"c1": Seen(BASE)}, {"g1": Seen(BASE.replace(given_name="Bob"))})
    assert sorted(a.name for a in result.actions) == ["CreateInCrm", "CreateInGoogle"]


def test_new_activity_gets_a_deterministic_event_id():
    result = plan(ACTIVITIES, [], {"a1": Seen(ACT)}, {}, installation_id="inst")
    assert result.of(CreateInGoogle)[0].event_id == event_id_for("inst", "a1")


def test_first_sync_matches_by_email_then_phone():
    crm = {"c1": Seen(make_record(CONTACTS, given_name="Ann", emails=["ann@x.org"])),
           "c2": Seen(make_record(CONTACTS, given_name="Bob", phones=["+1 555 0100"]))}
    google = {"g1": Seen(make_record(CONTACTS, given_name="Ann", emails=["ANN@x.org"], phones=["+1 555 0100"])),
              "g2": Seen(make_record(CONTACTS, family_name="B", phones=["+15550100"]))}
    result = plan(CONTACTS, [], crm, google, first_sync=True, crm_full=True, google_full=True)
    links = {(a.crm_id, a.google_id, a.match) for a in result.of(Link)}
    assert links == {("c1", "g1", Match.EMAIL), ("c2", "g2", Match.PHONE)}
    assert {(a.crm_id, a.google_id) for a in result.of(SetBackRef)} == {("c1", "g1"), ("c2", "g2")}
    assert not result.of(CreateInCrm) and not result.of(CreateInGoogle)
    # the merge without base unites what both had
    saved = {a.pair.crm_id: a.pair for a in result.of(SaveBase)}
    assert saved["c2"].base["family_name"] == "B" and saved["c2"].base["given_name"] == "Bob"


def test_matching_by_email_happens_only_on_the_first_sync():
    crm = {"c1": Seen(make_record(CONTACTS, emails=["ann@x.org"]))}
    google = {"g1": Seen(make_record(CONTACTS, emails=["ann@x.org"]))}
    result = plan(CONTACTS, [], crm, google)
    assert sorted(a.name for a in result.actions) == ["CreateInCrm", "CreateInGoogle"]


def test_back_reference_links_before_anything_else():
    result = plan(CONTACTS, [], {"c1": Seen(BASE)}, {"g7": Seen(BASE.replace(given_name="Bob"), back_ref="c1")},
                  policy=Policy(conflict=ConflictPolicy.GOOGLE_WINS))
    assert result.of(Link)[0].match is Match.BACK_REF
    assert not result.of(CreateInCrm) and not result.of(CreateInGoogle)


def test_back_reference_to_an_already_paired_record_is_left_alone():
    pair = synced_pair(1, "c1", "g1", BASE)
    result = plan(CONTACTS, [pair], {}, {"g2": Seen(BASE, back_ref="c1")})
    assert [a.name for a in result.actions] == ["ReportIssue"]


def test_back_reference_unknown_to_an_incremental_listing_is_refetched():
    result = plan(CONTACTS, [], {}, {"g2": Seen(BASE, back_ref="c9")})
    assert result.refetch_crm == {"c9"} and result.actions == ()


def test_back_reference_to_a_record_outside_the_sync_reuses_it():
    result = plan(CONTACTS, [], {"c9": OUT_OF_SCOPE}, {"g2": Seen(BASE, back_ref="c9")})
    (create,) = result.of(CreateInCrm)
    assert create.reuse_crm_id == "c9"


def test_event_of_a_deleted_activity_is_not_resurrected():
    result = plan(ACTIVITIES, [], {"a9": DELETED}, {"e2": Seen(ACT, back_ref="a9")})
    assert result.actions == ()


def test_renamed_google_contact_keeps_its_pair():
    pair = synced_pair(1, "c1", "people/old", BASE)
    result = plan(CONTACTS, [pair], {}, {"people/new": Seen(BASE, back_ref="c1", previous_ids=("people/old",)),
                                        "people/old": DELETED})
    assert [a.name for a in result.actions] == ["Link", "SaveBase"]
    assert result.of(SaveBase)[0].pair.google_id == "people/new"


def test_missing_back_reference_is_repaired():
    pair = synced_pair(1, "c1", "g1", BASE)
    result = plan(CONTACTS, [pair], {}, {"g1": Seen(BASE.replace(notes="x"))})
    assert [a.name for a in result.actions] == ["SetBackRef", "UpdateCrm", "SaveBase"]


def test_full_listing_absence_is_not_a_deletion():
    pairs = [synced_pair(i, f"c{i}", f"g{i}", BASE.replace(given_name=f"N{i}")) for i in range(5)]
    listing = {f"g{i}": Seen(BASE.replace(given_name=f"N{i}"), back_ref=f"c{i}") for i in range(2)}
    result = plan(CONTACTS, pairs, {}, listing, google_full=True)
    assert result.writes() == () and result.allowed


def test_activity_detached_by_google_does_not_return_when_the_crm_side_leaves_in_the_same_run():
    pair = detached(left="google", base=ACT)
    result = plan(ACTIVITIES, [pair], {"c1": Seen(ACT, in_scope=False)}, {"g1": Seen(ACT, back_ref="c1")})
    assert [a.name for a in result.actions] == ["SaveBase"]
    kept = result.of(SaveBase)[0].pair
    assert kept.state is PairState.DETACHED and kept.left == "crm"


def test_activity_detached_by_google_remembers_that_the_crm_side_left_too():
    pair = detached(left="google", base=ACT)
    result = plan(ACTIVITIES, [pair], {"c1": Seen(ACT, in_scope=False)}, {})
    kept = result.of(SaveBase)[0].pair
    assert kept.state is PairState.DETACHED and kept.left == "both"
    later = plan(ACTIVITIES, [kept], {}, {"g1": Seen(ACT, back_ref="c1")})
    assert later.of(SaveBase)[0].pair.state is PairState.DETACHED
