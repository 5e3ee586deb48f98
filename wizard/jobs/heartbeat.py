"""Workers' heartbeats: each live worker keeps a key with the time of its last beat, which /readyz, the jobs
page and the bulk-slot limit read (how many workers are alive, how recently any worker beat)."""
import time

HEARTBEAT_PREFIX = "syncwizard:heartbeat:"
HEARTBEAT_TTL = 120


def heartbeat_key(worker_name: str) -> str:
    return HEARTBEAT_PREFIX + worker_name


def beat(target, worker_name: str) -> None:
    """Record a beat (`target`: a Redis client or pipeline)."""
    target.set(heartbeat_key(worker_name), repr(time.time()), ex=HEARTBEAT_TTL)


def _beats(redis) -> list[float]:
    keys = list(redis.scan_iter(match=HEARTBEAT_PREFIX + "*", count=100))
    return [float(v) for v in (redis.mget(keys) if keys else []) if v is not None]


def last_heartbeat(redis) -> float | None:
    """Unix time of the most recent heartbeat of any worker, or None when no worker beat in the last 120 s."""
    beats = _beats(redis)
    return max(beats) if beats else None


def live_worker_count(redis, max_age: float) -> int:
    """Workers whose heartbeat is at most `max_age` seconds old."""
    now = time.time()
    return sum(1 for beat_at in _beats(redis) if now - beat_at <= max_age)
