"""One reading of the whole picture, shared by the page, /admin/jobs.json, /metrics and `syncwizard jobs`."""
import time
from dataclasses import asdict, dataclass
from datetime import datetime

from flask import current_app

from wizard.monitor import queues, runs
from wizard.redis import get_redis


@dataclass
class Snapshot:
    taken_at: float
    queues: list
    workers: list
    active_runs: list
    failed_jobs: list
    periodic: list
    next_due: list
    outcomes: list
    outcome_totals: dict
    needs_reconnect: int

    @property
    def workers_alive(self) -> int:
        return sum(1 for w in self.workers if not w.silent)

    @property
    def failed_total(self) -> int:
        return sum(q.failed for q in self.queues)

    def to_json(self) -> dict:
        data = {name: _plain(getattr(self, name)) for name in self.__dataclass_fields__}
        data.update(workers_alive=self.workers_alive, failed_total=self.failed_total)
        return data


def _plain(value):
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if hasattr(value, "__dataclass_fields__"):
        return _plain(asdict(value))
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, tuple):
        return list(value)
    return value


def heartbeat_max_age() -> float:
    return float(current_app.config.get("WORKER_HEARTBEAT_MAX_AGE", 90))


def take(with_details: bool = True) -> Snapshot:
    """`with_details=False` skips what only the page shows (failed job texts, schedules), for /metrics."""
    connection = get_redis()
    now = time.time()
    names = queues.watched_queues()
    outcomes = runs.outcomes_by_account()
    return Snapshot(
        taken_at=now,
        queues=[queues.queue_info(name, connection, now) for name in names],
        workers=queues.workers(connection, heartbeat_max_age(), now),
        active_runs=runs.active_runs(connection) if with_details else [],
        failed_jobs=queues.failed_jobs(connection, names) if with_details else [],
        periodic=queues.scheduled_periodic(connection) if with_details else [],
        next_due=runs.next_due() if with_details else [],
        outcomes=outcomes,
        outcome_totals=runs.outcome_totals(outcomes),
        needs_reconnect=len(runs.reconnect_account_ids()),
    )
