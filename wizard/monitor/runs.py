"""What the sync tables say: runs in progress, when each account is next due, outcomes over the last day."""
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func

from wizard.extensions import db
from wizard.jobs.liveness import run_alive
from wizard.jobs.queue import heartbeat_max_age
from wizard.models.accounts import NEEDS_RECONNECT, GoogleAccount
from wizard.models.clock import as_utc, utcnow  # noqa: F401
from wizard.models.sync import RunStatus, SyncRun, SyncSchedule
from wizard.redis import get_redis

OUTCOME_WINDOW = timedelta(hours=24)
# The outcomes an operator watches, in the order the page shows them.
OUTCOMES = (RunStatus.SUCCEEDED, RunStatus.PARTIAL, RunStatus.FAILED, RunStatus.NEEDS_RECONNECT,
            RunStatus.AWAITING_CONFIRMATION, RunStatus.SKIPPED)


def _emails(account_ids) -> dict[int, str]:
    ids = set(account_ids)
    if not ids:
        return {}
    rows = db.session.execute(db.select(GoogleAccount.id, GoogleAccount.email).where(GoogleAccount.id.in_(ids)))
    return {row.id: row.email for row in rows}


@dataclass
class ActiveRun:
    run_id: int
    account_id: int
    account_email: str
    object: str
    status: str
    trigger: str
    done: int
    total: int
    percent: int | None  # None while the total is not known yet
    queued_at: datetime | None
    started_at: datetime | None
    duration_seconds: float | None
    job_alive: bool = True  # False: its lease, job or worker is gone (worker killed): the next enqueue or sweep closes it


def active_runs(connection=None, now: datetime | None = None, limit: int = 200) -> list[ActiveRun]:
    # wizard.jobs.liveness's test, read only here (live_run() would also close the dead runs: not on GET)

    connection = connection or get_redis()
    now = now or utcnow()
    runs = db.session.scalars(db.select(SyncRun).where(SyncRun.status.in_(RunStatus.ACTIVE))
                              .order_by(SyncRun.status.desc(), SyncRun.id).limit(limit)).all()
    emails = _emails(r.account_id for r in runs)
    found = []
    for run in runs:
        total = run.progress_total or 0
        started = as_utc(run.started_at)
        found.append(ActiveRun(
            run_id=run.id, account_id=run.account_id, account_email=emails.get(run.account_id, ""),
            object=run.object, status=run.status, trigger=run.trigger, done=run.progress_done or 0, total=total,
            percent=min(100, int(100 * (run.progress_done or 0) / total)) if total else None,
            queued_at=as_utc(run.queued_at), started_at=started,
            duration_seconds=round((now - started).total_seconds(), 1) if started else None,
            job_alive=run_alive(run, connection, heartbeat_max_age())))
    return found


@dataclass
class DueRun:
    account_id: int
    account_email: str
    object: str
    next_due_at: datetime | None
    last_queued_at: datetime | None
    paused_reason: str | None


def next_due(limit: int = 20) -> list[DueRun]:
    """The schedule rows due soonest (paused ones after them): what the dispatcher queues next."""
    rows = db.session.scalars(db.select(SyncSchedule).order_by(
        SyncSchedule.paused_reason.is_not(None), SyncSchedule.next_due_at.is_(None), SyncSchedule.next_due_at)
        .limit(limit)).all()
    emails = _emails(r.account_id for r in rows)
    return [DueRun(account_id=r.account_id, account_email=emails.get(r.account_id, ""), object=r.object,
                   next_due_at=as_utc(r.next_due_at), last_queued_at=as_utc(r.last_queued_at),
                   paused_reason=r.paused_reason) for r in rows]


@dataclass
class AccountOutcomes:
    account_id: int
    account_email: str
    needs_reconnect: bool
    counts: dict = field(default_factory=dict)  # run status → runs finished in the window

    @property
    def failed(self) -> int:
        return self.counts.get(RunStatus.FAILED, 0)


def outcomes_by_account(now: datetime | None = None) -> list[AccountOutcomes]:
    """Per account, how its runs ended over the last 24 hours; accounts needing reconnect always listed."""
    since = (now or utcnow()) - OUTCOME_WINDOW
    rows = db.session.execute(
        db.select(SyncRun.account_id, SyncRun.status, func.count()).where(
            SyncRun.finished_at >= since, SyncRun.status.in_(RunStatus.FINISHED))
        .group_by(SyncRun.account_id, SyncRun.status)).all()
    by_account: dict[int, dict] = {}
    for account_id, status, count in rows:
        by_account.setdefault(account_id, {})[status] = count
    for account_id in reconnect_account_ids():
        by_account.setdefault(account_id, {})
    accounts = {a.id: a for a in db.session.scalars(
        db.select(GoogleAccount).where(GoogleAccount.id.in_(by_account)))} if by_account else {}
    found = [AccountOutcomes(account_id=i, account_email=accounts[i].email if i in accounts else "",
                             needs_reconnect=i in accounts and accounts[i].needs_reconnect, counts=counts)
             for i, counts in by_account.items()]
    return sorted(found, key=lambda o: (not o.needs_reconnect, -o.failed, o.account_email))


def outcome_totals(outcomes: list[AccountOutcomes]) -> dict[str, int]:
    totals = {status: 0 for status in OUTCOMES}
    for row in outcomes:
        for status, count in row.counts.items():
            totals[status] = totals.get(status, 0) + count
    return totals


def reconnect_account_ids() -> list[int]:
    return list(db.session.scalars(db.select(GoogleAccount.id).where(
        GoogleAccount.unlinked_at.is_(None), GoogleAccount.status == NEEDS_RECONNECT)))
