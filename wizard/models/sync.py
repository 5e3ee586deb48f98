"""Sync state kept by the engine: pairs, cursors, runs, issues, conflicts, guards, schedules.

Intents are pair rows in state `pending_create`, saved and committed before a Google create is sent.

Glossary (see wizard.sync): an *account* is a linked Google account, an *object* is "contacts" or
"activities", a *pair* links one CRM record to its Google counterpart and keeps the *base* (what both sides
held at the last successful sync), a *cursor* is where incremental listing resumes on each side, a *run* is
one execution of a sync for an account and object.

Accounts are referred to by id without a foreign key on purpose: a pair must survive the account being
unlinked and linked again (no duplicates after reconnecting), so rows are removed by the account services
explicitly, never by a cascade.
"""
from datetime import datetime
from typing import Any

from flask import current_app, has_request_context
from sqlalchemy import JSON, BigInteger, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from wizard.extensions import db
from wizard.messages import render
from wizard.models.clock import as_utc, utcnow  # noqa: F401

OBJECTS = ("contacts", "activities")


class PairState:
    """Mirrors wizard.sync.pairs.PairState: `synced` (both sides hold the base), `conflict` (fields await the
    user; `conflicts` names them), `pending_create` (the intent: a Google create was sent for `crm_id`, its id
    not yet recorded; a crash leaves it behind and the next run finds the item by its back-reference)."""
    SYNCED = "synced"
    CONFLICT = "conflict"
    PENDING_CREATE = "pending_create"
    ALL = (SYNCED, CONFLICT, PENDING_CREATE)


class Pair(db.Model):
    """One CRM record ⇄ one Google item (contact resource name or event id) for an account and object."""
    __tablename__ = "sync_pairs"
    __table_args__ = (
        UniqueConstraint("account_id", "object", "crm_id", name="uq_sync_pairs_crm"),
        UniqueConstraint("account_id", "object", "google_id", name="uq_sync_pairs_google"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(index=True)
    object: Mapped[str] = mapped_column(String(20))
    crm_id: Mapped[int | None] = mapped_column(nullable=True)
    google_id: Mapped[str | None] = mapped_column(String(1024), nullable=True)
    google_etag: Mapped[str | None] = mapped_column(String(255), nullable=True)
    crm_fingerprint: Mapped[str | None] = mapped_column(String(64), nullable=True)
    google_fingerprint: Mapped[str | None] = mapped_column(String(64), nullable=True)
    # The synced fields as both sides held them at the last successful sync (the merge's common ancestor).
    base: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    state: Mapped[str] = mapped_column(String(20), default=PairState.SYNCED)
    # While a conflict is open: the conflicting fields and what each side holds (see wizard.sync.pairs).
    conflicts: Mapped[list | None] = mapped_column(JSON, nullable=True)
    crm_record: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    google_record: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    # A detached pair: which side left the sync ("crm", "google" or "both"), so a return re-pairs.
    left: Mapped[str | None] = mapped_column(String(10), nullable=True)
    synced_at: Mapped[datetime | None] = mapped_column(nullable=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Cursor(db.Model):
    """Where each side's incremental listing resumes: Google's sync token and the CRM's change sequence."""
    __tablename__ = "sync_cursors"
    __table_args__ = (UniqueConstraint("account_id", "object", name="uq_sync_cursors_account_object"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(index=True)
    object: Mapped[str] = mapped_column(String(20))
    google_token: Mapped[str | None] = mapped_column(Text, nullable=True)
    crm_seq: Mapped[int] = mapped_column(BigInteger, default=0)
    # The scope the cursor was taken under (tags, label, calendar, starting date): a change of scope forces
    # a full listing so items coming into scope are seen.
    scope_key: Mapped[str | None] = mapped_column(String(64), nullable=True)
    # Google-side handles of the scope, e.g. {"labels": {"<tag id>": "contactGroups/abc"}}: a label is
    # followed by its resource name, so renaming the tag renames the label instead of making a new one.
    google_scope: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    full_listing_at: Mapped[datetime | None] = mapped_column(nullable=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class RunStatus:
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"          # everything applied, no per-record issue
    PARTIAL = "partial"              # applied, but some records have issues
    FAILED = "failed"                # stopped by an error (outcome_code says which)
    AWAITING_CONFIRMATION = "awaiting_confirmation"  # mass-delete guard or first-sync preview: nothing written
    NEEDS_RECONNECT = "needs_reconnect"  # invalid_grant: the account must be linked again
    SKIPPED = "skipped"              # nothing to do (account paused, disabled, or already running)
    ACTIVE = (QUEUED, RUNNING)
    FINISHED = (SUCCEEDED, PARTIAL, FAILED, AWAITING_CONFIRMATION, NEEDS_RECONNECT, SKIPPED)


class SyncRun(db.Model):
    """One execution of a sync for an account and object: what it did, what it cost, how it ended.

    `counts` is {"google": {"create": n, "update": n, "delete": n, "unlink": n},
                 "crm": {...}, "conflict": n, "issue": n, "matched": n, "unchanged": n}.
    `outcome_code`/`outcome_params` are a message code (wizard.messages) rendered in the reader's language.
    """
    __tablename__ = "sync_runs"
    __table_args__ = (Index("ix_sync_runs_account_object_id", "account_id", "object", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(index=True)
    object: Mapped[str] = mapped_column(String(20))
    trigger: Mapped[str] = mapped_column(String(20), default="schedule")  # schedule | manual | cli | retry
    forced: Mapped[bool] = mapped_column(default=False)  # confirmed past the mass-delete guard / preview
    status: Mapped[str] = mapped_column(String(30), default=RunStatus.QUEUED)
    job_id: Mapped[str | None] = mapped_column(String(120), nullable=True)
    queued_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(nullable=True, index=True)  # the jobs page: last 24 h
    full_listing: Mapped[bool] = mapped_column(default=False)
    counts: Mapped[dict] = mapped_column(JSON, default=dict)
    api_calls: Mapped[int] = mapped_column(default=0)
    progress_done: Mapped[int] = mapped_column(default=0)
    progress_total: Mapped[int] = mapped_column(default=0)
    outcome_code: Mapped[str | None] = mapped_column(String(80), nullable=True)
    outcome_params: Mapped[dict] = mapped_column(JSON, default=dict)

    @property
    def is_active(self) -> bool:
        return self.status in RunStatus.ACTIVE

    @property
    def duration_seconds(self) -> float | None:
        if not self.started_at or not self.finished_at:
            return None
        return (as_utc(self.finished_at) - as_utc(self.started_at)).total_seconds()

    def outcome_text(self) -> str:
        return _render(self.outcome_code, self.outcome_params) if self.outcome_code else ""


class SyncIssue(db.Model):
    """A per-record problem (a message code with parameters), open until a later run succeeds for that record
    or the user asks for a retry."""
    __tablename__ = "sync_issues"
    __table_args__ = (Index("ix_sync_issues_account_object_open", "account_id", "object", "resolved_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(index=True)
    object: Mapped[str] = mapped_column(String(20))
    run_id: Mapped[int | None] = mapped_column(nullable=True)
    crm_id: Mapped[int | None] = mapped_column(nullable=True)
    google_id: Mapped[str | None] = mapped_column(String(1024), nullable=True)
    label: Mapped[str] = mapped_column(String(300), default="")  # the record's display name when recorded
    code: Mapped[str] = mapped_column(String(80))
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    attempts: Mapped[int] = mapped_column(default=1)
    retry_requested: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(nullable=True)

    def text(self) -> str:
        return _render(self.code, self.params)


class SyncConflict(db.Model):
    """One field changed differently on both sides under the "ask" policy: neither side was written.

    Resolved by the user (keep CRM / keep Google); the next run applies the choice."""
    __tablename__ = "sync_conflicts"
    __table_args__ = (Index("ix_sync_conflicts_account_object_open", "account_id", "object", "resolved_at"),)

    RESOLUTIONS = ("crm", "google")

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(index=True)
    object: Mapped[str] = mapped_column(String(20))
    pair_id: Mapped[int | None] = mapped_column(nullable=True, index=True)
    crm_id: Mapped[int | None] = mapped_column(nullable=True)
    google_id: Mapped[str | None] = mapped_column(String(1024), nullable=True)
    label: Mapped[str] = mapped_column(String(300), default="")
    field: Mapped[str] = mapped_column(String(60))
    base_value: Mapped[Any] = mapped_column(JSON, nullable=True)
    crm_value: Mapped[Any] = mapped_column(JSON, nullable=True)
    google_value: Mapped[Any] = mapped_column(JSON, nullable=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    resolution: Mapped[str | None] = mapped_column(String(10), nullable=True)  # "crm" | "google"
    resolved_by: Mapped[int | None] = mapped_column(nullable=True)  # user id
    resolved_at: Mapped[datetime | None] = mapped_column(nullable=True)
    applied_at: Mapped[datetime | None] = mapped_column(nullable=True)  # the run that wrote the choice


class GuardKind:
    MASS_DELETE = "mass_delete"        # the run would delete/unlink too much, or one side looks empty
    FIRST_SYNC_PREVIEW = "first_sync_preview"  # the first sync would create more than the configured number


class PendingGuard(db.Model):
    """A run that stopped before writing anything and asks for confirmation (health page, or --force)."""
    __tablename__ = "sync_guards"
    __table_args__ = (Index("ix_sync_guards_account_object_open", "account_id", "object", "closed_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(index=True)
    object: Mapped[str] = mapped_column(String(20))
    run_id: Mapped[int | None] = mapped_column(nullable=True)
    kind: Mapped[str] = mapped_column(String(30))
    # e.g. {"google": {"create": 120, "delete": 0, "unlink": 45}, "crm": {...}, "matched": 30, "pairs": 200}
    counts: Mapped[dict] = mapped_column(JSON, default=dict)
    code: Mapped[str] = mapped_column(String(80))
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    confirmed_by: Mapped[int | None] = mapped_column(nullable=True)
    confirmed_at: Mapped[datetime | None] = mapped_column(nullable=True)
    dismissed_at: Mapped[datetime | None] = mapped_column(nullable=True)
    closed_at: Mapped[datetime | None] = mapped_column(nullable=True)  # confirmed run done, or dismissed

    @property
    def is_open(self) -> bool:
        return self.closed_at is None

    def text(self) -> str:
        return _render(self.code, self.params)


class SyncSchedule(db.Model):
    """When each account's object is next due (schedules as data: the dispatcher reads this table)."""
    __tablename__ = "sync_schedules"
    __table_args__ = (UniqueConstraint("account_id", "object", name="uq_sync_schedules_account_object"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(index=True)
    object: Mapped[str] = mapped_column(String(20))
    next_due_at: Mapped[datetime | None] = mapped_column(nullable=True, index=True)
    last_queued_at: Mapped[datetime | None] = mapped_column(nullable=True)
    last_finished_at: Mapped[datetime | None] = mapped_column(nullable=True)
    paused_reason: Mapped[str | None] = mapped_column(String(80), nullable=True)  # e.g. "needs_reconnect"


def _render(code, params) -> str:
    """A message in the reader's language; outside a request (worker, shell) in the default one."""
    if has_request_context():
        return render(code, **(params or {}))
    with current_app.test_request_context():  # the locale selector reads the request
        return render(code, **(params or {}))



