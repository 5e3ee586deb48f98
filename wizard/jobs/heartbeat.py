"""Workers' heartbeats: each live worker keeps a key with the time of its last beat, which /readyz, the jobs
page and the bulk-slot limit read (how many workers are alive, how recently any worker beat).

A worker is named host.pid (unique in the installation, as RQ requires): one on this machine whose process is
gone is dead at once, whatever its last beat says (wizard.jobs.liveness asks the same of a run's worker)."""
import os
import socket
import time
from pathlib import Path

HEARTBEAT_PREFIX = "syncwizard:heartbeat:"
HEARTBEAT_TTL = 120


def heartbeat_key(worker_name: str) -> str:
    return HEARTBEAT_PREFIX + worker_name


def beat(target, worker_name: str) -> None:
    """Record a beat (`target`: a Redis client or pipeline)."""
    target.set(heartbeat_key(worker_name), repr(time.time()), ex=HEARTBEAT_TTL)


def _beats(redis) -> dict[str, float]:
    keys = list(redis.scan_iter(match=HEARTBEAT_PREFIX + "*", count=100))
    values = redis.mget(keys) if keys else []
    return {_text(k)[len(HEARTBEAT_PREFIX):]: float(v) for k, v in zip(keys, values) if v is not None}


def _text(key) -> str:
    return key.decode() if isinstance(key, bytes) else key


def last_heartbeat(redis) -> float | None:
    """Unix time of the most recent heartbeat of any worker, or None when no worker beat in the last 120 s."""
    beats = _beats(redis)
    return max(beats.values()) if beats else None


def live_worker_count(redis, max_age: float) -> int:
    """Workers whose heartbeat is at most `max_age` seconds old, less those of this machine known dead."""
    now = time.time()
    return sum(1 for name, beat_at in _beats(redis).items() if now - beat_at <= max_age and not known_dead(name))


def known_dead(worker_name: str) -> bool:
    """A worker of this machine (host.pid) whose process is gone; one of another machine is never known dead
    here (its heartbeat tells)."""
    host, _, pid = worker_name.rpartition(".")
    return host == socket.gethostname() and pid.isdigit() and not process_running(int(pid))


PROC = Path("/proc")


def process_running(pid: int) -> bool:
    """The process exists and is not a zombie (a zombie holds no lock and runs no code)."""
    if not PROC.is_dir():  # no /proc: whether the pid exists at all
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True
    try:
        return (PROC / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False
