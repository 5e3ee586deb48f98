"""The pure sync core: plain data in, a plan of actions out. Standard library only, no I/O.

One engine for two kinds of record (contacts ⇄ Google Contacts, activities ⇄ Google Calendar); the kind is
data (`ObjectSpec`), never a fork of the code. The shell around it (engine, adapters, jobs) gathers each
side's changes, calls `plan()`, applies the plan in batches and saves the pairs.

Glossary (one word per idea, in code, tests and docs)
------------------------------------------------------
account   a linked Google account; a run syncs one account and one object.
object    what is synced: `CONTACTS` or `ACTIVITIES` (an `ObjectSpec`: fields, merge groups, match keys).
record    normalized content of one item on one side (`Record`): frozen mapping field -> value; scalars are
          `str | bool | None`, multi-valued fields are frozensets of `Item(key, value)` keyed by the
          normalized value. `fingerprint(record)` is its content hash.
pair      a CRM record and its Google counterpart (`Pair`): ids, base, fingerprints of both sides, state
          (synced, conflict, pending_create = an intent saved before a Google create, detached = out of the
          sync on one side but remembered so a return re-pairs instead of duplicating).
base      the snapshot both sides agreed on at the last sync: the reference of the three-way merge.
cursor    where an incremental listing resumes (Google sync token, CRM change position). Not seen here:
          the core gets the changes since the cursor, flagged `full` when a listing restarted.
change    what a side reports for an id: `Seen(record, modified, back_ref, previous_ids, etag)`, `DELETED`,
          or `OUT_OF_SCOPE` (untagged, left the label, before "sync starting from").
run       one execution of a sync for an account and object (recorded by the engine).
plan      the actions the core decided (`Plan`), with a `Guard` that may block it (mass delete, empty side)
          or ask for a preview (first sync).
issue     a per-record problem shown to the user: `ReportIssue(Message(code, params))`.
conflict  the same field changed differently on both sides; resolved by the policy, or left open and
          reported (`RecordConflict`) under the "ask" policy.

Public API
----------
    plan(spec, pairs, crm_changes, google_changes, *, policy=Policy(), crm_full=False, google_full=False,
         first_sync=False, force=False, installation_id=None) -> Plan

    crm_changes:    {crm_id: Seen | DELETED | OUT_OF_SCOPE}
    google_changes: {google_id: Seen(record, modified, back_ref=crm_id, previous_ids, etag) | DELETED |
                     OUT_OF_SCOPE}

Actions (in `Plan.actions`, in application order; see `actions` for the fields):
    CreateInGoogle(crm_id, record, event_id), CreateInCrm(google_id, record, reuse_crm_id),
    UpdateGoogle(fields, record, etag), UpdateCrm(fields, record), SetBackRef(crm_id, google_id),
    RemoveFromGoogleScope / AddToGoogleScope (contacts: the label), DeleteInGoogle,
    UntagInCrm / TagInCrm (contacts: the tag; activities: "show in calendar"), DeleteInCrm,
    Link(match), Unlink(reason), RecordConflict, ReportIssue, SaveBase(pair)

Helpers: `merge()` (three-way merge of one pair), `event_id_for()` (deterministic base32hex event ids),
`times` (all-day dates / timed instants with IANA zones), `state.pending_pair / pair_after_create /
synced_pair` (pair rows around creates), `errors.TEMPLATES` (message codes and English templates).
"""
from .actions import (
                      Action,
                      AddToGoogleScope,
                      CreateInCrm,
                      CreateInGoogle,
                      DeleteInCrm,
                      DeleteInGoogle,
                      Guard,
                      GuardStatus,
                      Link,
                      Match,
                      Plan,
                      RecordConflict,
                      RemoveFromGoogleScope,
                      ReportIssue,
                      SaveBase,
                      SetBackRef,
                      TagInCrm,
                      Unlink,
                      UntagInCrm,
                      UpdateCrm,
                      UpdateGoogle,
)
from .changes import DELETED, OUT_OF_SCOPE, Change, Gone, Seen
from .errors import Message, SyncCoreError
from .ids import event_id_for, is_valid_event_id
from .merge import MergeResult, merge
from .planner import plan
from .policy import ConflictPolicy, Direction, Policy
from .records import (
                      ACTIVITIES,
                      CONTACTS,
                      SPECS,
                      FieldKind,
                      FieldSpec,
                      Item,
                      ObjectSpec,
                      Record,
                      fingerprint,
                      make_record,
                      record_from_json,
)
from .pairs import Pair, PairState, pair_after_create, pending_pair, synced_pair

__all__ = [
    "plan", "merge", "MergeResult",
    "Record", "Item", "FieldKind", "FieldSpec", "ObjectSpec", "CONTACTS", "ACTIVITIES", "SPECS",
    "make_record", "record_from_json", "fingerprint",
    "Pair", "PairState", "synced_pair", "pending_pair", "pair_after_create",
    "Seen", "DELETED", "OUT_OF_SCOPE", "Gone", "Change",
    "Policy", "Direction", "ConflictPolicy",
    "Action", "CreateInGoogle", "CreateInCrm", "UpdateGoogle", "UpdateCrm", "SetBackRef",
    "RemoveFromGoogleScope", "AddToGoogleScope", "DeleteInGoogle", "UntagInCrm", "TagInCrm", "DeleteInCrm", "Link", "Match", "Unlink",
    "RecordConflict", "ReportIssue", "SaveBase", "Plan", "Guard", "GuardStatus",
    "Message", "SyncCoreError", "event_id_for", "is_valid_event_id",
]
