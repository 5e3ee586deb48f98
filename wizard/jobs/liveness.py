"""Is a queued or running sync run really alive? What "Sync now", the dispatcher and the recovery sweep ask
before they answer with a run already there (issue #18).

The run row alone cannot say: a worker killed with `kill -9` leaves its run "running" and its running lock in
Redis until the lease lapses (SYNC_RUNNING_LOCK_TTL, 30 s). So a run is alive only while every sign agrees:
- its running lock is held (the lease a thread of the run renews);
- its RQ job exists, belongs to this run and is not failed, stopped, canceled or finished;
- the worker it runs on is alive: on this machine its process exists (a definite answer at once, since a
  worker's name is host.pid, unique in the installation as RQ requires); on another machine its heartbeat is
  fresh (WORKER_HEARTBEAT_MAX_AGE).

A run judged dead is closed by the caller and replaced; the replacement waits for the dead run's lock to lapse
before it writes (wizard.engine.run_sync with wait_for_lock), so a wrong verdict costs a skipped run, never two
writers: the lock stays what keeps runs exclusive.
"""
import socket
import time

from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus

from wizard.engine.lock import running_lock_name
from wizard.jobs.heartbeat import heartbeat_key, known_dead
from wizard.models.sync import RunStatus, SyncRun

LIVE_JOB_STATES = {JobStatus.QUEUED, JobStatus.STARTED, JobStatus.SCHEDULED, JobStatus.DEFERRED,
                   JobStatus.CREATED, JobStatus.RATE_LIMITED, JobStatus.READY_TO_ENQUEUE}
DEFAULT_HEARTBEAT_MAX_AGE = 35.0


def job_of(run: SyncRun, connection) -> Job | None:
    """The run's RQ job, or None when it vanished (Redis flushed or restarted, TTL expired) or now belongs to
    another run of the same account and object (the job id is fixed per account and object)."""
    if not run.job_id:
        return None
    try:
        job = Job.fetch(run.job_id, connection=connection)
    except NoSuchJobError:
        return None
    return job if job.meta.get("run_id") == run.id else None


def run_alive(run: SyncRun, connection, heartbeat_max_age: float = DEFAULT_HEARTBEAT_MAX_AGE) -> bool:
    """True while the queued or running run will still finish by itself."""
    job = job_of(run, connection)
    if run.status == RunStatus.RUNNING:
        return _running_alive(run, job, connection, heartbeat_max_age)
    if job is None:
        return False
    status = job.get_status()
    if status == JobStatus.STARTED:  # taken by a worker, not yet running: alive while that worker lives
        return worker_alive(job.worker_name, connection, heartbeat_max_age)
    return status in LIVE_JOB_STATES


def _running_alive(run, job, connection, heartbeat_max_age) -> bool:
    if not connection.exists(running_lock_name(run.account_id, run.object)):
        return False  # the lease lapsed: whoever ran it is gone or has stopped writing
    if run.job_id and (job is None or job.get_status() not in LIVE_JOB_STATES):
        return False  # RQ knows the job failed (its work horse died) or the job is gone from Redis
    return worker_alive(run.worker, connection, heartbeat_max_age)


def worker_alive(name: str | None, connection, heartbeat_max_age: float) -> bool:
    """A worker named host.pid: on this host, whether that process runs; elsewhere, whether it beat lately.
    An unknown worker (an old run row, a command-line run) counts as alive: the lease decides for it."""
    if not name:
        return True
    host, _, pid = name.rpartition(".")
    if host == socket.gethostname() and pid.isdigit():
        return not known_dead(name)
    beat_at = connection.get(heartbeat_key(name))
    if beat_at is None:
        return connection.exists(f"rq:worker:{name}") == 1  # a worker of an older release, without our beat
    return time.time() - float(beat_at) <= heartbeat_max_age
