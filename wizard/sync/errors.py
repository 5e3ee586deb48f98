"""Message codes the core emits, with their parameters and English templates.

The core never translates (it has no Flask): it returns `Message(code, params)`. The application layer
registers these templates with `wizard.messages.define(code, _l(text))` (see `register_messages` in the
health / engine area) so pages render them in the reader's language.
"""
from __future__ import annotations

from dataclasses import dataclass, field

GUARD_MASS_DELETE = "sync.guard.mass_delete"
GUARD_SIDE_EMPTY = "sync.guard.side_empty"
GUARD_FIRST_SYNC_PREVIEW = "sync.guard.first_sync_preview"
CONFLICT_FIELD = "sync.conflict.field"
ISSUE_DUPLICATE_BACK_REF = "sync.issue.duplicate_back_ref"
ISSUE_PENDING_CREATE = "sync.issue.pending_create_unresolved"
ISSUE_DELETE_BEATEN_BY_EDIT = "sync.issue.delete_beaten_by_edit"
ISSUE_INVALID_TIME = "sync.issue.invalid_time"

# English templates, %(name)s placeholders; translated where they are shown.
TEMPLATES = {
    GUARD_MASS_DELETE: "This run would delete or unlink %(removals)s of %(pairs)s synced items, more than the "
                       "allowed share; nothing was written. Confirm to proceed.",
    GUARD_SIDE_EMPTY: "The %(side)s side looks empty while %(pairs)s items are synced; nothing was written. "
                      "Confirm to proceed.",
    GUARD_FIRST_SYNC_PREVIEW: "First sync: %(to_google)s to create in Google, %(to_crm)s to create in the CRM, "
                              "%(matched)s matched. Confirm to proceed.",
    CONFLICT_FIELD: "“%(field)s” was changed differently on both sides; neither side was written.",
    ISSUE_DUPLICATE_BACK_REF: "Google item %(google_id)s refers to CRM record %(crm_id)s, which is already "
                              "paired with another Google item; it was left alone.",
    ISSUE_PENDING_CREATE: "A create in Google for CRM record %(crm_id)s was interrupted; it is being checked.",
    ISSUE_DELETE_BEATEN_BY_EDIT: "The %(side)s record was deleted but the other side was edited since the last "
                                 "sync; the edit was kept and the record re-created.",
    ISSUE_INVALID_TIME: "The time of %(item)s could not be read: %(detail)s.",
}


@dataclass(frozen=True)
class Message:
    code: str
    params: dict = field(default_factory=dict, hash=False, compare=True)

    def english(self) -> str:
        template = TEMPLATES.get(self.code, self.code)
        try:
            return template % self.params if self.params else template
        except (KeyError, TypeError, ValueError):
            return template


class SyncCoreError(ValueError):
    """Invalid input to the core, carried as a code with parameters."""

    def __init__(self, code: str, **params):
        super().__init__(code)
        self.message = Message(code, params)
