"""The plan: typed actions the core decided, in the order the engine should apply them, plus a guard.

Actions carry ids and records only; the engine maps them to adapter calls (batched) and saves pairs.
How the engine turns creates into pair rows (the core cannot know ids that do not exist yet):

- `CreateInGoogle`: save `state.pending_pair(action.pair_id, action.crm_id, action.record)` (the intent;
  `pair_id` is set when an interrupted intent is retried) *before* sending, then
  `state.pair_after_create(...)` with Google's id once answered; write the CRM id into the Google record
  (clientData / extendedProperties.private) in the create itself. For activities use `event_id`.
- `CreateInCrm`: create the CRM record, save `state.synced_pair(...)`, in one database transaction, then
  write the new CRM id back into the Google record (a `SetBackRef` the engine adds itself).
- Every other pair change comes as `SaveBase(pair)` (insert when `pair.pair_id` is None) or `Unlink`.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import astuple, dataclass, field
from enum import Enum

from .errors import Message
from .pairs import Pair
from .records import Record


class Action:
    """Base of every action. `writes` tells whether it changes the CRM or Google (not just our tables)."""

    writes_crm = False
    writes_google = False

    @property
    def name(self) -> str:
        return type(self).__name__


@dataclass(frozen=True)
class CreateInGoogle(Action):
    crm_id: str
    record: Record
    event_id: str | None = None  # activities: deterministic id (see ids.event_id_for)
    pair_id: int | str | None = None  # an existing intent row being retried
    writes_google = True


@dataclass(frozen=True)
class CreateInCrm(Action):
    """Create a CRM record in the sync (with the tag / "show in calendar") from a Google record.

    `reuse_crm_id`: the Google record names this CRM record (back-reference) that is not in the sync; if it
    still exists, the engine brings it back (tag it, update it) instead of creating a second one.
    """

    google_id: str
    record: Record
    reuse_crm_id: str | None = None
    writes_crm = True


@dataclass(frozen=True)
class UpdateGoogle(Action):
    pair_id: int | str | None
    crm_id: str
    google_id: str
    fields: frozenset[str]  # the mapped fields to write (updatePersonFields); unmapped ones are never sent
    record: Record  # the full new content of the Google side
    etag: str | None = None
    writes_google = True


@dataclass(frozen=True)
class UpdateCrm(Action):
    pair_id: int | str | None
    crm_id: str
    google_id: str
    fields: frozenset[str]
    record: Record  # the full new content of the CRM side
    writes_crm = True


@dataclass(frozen=True)
class SetBackRef(Action):
    """Write the CRM id into the Google record (matched on the first sync without a back-reference)."""

    crm_id: str
    google_id: str
    etag: str | None = None
    writes_google = True


@dataclass(frozen=True)
class RemoveFromGoogleScope(Action):
    """Leave the Google record, take it out of the sync (contacts: remove it from the label)."""

    pair_id: int | str | None
    crm_id: str | None
    google_id: str
    writes_google = True


@dataclass(frozen=True)
class AddToGoogleScope(Action):
    """A detached pair returns to the sync from the CRM side: put the Google record back in the label."""

    pair_id: int | str | None
    crm_id: str
    google_id: str
    writes_google = True


@dataclass(frozen=True)
class DeleteInGoogle(Action):
    pair_id: int | str | None
    crm_id: str | None
    google_id: str
    etag: str | None = None
    writes_google = True


@dataclass(frozen=True)
class UntagInCrm(Action):
    """Keep the CRM record, take it out of the sync (contacts: remove the tag; activities: clear
    "show in calendar")."""

    pair_id: int | str | None
    crm_id: str
    google_id: str | None
    writes_crm = True


@dataclass(frozen=True)
class TagInCrm(Action):
    """A detached pair returns to the sync from the Google side: tag the CRM record again (activities: mark
    it "show in calendar")."""

    pair_id: int | str | None
    crm_id: str
    google_id: str
    writes_crm = True


@dataclass(frozen=True)
class DeleteInCrm(Action):
    pair_id: int | str | None
    crm_id: str
    google_id: str | None
    writes_crm = True


class Match(Enum):
    BACK_REF = "back_ref"  # the CRM id found in the Google record
    PENDING = "pending"  # an interrupted create found again (intent row)
    EVENT_ID = "event_id"  # the deterministic event id of the activity
    EMAIL = "email"  # first sync: normalized e-mail
    PHONE = "phone"  # first sync: normalized phone
    RENAME = "rename"  # Google renamed the resource (previousResourceNames)
    RETURN = "return"  # a detached pair came back into the sync


@dataclass(frozen=True)
class Link(Action):
    crm_id: str
    google_id: str
    match: Match


@dataclass(frozen=True)
class Unlink(Action):
    pair_id: int | str | None
    crm_id: str | None
    google_id: str | None
    reason: str  # "crm_deleted" | "google_deleted" | "gone_both" | "pending_dropped" | "recreated" ...


@dataclass(frozen=True)
class RecordConflict(Action):
    pair_id: int | str | None
    crm_id: str
    google_id: str
    fields: tuple[str, ...]  # one merge unit (a field, or a group such as start/end/all_day/timezone)
    base: tuple
    crm: tuple
    google: tuple
    message: Message = field(default=None, compare=False)


@dataclass(frozen=True)
class ReportIssue(Action):
    message: Message
    crm_id: str | None = None
    google_id: str | None = None


@dataclass(frozen=True)
class SaveBase(Action):
    """Insert or replace the pair row (also after a content-identical etag change: the etag moves on)."""

    pair: Pair


REMOVALS = (RemoveFromGoogleScope, DeleteInGoogle, UntagInCrm, DeleteInCrm)


class GuardStatus(Enum):
    OK = "ok"
    BLOCKED = "blocked"  # mass delete / one side empty: write nothing until confirmed (or --force)
    PREVIEW = "preview"  # first sync above the threshold: show the counts, write after confirmation


@dataclass(frozen=True)
class Guard:
    status: GuardStatus = GuardStatus.OK
    message: Message | None = None
    forced: bool = False  # the guard would have stopped the plan but `force` overrode it

    @property
    def ok(self) -> bool:
        return self.status is GuardStatus.OK


@dataclass(frozen=True)
class PlanTally:
    """The numbers the guard weighs. A run planned in chunks adds its chunks' tallies (`+`)."""

    removals: int = 0  # pairs deleted or taken out of the sync on one side
    creates: int = 0
    matched: int = 0
    to_google: int = 0  # CreateInGoogle actions
    to_crm: int = 0  # CreateInCrm actions
    activated: int = 0  # pairs that became active in this run (an interrupted create found)
    crm_gone: int = 0  # active pairs whose CRM record is listed as deleted or out of the sync
    google_gone: int = 0  # same, Google record

    def __add__(self, other: "PlanTally") -> "PlanTally":
        return PlanTally(*(a + b for a, b in zip(astuple(self), astuple(other))))


@dataclass(frozen=True)
class Plan:
    object: str
    actions: tuple[Action, ...]
    guard: Guard = Guard()
    needs_full_listing: bool = False  # an interrupted contact create can only be found by a full listing
    refetch_crm: frozenset[str] = frozenset()  # CRM ids referenced from Google but not in the CRM input
    tally: "PlanTally" = None  # what the guard weighs; summed over the chunks of a bounded run

    @property
    def allowed(self) -> bool:
        return self.guard.ok

    def counts(self) -> dict[str, int]:
        return dict(Counter(action.name for action in self.actions))

    def writes(self) -> tuple[Action, ...]:
        """Actions that change the CRM or Google (SaveBase, Link, reports are bookkeeping)."""
        return tuple(a for a in self.actions if a.writes_crm or a.writes_google)

    def of(self, *types) -> tuple[Action, ...]:
        return tuple(a for a in self.actions if isinstance(a, types))

    def conflicts(self) -> tuple[RecordConflict, ...]:
        return self.of(RecordConflict)


@dataclass
class Result:
    """One write's outcome, as an adapter reports it for the action it was given (Google's answer: its id, etag
    and record, or the error)."""

    action: Action
    ok: bool
    google_id: str | None = None
    etag: str | None = None
    record: object = None  # the core record of Google's answer, when it sent one back
    error: Exception | None = None
