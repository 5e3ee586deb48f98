"""Recurring Google series on the core: each instance is its own record and pairs with its own activity."""
from wizard.sync import ACTIVITIES, DELETED, CreateInCrm, Link, Match, Seen, UpdateCrm, make_record, plan
from wizard.sync.pairs import synced_pair
from wizard.sync.times import instant_from_local

from .sim import Simulation

ZONE = "America/New_York"


def instance(day: int, hour: int = 9, status: str = "confirmed"):
    """The weekly 09:00 New York meeting on 2026-03-<day> (crosses the DST change of 03-08)."""
    from datetime import datetime
    start = instant_from_local(datetime(2026, 3, day, hour), ZONE)
    end = instant_from_local(datetime(2026, 3, day, hour + 1), ZONE)
    return make_record(ACTIVITIES, title="Weekly", start=start, end=end, all_day=False, timezone=ZONE,
                       status=status, type="meeting")


DAYS = [1, 8, 15, 22, 29]


def instance_id(day: int) -> str:
    return f"series1_202603{day:02d}T{'14' if day == 1 else '13'}0000z"


def test_weekly_series_with_a_moved_and_a_cancelled_instance_syncs_twice_without_duplicates():
    sim = Simulation(ACTIVITIES)
    for day in DAYS:
        gid = instance_id(day)
        sim.google.records[gid] = instance(day)
        sim.google.in_scope.add(gid)
        sim.google.touch(gid, sim.clock)
    first = sim.sync()
    assert len(first.of(CreateInCrm)) == 5 and first.allowed
    assert len(sim.pairs) == 5 and len(sim.crm.live_in_scope()) == 5
    # one instance moved to 11:00, another cancelled (Google keeps it as a cancelled instance)
    sim.user_edit(sim.google, instance_id(15), instance(15, hour=11))
    sim.user_edit(sim.google, instance_id(22), instance(22, status="cancelled"))
    second = sim.sync()
    updates = {a.google_id: a for a in second.of(UpdateCrm)}
    assert set(updates) == {instance_id(15), instance_id(22)}
    assert updates[instance_id(15)].fields == {"start", "end"}
    assert updates[instance_id(22)].fields == {"status"}
    assert not second.of(CreateInCrm)
    third = sim.sync()
    assert third.writes() == ()
    # every instance has exactly one activity, holding the instance's content
    assert len(sim.crm.live_in_scope()) == 5
    for pair in sim.pairs.values():
        assert sim.crm.records[pair.crm_id] == sim.google.records[pair.google_id]
    moved = next(p for p in sim.pairs.values() if p.google_id == instance_id(15))
    assert sim.crm.records[moved.crm_id]["start"] == "2026-03-15T15:00:00Z"  # 11:00 EDT


def test_series_whose_rule_changed_re_pairs_its_instances():
    # The adapter maps each new instance to the old instance at the same position (previous_ids), so the
    # activities continue instead of being untagged and created again.
    pairs = [synced_pair(i, f"a{i}", instance_id(day), instance(day)) for i, day in enumerate(DAYS)]
    google = {}
    for i, day in enumerate(DAYS):
        google[instance_id(day)] = DELETED
        google[f"series1_R{i}"] = Seen(instance(day, hour=10), back_ref=None, previous_ids=(instance_id(day),))
    result = plan(ACTIVITIES, pairs, {}, google, installation_id="inst")
    assert {a.match for a in result.of(Link)} == {Match.RENAME}
    assert not result.of(CreateInCrm) and result.allowed
    assert {a.crm_id for a in result.of(UpdateCrm)} == {f"a{i}" for i in range(5)}
    assert all(a.fields == {"start", "end"} for a in result.of(UpdateCrm))
