"""The core's input: what each side reports since its cursor.

Each side gives a mapping `{id: Seen | DELETED | OUT_OF_SCOPE}`:

- CRM: `{crm_id: Seen(record, modified)}` for records created or changed in scope; `DELETED` for deleted
  records; `OUT_OF_SCOPE` for records that left the sync (untagged / "show in calendar" cleared / ending
  before the "sync starting from" date).
- Google: `{google_id: Seen(record, modified, back_ref=crm id from clientData / extendedProperties,
  previous_ids=former resource names, etag)}`; `DELETED` (metadata.deleted / status cancelled without
  content); `OUT_OF_SCOPE` (left the label / the calendar's window).

A record that left the sync but whose content the adapter has anyway (the People API lists a person with
its memberships; the CRM store has the untagged row) is better reported as `Seen(record, in_scope=False)`:
the core then keeps what that side holds, and a later return to the sync merges against it instead of a
stale copy.

A side's changes are a *full listing* when its cursor expired (or on the first sync): then every in-scope
record is listed, and a paired record missing from the listing is unknown, never deleted.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from typing import Union

from .records import Record


class Gone(Enum):
    DELETED = "deleted"
    OUT_OF_SCOPE = "out_of_scope"


DELETED = Gone.DELETED
OUT_OF_SCOPE = Gone.OUT_OF_SCOPE


@dataclass(frozen=True)
class Seen:
    """A record as one side currently holds it."""

    record: Record
    modified: datetime | None = None  # this side's own modification time (for the "newest" policy)
    back_ref: str | None = None  # Google side: the CRM id written into the Google record
    previous_ids: tuple[str, ...] = ()  # Google side: former resource names of a renamed contact
    etag: str | None = None  # Google side: carried into the pair for If-Match, never compared
    in_scope: bool = True  # False: the record left the sync but its content is known (better than OUT_OF_SCOPE)

    @property
    def active(self) -> bool:
        return self.in_scope


Change = Union[Seen, Gone]


@dataclass(frozen=True)
class SideChanges:
    """One side's report: its changes and whether they are a full listing."""

    changes: Mapping[str, Change]
    full: bool = False

    def seen(self) -> dict[str, Seen]:
        return {k: v for k, v in self.changes.items() if isinstance(v, Seen) and v.in_scope}


def side(changes: Mapping[str, Change] | None = None, *, full: bool = False) -> SideChanges:
    return SideChanges(dict(changes or {}), full)
