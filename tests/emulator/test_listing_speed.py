"""The emulator's listings scale like Google's (issue #16): 10,000 contacts in 10 pages of 1,000, full,
incremental and sorted, cost well under a second of the emulator's own CPU (see benchmarks/emulator_list.py;
the same listings of 100,000 contacts have a 10 s target)."""
from benchmarks.emulator_list import run


def test_ten_thousand_contacts_in_ten_pages():
    figures = run(10_000, 1000, events=5000)
    assert figures["contacts"] == 10_000 and figures["pages"] == 10
    assert figures["sync"]["items"] == 10_000 and figures["sorted"]["items"] == 10_000
    assert figures["events"]["full"]["items"] == figures["events"]["sync"]["items"] == 5000
    # CPU time of the emulator's process alone: stable on a busy CI machine, unlike wall time.
    for cpu in (figures["cpu_seconds"], figures["sync"]["cpu"], figures["sorted"]["cpu"],
                figures["events"]["full"]["cpu"], figures["events"]["sync"]["cpu"]):
        assert cpu < 1.0, figures
