"""The emulator's listings scale like Google's (issue #16): each page costs O(page), not a pass over the whole
address book or calendar. Small pages make the difference visible: 20,000 contacts in 200 pages of 100 (full,
incremental and name-sorted) and 5,000 events in 50 pages cost the emulator's process well under a second of
CPU each (a scan per page cost 1.3 to 2.5 s here), and a contact costs the emulator's memory little more than
its JSON. See benchmarks/emulator_list.py for the 100,000 figures."""
from benchmarks.emulator_list import run


def test_listings_page_through_an_index():
    figures = run(20_000, 100, events=5000)
    assert figures["contacts"] == 20_000 and figures["pages"] == 200
    assert figures["sync"]["items"] == 20_000 and figures["sorted"]["items"] == 20_000
    assert figures["events"]["full"]["items"] == figures["events"]["sync"]["items"] == 5000
    assert figures["events"]["full"]["pages"] == 50
    # CPU time of the emulator's process alone: stable on a busy CI machine, unlike wall time.
    for cpu in (figures["cpu_seconds"], figures["sync"]["cpu"], figures["sorted"]["cpu"],
                figures["events"]["full"]["cpu"], figures["events"]["sync"]["cpu"]):
        assert cpu < 0.8, figures
    # Memory per contact within three times its JSON (decoded dicts held 5.6 times as much).
    assert figures["kb_per_contact"] < 3 * figures["json_kb_per_contact"], figures
