"""Fairness between long and short runs: a bulk queue, and a limit on how many bulk runs work at once.

A run expected to be long (a first sync, a changed scope: both sides listed in full, which for a 100,000-contact
book takes many minutes under Google's quotas) goes to the `sync-bulk` queue; every other run goes to `sync`.
Workers listen to `sync` first (RQ takes queues in order), and a worker starts a bulk run only when it gets a
slot: at most SYNC_BULK_SLOTS at once, by default one less than the live workers (at least one). So however many
long runs are waiting, one worker is always left for the short runs of every other account.

A slot is a lease in a Redis sorted set (job id -> expiry on Redis' clock), taken by the worker's main process
before it forks the job, renewed with its heartbeat, released when the job ends: a worker killed mid-run stops
renewing and its slot frees itself. While every slot is taken, workers do not listen on the bulk queue at all
(wizard.jobs.worker); a bulk job dequeued just as the last slot went elsewhere is put back on RQ's scheduler for a
little later (same job id, still a live job for wizard.jobs.queue), never busy-looped.
"""
from datetime import datetime, timedelta, timezone

from wizard.jobs.heartbeat import live_worker_count

BULK_QUEUE_NAME = "sync-bulk"
SLOTS_KEY = "syncwizard:sync:bulk-slots"
SLOT_LEASE = 90  # seconds; a worker renews it every JOB_MONITORING_INTERVAL (10 s) while its job runs
DEFAULT_RETRY_SECONDS = 10

# Drop expired leases, then keep (or renew) the caller's slot, or take a free one: 1 when held, else 0.
_TAKE_SCRIPT = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local expiry = now + tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZSCORE', KEYS[1], ARGV[1]) or redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[2]) then
  redis.call('ZADD', KEYS[1], expiry, ARGV[1])
  return 1
end
return 0
"""

_RENEW_SCRIPT = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
return redis.call('ZADD', KEYS[1], 'XX', 'CH', now + tonumber(ARGV[2]), ARGV[1])
"""


def slot_limit(connection, config) -> int:
    """SYNC_BULK_SLOTS when set, else one less than the live workers, at least one."""
    fixed = int(config.get("SYNC_BULK_SLOTS") or 0)
    if fixed > 0:
        return fixed
    return max(1, live_worker_count(connection, float(config.get("WORKER_HEARTBEAT_MAX_AGE", 35))) - 1)


def take_slot(connection, job_id: str, limit: int, lease: float = SLOT_LEASE) -> bool:
    return bool(connection.eval(_TAKE_SCRIPT, 1, SLOTS_KEY, job_id, limit, int(lease * 1000)))


def renew_slot(connection, job_id: str, lease: float = SLOT_LEASE, pipeline=None) -> None:
    (pipeline if pipeline is not None else connection).eval(_RENEW_SCRIPT, 1, SLOTS_KEY, job_id, int(lease * 1000))


def release_slot(connection, job_id: str) -> None:
    connection.zrem(SLOTS_KEY, job_id)


def slots_in_use(connection) -> list[str]:
    """Job ids holding a slot now (expired leases left out)."""
    seconds, micros = connection.time()
    now_ms = seconds * 1000 + micros // 1000
    return [member.decode() if isinstance(member, bytes) else member
            for member in connection.zrangebyscore(SLOTS_KEY, now_ms, "+inf")]


def defer(job, queue, seconds: float) -> None:
    """Put a dequeued bulk job back on the scheduler, to be tried again in `seconds` (same id, same run)."""
    queue.intermediate_queue.remove(job.id)  # dequeued by a one-queue worker: not a stuck job
    queue.schedule_job(job, datetime.now(timezone.utc) + timedelta(seconds=seconds))
