"""What the sync-health page shows for one account, read from the engine's records, and the user's actions
on it (sync now, retry a record, decide a conflict, confirm or dismiss a guarded run)."""
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import abort
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from wizard.extensions import db
from wizard.google import scopes
from wizard.jobs import queue
from wizard.jobs.queue import enqueue_sync
from wizard.messages import define
from wizard.models.accounts import NEEDS_RECONNECT, as_utc, utcnow
from wizard.models.sync import OBJECTS, PendingGuard, RunStatus, SyncConflict, SyncIssue, SyncRun, SyncSchedule
from wizard.settings.values import get_setting

OBJECT_SCOPE = {"contacts": scopes.CONTACTS, "activities": scopes.CALENDAR_EVENTS}
RECENT_RUNS = 10

define("health.reason.invalid_grant", _l(
    "Google no longer accepts this account's access: it was revoked, expired (apps in Testing get 7-day "
    "access), or replaced. Reconnect to resume syncing."))
define("health.reason.unknown", _l("Google stopped accepting this account's access. Reconnect to resume syncing."))


@dataclass
class TokenHealth:
    code: str  # connected | needs_reconnect | scope_missing | expiring
    reason_code: str | None = None
    expires_at: datetime | None = None
    missing: list = field(default_factory=list)


@dataclass
class ObjectHealth:
    object: str
    granted: bool
    last_run: SyncRun | None
    active_run: SyncRun | None
    recent_runs: list
    schedule: SyncSchedule | None
    auto: bool
    period_minutes: int
    sends_nothing: bool = False  # contacts only: no tag chosen, so a "successful" run sent no contact

    @property
    def next_run_at(self):
        """The dispatcher's planned time; before it planned one, the last run's end plus the period."""
        if self.schedule is not None and self.schedule.next_due_at is not None:
            return as_utc(self.schedule.next_due_at)
        if self.last_run is not None and self.last_run.finished_at is not None:
            return as_utc(self.last_run.finished_at) + timedelta(minutes=self.period_minutes)
        return None


def publishing_status() -> str:
    """The consent screen status the admin stated in the system settings (testing/production/internal)."""
    return get_setting("GoogleAppPublishingStatus") or "unknown"


def token_health(account) -> list[TokenHealth]:
    """Every problem with the account's access, worst first; [connected] when there is none."""
    problems = []
    if account.status == NEEDS_RECONNECT:
        problems.append(TokenHealth("needs_reconnect", reason_code=account.reason_code))
    lacking = scopes.missing(account.granted_scopes)
    if lacking:
        problems.append(TokenHealth("scope_missing", missing=[f for f in scopes.FEATURES if f.scope in lacking]))
    time_limited = account.refresh_token_expires_at is not None
    if account.status != NEEDS_RECONNECT and (time_limited or publishing_status() == "testing"):
        problems.append(TokenHealth("expiring", expires_at=account.testing_token_expiry()))
    return problems or [TokenHealth("connected", expires_at=as_utc(account.token_expires_at))]


define("health.reason.domain", _l(
    "Google no longer accepts the company's Google Workspace domain connection (its key or delegation). The "
    "administrator must reconnect the domain; your data is kept."))
define("health.reason.domain_user_unknown", _l(
    "Google does not know this address in the company's Google Workspace domain. Ask the administrator to map "
    "you to your address in the domain."))
DOMAIN_REASONS = {"domain_key_invalid", "domain_delegation_missing", "domain_clock", "domain_refused"}


def reason_text_code(reason_code) -> str:
    if reason_code in DOMAIN_REASONS:
        return "health.reason.domain"
    if reason_code in {"invalid_grant", "domain_user_unknown"}:
        return f"health.reason.{reason_code}"
    return "health.reason.unknown"


def object_health(account) -> list[ObjectHealth]:
    settings = account.settings
    result = []
    for object in OBJECTS:
        runs = db.session.scalars(
            select(SyncRun).where(SyncRun.account_id == account.id, SyncRun.object == object)
            .order_by(SyncRun.id.desc()).limit(RECENT_RUNS)).all()
        active = next((r for r in runs if r.status in RunStatus.ACTIVE), None)
        last = next((r for r in runs if r.status in RunStatus.FINISHED), None)
        schedule = db.session.scalar(select(SyncSchedule).where(SyncSchedule.account_id == account.id,
                                                                SyncSchedule.object == object))
        result.append(ObjectHealth(
            object=object, granted=scopes.has(account.granted_scopes, OBJECT_SCOPE[object]), last_run=last,
            active_run=active, recent_runs=runs, schedule=schedule,
            auto=bool(getattr(settings, f"{object}_auto", True)),
            period_minutes=int(getattr(settings, f"{object}_period_minutes", 60) or 60),
            sends_nothing=object == "contacts" and account.sends_no_contacts))
    return result


SHOWN = 200  # rows of a list on the health page; the page says how many more there are


@dataclass
class Shown:
    """The first SHOWN open rows of a list and how many are open in all (10,000 rejected phone numbers must not
    make one page of 10,000 rows)."""

    rows: list
    total: int

    def __iter__(self):
        return iter(self.rows)

    def __bool__(self):
        return bool(self.rows)

    @property
    def more(self) -> int:
        return self.total - len(self.rows)


def _shown(query, model) -> Shown:
    rows = db.session.scalars(query.limit(SHOWN)).all()
    total = len(rows) if len(rows) < SHOWN else db.session.scalar(
        select(func.count()).select_from(query.order_by(None).with_only_columns(model.id).subquery()))
    return Shown(rows, total)


def open_issues(account) -> Shown:
    return _shown(select(SyncIssue).where(SyncIssue.account_id == account.id, SyncIssue.resolved_at.is_(None))
                  .order_by(SyncIssue.object, SyncIssue.id), SyncIssue)


def open_conflicts(account) -> Shown:
    return _shown(select(SyncConflict).where(SyncConflict.account_id == account.id,
                                             SyncConflict.resolved_at.is_(None))
                  .order_by(SyncConflict.object, SyncConflict.label, SyncConflict.id), SyncConflict)


def open_guards(account):
    return db.session.scalars(select(PendingGuard).where(PendingGuard.account_id == account.id,
                                                         PendingGuard.closed_at.is_(None))
                              .order_by(PendingGuard.id)).all()


def progress(account) -> dict:
    """The JSON the page polls: per object, whether a run works and how far it got."""
    objects = []
    for object in OBJECTS:
        run = db.session.scalar(select(SyncRun).where(SyncRun.account_id == account.id, SyncRun.object == object,
                                                      SyncRun.status.in_(RunStatus.ACTIVE))
                                .order_by(SyncRun.id.desc()).limit(1))
        if run is None:
            objects.append({"object": object, "active": False, "percent": 0, "run_id": None, "status": None})
            continue
        data = queue.progress(run.id)
        objects.append({"object": object, "active": True, "percent": data.get("percent", 0), "run_id": run.id,
                        "status": run.status, "done": data.get("done", 0), "total": data.get("total", 0),
                        "label": f"{data.get('done', 0)} / {data.get('total', 0)}" if data.get("total") else ""})
    return {"account_id": account.id, "objects": objects}


# Actions
class HealthError(Exception):
    def __init__(self, code):
        super().__init__(code)
        self.code = code


define("health.sync.needs_reconnect", _l("Reconnect the account first: Google does not accept its access."))
define("health.sync.nothing", _l("Nothing to sync: this account has not granted access to contacts or calendar."))


def sync_now(account, objects=None) -> list[int]:
    """Queue a run for each object (default: every object the account granted). Returns the run ids."""
    if account.status == NEEDS_RECONNECT:
        raise HealthError("health.sync.needs_reconnect")
    wanted = [o for o in (objects or OBJECTS)
              if o in OBJECTS and scopes.has(account.granted_scopes, OBJECT_SCOPE[o])]
    if not wanted:
        raise HealthError("health.sync.nothing")
    return [enqueue_sync(account.id, o, trigger="manual") for o in wanted]


def _owned(model, account, record_id):
    row = db.session.get(model, record_id)
    if row is None or row.account_id != account.id:
        abort(404)
    return row


def retry_issue(account, issue_id) -> int:
    issue = _owned(SyncIssue, account, issue_id)
    issue.retry_requested = True
    db.session.commit()
    if account.status == NEEDS_RECONNECT:
        raise HealthError("health.sync.needs_reconnect")
    return enqueue_sync(account.id, issue.object, trigger="retry")


def resolve_conflict(account, conflict_id, choice, user) -> None:
    conflict = _owned(SyncConflict, account, conflict_id)
    if choice not in SyncConflict.RESOLUTIONS:
        abort(400)
    if conflict.resolved_at is None:
        conflict.resolution, conflict.resolved_by, conflict.resolved_at = choice, user.id, utcnow()
        db.session.commit()
    if account.status != NEEDS_RECONNECT:
        enqueue_sync(account.id, conflict.object, trigger="manual")


def confirm_guard(account, guard_id, user) -> None:
    guard = _owned(PendingGuard, account, guard_id)
    if guard.closed_at is None and guard.confirmed_at is None:
        guard.confirmed_by, guard.confirmed_at = user.id, utcnow()
        db.session.commit()
    enqueue_sync(account.id, guard.object, force=True, trigger="manual")


def dismiss_guard(account, guard_id) -> None:
    guard = _owned(PendingGuard, account, guard_id)
    if guard.closed_at is None:
        guard.dismissed_at = guard.closed_at = utcnow()
        db.session.commit()
