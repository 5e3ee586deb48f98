"""The RQ worker: jobs run inside the Flask app context, with the scheduler, and a heartbeat /readyz reads.

Each job runs in a forked work horse. The horse inherits the parent's database pool and Redis sockets, which
must not be shared across processes: the pool is disposed (without closing the parent's connections) and
`wizard.redis.get_redis` opens a fresh client per pid.

A worker's processes live and die together (issue #18): its work horse and its scheduler child are signalled
when the main process dies, even by `kill -9`, so neither runs on as an orphan (a scheduler holding the
scheduler lock for a dead worker, a horse nobody counts). From its heartbeat, each worker in turn closes the
runs whose worker died (their lease lapsed) and queues them again (wizard.jobs.queue.recover_dead_runs).
"""
import ctypes
import logging
import os
import signal
import socket

from rq import Queue, Worker
from rq.worker import WorkerStatus
from rq.defaults import DEFAULT_LOGGING_DATE_FORMAT, DEFAULT_LOGGING_FORMAT
from rq.scheduler import RQScheduler

from wizard.extensions import db
from wizard.jobs.entry import ensure_periodic_jobs
from wizard.jobs.fairness import (
    BULK_QUEUE_NAME,
    DEFAULT_RETRY_SECONDS,
    defer,
    release_slot,
    renew_slot,
    slot_limit,
    slots_in_use,
    take_slot,
)
from wizard.jobs.heartbeat import beat, heartbeat_key, last_heartbeat, live_worker_count  # noqa: F401
from wizard.jobs.queue import recover_dead_runs, sweep_due
from wizard.redis import get_redis

# RQ beats once per dequeue timeout while idle and once per monitoring interval while a job runs. Both are the
# recovery sweep's period (each beat may sweep), so a run a dead worker left is queued again within about 10 s
# of its death being known, and /readyz always sees a fresh beat.
WORKER_TTL = 40
BEAT_EVERY = 10
JOB_MONITORING_INTERVAL = BEAT_EVERY
# RQ's maintenance (its abandoned-job handling, and taking over the scheduler lock a dead worker's scheduler
# released) every 30 s instead of every 10 minutes.
MAINTENANCE_INTERVAL = 30
PR_SET_PDEATHSIG = 1

log = logging.getLogger(__name__)


def die_with_parent(signum: int, parent_pid: int) -> None:
    """Linux: this process gets `signum` when its parent dies (PR_SET_PDEATHSIG); exits at once when the
    parent is gone already (it died between the fork and this call)."""
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signum)
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent_pid:
        os._exit(1)


class AppScheduler(RQScheduler):
    """RQ's scheduler process, ended when its worker dies: SIGTERM, on which it releases its locks, so a live
    worker's next maintenance takes the scheduling over."""

    parent_pid = None

    def work(self):
        if self.parent_pid is not None:
            die_with_parent(signal.SIGTERM, self.parent_pid)
        return super().work()


class AppWorker(Worker):
    """An RQ worker that knows the Flask app, and starts a bulk run only with a free bulk slot (wizard.jobs.fairness)."""

    app = None  # set by make_worker
    bulk_job_id = None  # the bulk job whose slot this worker holds while its horse works

    @property
    def dequeue_timeout(self) -> int:
        """How long an idle worker waits for a job before it beats again (RQ: worker_ttl - 15, 25 s)."""
        return BEAT_EVERY

    def heartbeat(self, timeout=None, pipeline=None):
        super().heartbeat(timeout, pipeline)
        beat(pipeline if pipeline is not None else self.connection, self.name)
        if self.bulk_job_id is not None:
            renew_slot(self.connection, self.bulk_job_id, pipeline=pipeline)
        self.recover_dead_runs()

    def recover_dead_runs(self):
        """Every RECOVERY_SWEEP_EVERY seconds one worker (whichever beats first) queues again the runs whose
        worker died. A failure here (the database away) must not stop the worker: the next beat tries again."""
        try:
            if not sweep_due(self.connection, self.name):
                return
            with self.app.app_context():
                requeued = recover_dead_runs(self.connection)
            if requeued:
                log.warning("runs whose worker died queued again as %s", requeued)
        except Exception:  # noqa: BLE001
            log.exception("recovering dead runs failed; tried again at the next heartbeat")

    def _start_scheduler(self, burst=False, logging_level="INFO", date_format=DEFAULT_LOGGING_DATE_FORMAT,
                         log_format=DEFAULT_LOGGING_FORMAT):
        """RQ's own (which builds an RQScheduler here), with a scheduler that dies with this worker."""
        self.scheduler = AppScheduler(self.queues, connection=self.connection,
                                      logging_level=logging_level if logging_level is not None else self.log.level,
                                      date_format=date_format, log_format=log_format, serializer=self.serializer)
        self.scheduler.parent_pid = os.getpid()
        self.scheduler.acquire_locks()
        if not self.scheduler.acquired_locks:
            return
        if not burst:
            self.scheduler.start()
            return
        try:
            self.scheduler.register_birth()
            self.scheduler.enqueue_scheduled_jobs()
        finally:
            self.scheduler.release_locks()
            self.scheduler.register_death()

    def subscribe(self):
        """RQ's command channel, polled every second: RQ polls every 60 s, and redis-py's `stop()` joins the
        polling thread, so a worker stopping (burst end, SIGTERM, a restart) hung up to a minute in teardown."""
        self.log.info("Worker %s: subscribing to channel %s", self.name, self.pubsub_channel_name)
        self.pubsub = self.connection.pubsub()
        self.pubsub.subscribe(**{self.pubsub_channel_name: self.handle_payload})
        self.pubsub_thread = self.pubsub.run_in_thread(sleep_time=1, daemon=True,
                                                       exception_handler=self._pubsub_exception_handler)

    # RQ reads the queues to listen on from `_ordered_queues` before every wait for a job: the bulk queue is
    # left out while no bulk slot is free, so a worker without one waits for short runs instead of taking bulk
    # jobs only to put them back (which would churn every waiting bulk job through the scheduler).
    @property
    def _ordered_queues(self):
        queues = self.__dict__.get("_all_ordered_queues", [])
        if not any(q.name == BULK_QUEUE_NAME for q in queues) or self._bulk_slot_free():
            return queues
        return [q for q in queues if q.name != BULK_QUEUE_NAME]

    @_ordered_queues.setter
    def _ordered_queues(self, queues):
        self.__dict__["_all_ordered_queues"] = list(queues)

    def _bulk_slot_free(self) -> bool:
        return len(slots_in_use(self.connection)) < slot_limit(self.connection, self.app.config)

    def execute_job(self, job, queue):
        """A bulk job runs only with a slot; one dequeued as the last slot went to another worker goes back to
        the scheduler."""
        if queue.name != BULK_QUEUE_NAME:
            return super().execute_job(job, queue)
        config = self.app.config
        if not take_slot(self.connection, job.id, slot_limit(self.connection, config)):
            log.info("no bulk slot free for %s: tried again later", job.id)
            defer(job, queue, float(config.get("SYNC_BULK_RETRY_SECONDS", DEFAULT_RETRY_SECONDS)))
            return None
        self.bulk_job_id = job.id
        try:
            return super().execute_job(job, queue)
        finally:
            self.bulk_job_id = None
            release_slot(self.connection, job.id)

    def _shutdown(self):
        """RQ's warm shutdown, with the request also kept as a flag when idle. RQ raises StopRequested from the
        signal handler, and Python loses an exception raised there when the signal lands inside a garbage
        collection callback ("Exception ignored in ... WeakValueDictionary"): a SIGTERM right after start was
        swallowed and the worker ran on until killed. The work loop checks the flag at its next turn (within
        BEAT_EVERY seconds)."""
        if self.get_state() != WorkerStatus.BUSY:
            self._stop_requested = True
        super()._shutdown()

    def register_death(self):
        self.connection.delete(heartbeat_key(self.name))
        super().register_death()

    def fork_work_horse(self, job, queue):
        self.parent_pid = os.getpid()  # the horse checks it is still this process's child
        return super().fork_work_horse(job, queue)

    def main_work_horse(self, job, queue):
        # SIGKILL: a horse whose worker died is not waited for; its run is recovered from the saved state.
        die_with_parent(signal.SIGKILL, self.parent_pid)
        with self.app.app_context():
            db.engine.dispose(close=False)
        super().main_work_horse(job, queue)

    def perform_job(self, job, queue, execution):
        with self.app.app_context():
            return super().perform_job(job, queue, execution)


def worker_name() -> str:
    return f"{socket.gethostname()}.{os.getpid()}"


def make_worker(app, queues=None, redis=None) -> AppWorker:
    # The engine, the Google clients and Authlib are imported at the top of this module (through
    # wizard.jobs.entry), before forking: each job's work horse inherits them instead of importing them again
    # (several tenths of a second per job, more than a short incremental run itself takes).
    with app.app_context():
        connection = redis or get_redis()
    names = queues or app.config["RQ_QUEUES"]
    worker_class = type("BoundAppWorker", (AppWorker,), {"app": app})
    return worker_class([Queue(n, connection=connection) for n in names], connection=connection,
                        name=worker_name(), worker_ttl=WORKER_TTL,
                        job_monitoring_interval=JOB_MONITORING_INTERVAL, maintenance_interval=MAINTENANCE_INTERVAL)


def run_worker(app, burst=False, with_scheduler=True, queues=None) -> bool:
    worker = make_worker(app, queues)
    if with_scheduler and not burst:
        ensure_periodic_jobs(worker.connection)
    return worker.work(burst=burst, with_scheduler=with_scheduler, logging_level="INFO")
