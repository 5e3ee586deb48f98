"""What RQ holds: queues and their depth, workers and their heartbeats, failed jobs (their text masked).

Queue names come from one function, `watched_queues()`: the product's own (wizard.jobs.queue.queue_names, in the
workers' priority order), plus any other queue the workers are configured to listen on.
"""
import re
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone

from flask import current_app
from rq import Queue, Worker
from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus
from rq.registry import FailedJobRegistry, ScheduledJobRegistry, StartedJobRegistry
from rq.results import Result

from wizard.extensions import db
from wizard.jobs.entry import PERIODIC_JOBS
from wizard.jobs.fairness import slot_limit, slots_in_use
from wizard.jobs.heartbeat import heartbeat_key
from wizard.jobs.queue import job_id_for, queue_names
from wizard.logging_setup import mask
from wizard.models.sync import OBJECTS, SyncRun

EXCEPTION_MAX = 300  # characters of an exception's last line shown; a traceback is never shown


def watched_queues() -> list[str]:
    """The product's queues (wizard.jobs.queue.queue_names), then any other the configuration names."""
    names = queue_names()
    for name in current_app.config.get("RQ_QUEUES") or ():
        if name not in names:
            names.append(name)
    return names


def _age(moment: datetime | None, now: float) -> float | None:
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return max(0.0, round(now - moment.timestamp(), 1))


@dataclass
class QueueInfo:
    name: str
    depth: int
    oldest_age: float | None  # seconds the longest-waiting queued job has waited
    started: int
    scheduled: int
    failed: int


def queue_info(name: str, connection, now: float | None = None) -> QueueInfo:
    now = time.time() if now is None else now
    queue = Queue(name, connection=connection)
    oldest = None
    # FIFO: the head waited longest (a job put at the front is younger, so look at a few).
    for job in queue.get_jobs(0, 5):
        if job is not None and job.enqueued_at is not None:
            age = _age(job.enqueued_at, now)
            oldest = age if oldest is None else max(oldest, age)
    return QueueInfo(name=name, depth=queue.count, oldest_age=oldest,
                     started=StartedJobRegistry(name, connection=connection).count,
                     scheduled=ScheduledJobRegistry(name, connection=connection).count,
                     failed=FailedJobRegistry(name, connection=connection).count)


@dataclass
class WorkerInfo:
    name: str
    host: str | None
    pid: int | None
    state: str
    queues: list[str]
    current_job_id: str | None
    current_job: str | None
    heartbeat_age: float | None  # seconds since wizard.jobs.worker's heartbeat; None when it expired
    silent: bool


def workers(connection, max_age: float, now: float | None = None) -> list[WorkerInfo]:
    now = time.time() if now is None else now
    found = []
    for worker in Worker.all(connection=connection):
        beat = connection.get(heartbeat_key(worker.name))
        age = round(now - float(beat), 1) if beat is not None else None
        job_id = worker.get_current_job_id()
        found.append(WorkerInfo(
            name=worker.name, host=worker.hostname, pid=worker.pid, state=worker.get_state(),
            queues=worker.queue_names(), current_job_id=job_id, current_job=_description(job_id, connection),
            heartbeat_age=age, silent=age is None or age > max_age))
    return sorted(found, key=lambda w: w.name)


def _description(job_id, connection) -> str | None:
    if not job_id:
        return None
    try:
        return mask(Job.fetch(job_id, connection=connection).description or job_id)
    except NoSuchJobError:
        return job_id


@dataclass
class BulkSlots:
    """Long runs working now against how many may (wizard.jobs.fairness): a full house means first syncs wait."""
    used: int
    limit: int
    jobs: list[str]


def bulk_slots(connection, config) -> BulkSlots:
    held = slots_in_use(connection)
    return BulkSlots(used=len(held), limit=slot_limit(connection, config), jobs=held)


@dataclass
class FailedJob:
    id: str
    queue: str
    description: str
    failed_at: datetime | None
    exception: str
    run_id: int | None
    target: tuple[int, str] | None = field(default=None)  # (account id, object) of a sync job


def exception_summary(exc_string: str | None) -> str:
    """The last line of a traceback ("ValueError: ..."), secrets masked: the traceback's frames may hold
    tokens in local values and are never shown."""
    lines = [line.strip() for line in (exc_string or "").splitlines() if line.strip()]
    last = lines[-1] if lines else ""
    return mask(last)[:EXCEPTION_MAX]


def _exc_string(job: Job) -> str | None:
    result = job.latest_result()
    if result is not None and result.type == Result.Type.FAILED:
        return result.exc_string
    return None


def failed_jobs(connection, names=None, limit: int = 200) -> list[FailedJob]:
    jobs = []
    for name in names or watched_queues():
        registry = FailedJobRegistry(name, connection=connection)
        ids = registry.get_job_ids(0, limit - 1, desc=True)
        for job_id, job in zip(ids, Job.fetch_many(ids, connection=connection)):
            if job is None or job.get_status(refresh=False) != JobStatus.FAILED:
                continue  # expired, or replaced by a new job under the same id
            jobs.append(FailedJob(id=job.id, queue=name, description=mask(job.description or job.id),
                                  failed_at=job.ended_at, exception=exception_summary(_exc_string(job)),
                                  run_id=(job.meta or {}).get("run_id"), target=sync_target(job)))
    return sorted(jobs, key=lambda j: j.failed_at or datetime.min, reverse=True)[:limit]


def sync_target(job: Job) -> tuple[int, str] | None:
    """(account id, object) when the job is a sync run: read from the run it belongs to, else (the run's row
    is gone) from its job id, which wizard.jobs.queue fixes per account and object."""
    run_id = (job.meta or {}).get("run_id")
    run = db.session.get(SyncRun, run_id) if isinstance(run_id, int) else None
    if run is not None and run.job_id == job.id:
        return run.account_id, run.object
    match = re.fullmatch(r"[\w-]*?-(\d+)-(\w+)", job.id or "")
    if match and match.group(2) in OBJECTS and job_id_for(int(match.group(1)), match.group(2)) == job.id:
        return int(match.group(1)), match.group(2)
    return None


def scheduled_periodic(connection) -> list[dict]:
    """The periodic jobs (the sync dispatcher) waiting on the scheduler, with when they run next."""
    found = []
    for spec in PERIODIC_JOBS:
        registry = ScheduledJobRegistry(spec["queue"], connection=connection)
        prefix = f"syncwizard-periodic-{spec['name']}-"
        times = [registry.get_scheduled_time(job_id) for job_id in registry.get_job_ids()
                 if job_id.startswith(prefix)]
        found.append({"name": spec["name"], "next_at": min(times) if times else None,
                      "interval_seconds": spec["interval_seconds"]})
    return found
