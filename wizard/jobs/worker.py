"""The RQ worker: jobs run inside the Flask app context, with the scheduler, and a heartbeat /readyz reads.

Each job runs in a forked work horse. The horse inherits the parent's database pool and Redis sockets, which
must not be shared across processes: the pool is disposed (without closing the parent's connections) and
`wizard.redis.get_redis` opens a fresh client per pid.
"""
import logging
import os
import socket

from rq import Queue, Worker

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
from wizard.redis import get_redis

# RQ beats once per dequeue timeout (worker_ttl - 15) while idle and once per monitoring interval while a job
# runs: both stay under 30 s so /readyz always sees a fresh beat.
WORKER_TTL = 40
JOB_MONITORING_INTERVAL = 20

log = logging.getLogger(__name__)


class AppWorker(Worker):
    """An RQ worker that knows the Flask app, and starts a bulk run only with a free bulk slot (wizard.jobs.fairness)."""

    app = None  # set by make_worker
    bulk_job_id = None  # the bulk job whose slot this worker holds while its horse works

    def heartbeat(self, timeout=None, pipeline=None):
        super().heartbeat(timeout, pipeline)
        beat(pipeline if pipeline is not None else self.connection, self.name)
        if self.bulk_job_id is not None:
            renew_slot(self.connection, self.bulk_job_id, pipeline=pipeline)

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

    def register_death(self):
        self.connection.delete(heartbeat_key(self.name))
        super().register_death()

    def main_work_horse(self, job, queue):
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
                        job_monitoring_interval=JOB_MONITORING_INTERVAL)


def run_worker(app, burst=False, with_scheduler=True, queues=None) -> bool:
    worker = make_worker(app, queues)
    if with_scheduler and not burst:
        ensure_periodic_jobs(worker.connection)
    return worker.work(burst=burst, with_scheduler=with_scheduler, logging_level="INFO")
