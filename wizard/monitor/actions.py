"""Requeue or delete failed jobs.

A failed sync job is not requeued as an RQ job: its run is over (the engine closed it, or the next enqueue
closes it as abandoned), so a new run is queued through wizard.jobs.queue.enqueue_sync, which keeps "one run per
account and object" (a run already queued or running for it is reused). Other jobs (the dispatcher) are
idempotent and go back to their queue as they are.
"""
from rq.exceptions import InvalidJobOperation, NoSuchJobError
from rq.job import Job, JobStatus
from rq.registry import FailedJobRegistry

from wizard.jobs.queue import enqueue_sync
from wizard.monitor.queues import failed_jobs, sync_target
from wizard.redis import get_redis


class JobGone(Exception):
    """The job is no longer a failed job (expired, deleted, or already requeued)."""


def _failed_job(job_id: str, connection) -> Job:
    try:
        job = Job.fetch(job_id, connection=connection)
    except NoSuchJobError:
        raise JobGone(job_id) from None
    if job.get_status() != JobStatus.FAILED:
        raise JobGone(job_id)
    return job


def requeue(job_id: str) -> int | str:
    """Queue the failed job's work again; returns the sync run id (sync jobs) or the job id."""
    connection = get_redis()
    job = _failed_job(job_id, connection)
    target = sync_target(job)
    if target is None:
        try:
            FailedJobRegistry(job.origin, connection=connection).requeue(job)
        except InvalidJobOperation:
            raise JobGone(job_id) from None
        return job.id
    account_id, object = target
    run_id = enqueue_sync(account_id, object, trigger="retry")
    # enqueue_sync replaced the failed job when it queued a new run under the same job id; when a run was
    # already queued or running under another job, the failed job is only a record and goes.
    if _still_failed(job_id, connection):
        _drop(job_id, job.origin, connection)
    return run_id


def _still_failed(job_id, connection) -> bool:
    try:
        return Job.fetch(job_id, connection=connection).get_status() == JobStatus.FAILED
    except NoSuchJobError:
        return False


def _drop(job_id, origin, connection):
    FailedJobRegistry(origin, connection=connection).remove(job_id, delete_job=True)


def delete(job_id: str) -> None:
    connection = get_redis()
    job = _failed_job(job_id, connection)
    _drop(job.id, job.origin, connection)


def requeue_all() -> tuple[int, int]:
    """(requeued, gone): every failed job of every queue, sync runs through enqueue_sync."""
    done = gone = 0
    for failed in failed_jobs(get_redis()):
        try:
            requeue(failed.id)
            done += 1
        except JobGone:
            gone += 1
    return done, gone


def delete_all() -> int:
    deleted = 0
    for failed in failed_jobs(get_redis()):
        try:
            delete(failed.id)
            deleted += 1
        except JobGone:
            pass
    return deleted
