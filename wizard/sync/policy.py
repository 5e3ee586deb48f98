"""Per-account policies: direction, conflicts, deletions, and the safety limits that block a plan.

Defaults are the safe ones from the documented procedure: deletions are never propagated as deletions
(a Google delete removes the tag in the CRM; a CRM delete or untag removes the Google label membership),
real deletion is opt-in per side, and even then happens only when the other side is unchanged since the
base (an edit beats a delete).
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Direction(Enum):
    TWO_WAY = "two_way"
    TO_GOOGLE = "to_google"  # the CRM is the source: Google is made to match it, Google edits are not read back
    FROM_GOOGLE = "from_google"  # Google is the source: the CRM is made to match it


class ConflictPolicy(Enum):
    NEWEST = "newest"  # the side whose own modification time is later (ties and unknown times: CRM)
    CRM_WINS = "crm_wins"
    GOOGLE_WINS = "google_wins"
    ASK = "ask"  # neither side written for the conflicting fields; the conflict is reported


@dataclass(frozen=True)
class Policy:
    direction: Direction = Direction.TWO_WAY
    conflict: ConflictPolicy = ConflictPolicy.NEWEST
    delete_in_google: bool = False  # a CRM delete deletes the Google record (else: leaves the label)
    delete_in_crm: bool = False  # a Google delete deletes the CRM record (else: untags it)
    mass_delete_share: float = 0.20
    mass_delete_min: int = 10
    first_sync_preview_threshold: int = 50  # creates above this on a first sync need confirmation

    @property
    def reads_google(self) -> bool:
        return self.direction is not Direction.TO_GOOGLE

    @property
    def reads_crm(self) -> bool:
        return self.direction is not Direction.FROM_GOOGLE

    @property
    def writes_google(self) -> bool:
        return self.direction is not Direction.FROM_GOOGLE

    @property
    def writes_crm(self) -> bool:
        return self.direction is not Direction.TO_GOOGLE


def mass_delete_exceeded(removals: int, pairs: int, policy: Policy) -> bool:
    """More than the share of pairs (and at least the minimum) would be deleted or unlinked."""
    return removals >= policy.mass_delete_min and removals > policy.mass_delete_share * pairs


def first_sync_needs_preview(creates: int, policy: Policy) -> bool:
    return creates > policy.first_sync_preview_threshold
