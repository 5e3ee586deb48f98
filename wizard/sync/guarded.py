"""Compare-and-set for the CRM writes of a run: what a person saved between the run's read and its write wins.

A run plans from what it read (or, for a record it did not list, from the pair's base). When it comes to
write, the record may have been saved by a person meanwhile. `guarded_write` compares what the CRM holds now
with what the plan assumed: the fields the person changed are left alone (the person wins them; the next run
reads the save and syncs it), the others are written. `intended` is what the CRM would hold had nobody
written in between: the engine fingerprints that, never a re-read that includes someone else's change, so
the next run sees the person's save as a change.
"""
from __future__ import annotations

from dataclasses import dataclass

from .pairs import Pair
from .records import Record, fingerprint


@dataclass(frozen=True)
class GuardedWrite:
    fields: frozenset[str]  # the planned fields still safe to write
    intruded: frozenset[str]  # the fields a person changed since the run read the record
    intended: Record  # the record the CRM would hold without the intruding save


def guarded_write(expected: Record | None, expected_fingerprint: str | None, current: Record,
                  fields, record: Record) -> GuardedWrite:
    """The write to make over `current`, planned from `expected` (fingerprint `expected_fingerprint`)."""
    fields = frozenset(fields)
    intruded = frozenset() if _unchanged(expected, expected_fingerprint, current) else _differing(expected, current)
    start = expected if expected is not None else current
    intended = start.replace(**{name: record[name] for name in fields})
    return GuardedWrite(fields - intruded, intruded, intended)


def _unchanged(expected, expected_fingerprint, current) -> bool:
    # The fingerprint is the CRM's own form of what the run planned from: equal means nobody wrote since.
    if expected_fingerprint is not None and fingerprint(current) == expected_fingerprint:
        return True
    return expected is None or expected == current


def _differing(expected: Record, current: Record) -> frozenset[str]:
    return frozenset(name for name in expected.keys() if expected[name] != current[name])


def fingerprint_basis(readback: Record, write: GuardedWrite) -> Record:
    """What the pair's CRM fingerprint is taken from after the write: the record read back under the row
    lock (the CRM's own normalization of what was written), with a person's fields put back to what the run
    intended, so that their save still counts as a change at the next run."""
    if not write.intruded:
        return readback
    return readback.replace(**{name: write.intended[name] for name in write.intruded})


def after_refused_google_write(pair: Pair, crm_written: Record | None, google_then: Record | None) -> Pair:
    """The pair to plan again from when Google refused this run's update (an edit there since the listing)
    after the run wrote the CRM side of the same pair.

    The fields the run copied into the CRM that Google held too are agreed: they move into the base. The CRM
    side is marked unknown (no fingerprint) so it is read and merged again. Planned from the old base
    instead, the run's own CRM write would look like the newest CRM edit and beat the Google edit that made
    the etag stale."""
    if crm_written is None or google_then is None or pair.base is None:
        return pair
    agreed = {name: crm_written[name] for name in crm_written.keys()
              if crm_written[name] == google_then[name] and pair.base[name] != crm_written[name]}
    if not agreed:
        return pair
    return pair.with_(base=pair.base.replace(**agreed), crm_fingerprint=None)
