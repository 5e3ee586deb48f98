"""The soak under faults in its short form (issue #8 item 4): 3 accounts, 60 contacts and 21 activities, 8
rounds of random edits on both sides while the emulator answers 10 % 5xx and 5 % 429 with latency spikes, one
account's sync tokens expire, one account's grant is revoked and two workers are SIGKILLed (one with its job
process, one's main process alone). The long form and its figures: docs/soak.md."""
import pytest

from benchmarks.soak import Params, report, run_soak

# Spikes at 5 % (the long form: 2 %) so that a run of a few hundred requests meets some: the emulator draws
# its faults unseeded, and the test asserts they happened. A worker killed during a Google write phase leaves
# the account's write lock behind until it expires (600 s by default), stalling that account's runs: a known
# problem (docs/soak.md) that the short form steps around with a 15 s expiry rather than time out.
SHORT = Params(accounts=3, contacts=20, activities=7, rounds=8, expire=1, revoke=1, kills=2, workers=2, seed=8,
               spike_rate=0.05, spike_seconds=0.3, time_limit=120)


@pytest.mark.slow
@pytest.mark.timeout(280)
def test_short_soak_keeps_both_sides_whole():
    figures = run_soak(SHORT)
    report(SHORT, figures)
    faults = figures.faults
    # The faults really happened, so the oracle below had something to survive.
    assert sum(n for kind, n in faults.items() if kind in ("error:500", "error:503")) > 0, faults
    assert faults.get("error:429", 0) > 0 and faults.get("hang", 0) > 0, faults
    assert figures.token_expiries == 1 and figures.revocations == 1 and figures.kills == 2
    # One kill takes a worker with its job process, the other its main process alone (issue #18): no child of
    # it outlives it, and every run a kill cut was replaced by the product itself within two minutes.
    assert figures.kills_main_alone == 1 and figures.orphans == 0, figures.problems
    assert figures.recovered_late == 0 and len(figures.recoveries) == figures.kills_mid_run, figures.problems
    assert figures.edits and sum(figures.google_writes.values()) > 0 and sum(figures.crm_writes.values()) > 0
    assert figures.runs["needs_reconnect"] > 0
    # The oracle.
    assert figures.duplicates == 0, figures.problems
    assert figures.losses == 0, figures.problems
    assert figures.contested_diverged == 0, figures.problems
    assert figures.revoked_not_marked == 0 and figures.calls_after_reconnect_mark == 0, figures.problems
    assert figures.stuck_runs == 0 and figures.stuck_jobs == 0, figures.problems
    assert figures.failed_jobs_unexplained == 0, figures.problems
    assert figures.ok
