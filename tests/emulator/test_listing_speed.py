"""Listing 10,000 contacts in 10 pages of 1,000 must cost well under a second (see benchmarks/)."""
from benchmarks.emulator_list import run


def test_ten_thousand_contacts_in_ten_pages():
    figures = run(10_000, 1000)
    assert figures["contacts"] == 10_000 and figures["pages"] == 10 and figures["api_calls"] == 10
    # CPU time of emulator and client together: stable on a busy CI machine, unlike wall time.
    assert figures["cpu_seconds"] < 1.0, figures
