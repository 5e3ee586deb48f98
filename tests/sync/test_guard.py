"""The safety rules: mass-delete guard, one side empty, first-sync preview, force."""
import pytest

from wizard.sync import CONTACTS, DELETED, OUT_OF_SCOPE, GuardStatus, Policy, Seen, make_record, plan
from wizard.sync.errors import GUARD_FIRST_SYNC_PREVIEW, GUARD_MASS_DELETE, GUARD_SIDE_EMPTY
from wizard.sync.pairs import synced_pair


def pairs(n):
    return [synced_pair(i, f"c{i}", f"g{i}", make_record(CONTACTS, given_name=f"N{i}")) for i in range(n)]


@pytest.mark.parametrize("total,gone,blocked", [
    (100, 20, False),  # exactly the share: allowed
    (100, 21, True),  # more than 20 %
    (40, 9, False),  # more than 20 % but fewer than 10
    (40, 10, True),  # more than 20 % and at least 10
])
def test_mass_delete_share_and_minimum(total, gone, blocked):
    google = {f"g{i}": DELETED for i in range(gone)}
    result = plan(CONTACTS, pairs(total), {}, google)
    assert (result.guard.status is GuardStatus.BLOCKED) is blocked
    if blocked:
        assert result.guard.message.code == GUARD_MASS_DELETE
        assert result.guard.message.params == {"removals": gone, "pairs": total}


def test_untags_count_as_removals_too():
    crm = {f"c{i}": OUT_OF_SCOPE for i in range(15)}
    result = plan(CONTACTS, pairs(50), crm, {})
    assert result.guard.status is GuardStatus.BLOCKED


def test_configurable_share_and_minimum():
    google = {f"g{i}": DELETED for i in range(5)}
    result = plan(CONTACTS, pairs(10), {}, google, policy=Policy(mass_delete_share=0.6, mass_delete_min=3))
    assert result.allowed
    result = plan(CONTACTS, pairs(10), {}, google, policy=Policy(mass_delete_share=0.4, mass_delete_min=3))
    assert not result.allowed


def test_empty_full_listing_while_pairs_exist_is_blocked_even_without_removals():
    result = plan(CONTACTS, pairs(3), {}, {}, google_full=True)
    assert result.guard.status is GuardStatus.BLOCKED
    assert result.guard.message.code == GUARD_SIDE_EMPTY and result.guard.message.params["side"] == "google"


def test_every_pair_gone_on_one_side_looks_empty():
    crm = {f"c{i}": DELETED for i in range(3)}
    result = plan(CONTACTS, pairs(3), crm, {})
    assert result.guard.message.code == GUARD_SIDE_EMPTY and result.guard.message.params["side"] == "crm"


def test_force_lets_a_blocked_plan_through_and_says_so():
    google = {f"g{i}": DELETED for i in range(30)}
    blocked = plan(CONTACTS, pairs(30), {}, google)
    forced = plan(CONTACTS, pairs(30), {}, google, force=True)
    assert not blocked.allowed and forced.allowed and forced.guard.forced
    assert blocked.actions == forced.actions  # the blocked plan shows what confirming would do


def test_first_sync_preview_above_threshold():
    crm = {f"c{i}": Seen(make_record(CONTACTS, given_name=f"N{i}", emails=[f"n{i}@x.org"])) for i in range(8)}
    google = {f"g{i}": Seen(make_record(CONTACTS, given_name=f"N{i}", emails=[f"n{i}@x.org"])) for i in range(3)}
    google["g-new"] = Seen(make_record(CONTACTS, given_name="Fresh"))
    policy = Policy(first_sync_preview_threshold=5)
    result = plan(CONTACTS, [], crm, google, first_sync=True, crm_full=True, google_full=True, policy=policy)
    assert result.guard.status is GuardStatus.PREVIEW
    assert result.guard.message.code == GUARD_FIRST_SYNC_PREVIEW
    assert result.guard.message.params == {"to_google": 5, "to_crm": 1, "matched": 3}
    small = plan(CONTACTS, [], crm, google, first_sync=True, policy=Policy(first_sync_preview_threshold=6))
    assert small.allowed


def test_no_preview_after_the_first_sync():
    crm = {f"c{i}": Seen(make_record(CONTACTS, given_name=f"N{i}")) for i in range(80)}
    assert plan(CONTACTS, [], crm, {}).allowed
