"""Pacing of Google calls: writes one at a time per account, per-minute budgets per account and per project,
backoff on refusals.

- **Write serialization** ("mutate requests for the same user should be sent sequentially"): every write
  runs under a Redis lock keyed by the Google account (and the API, so a contacts run and a calendar run of
  the same account do not wait on each other), shared by all workers and processes. The lock is reentrant
  within a thread (across `Pacer` objects of the account), so the engine may hold it around a whole batch phase
  while the clients take it per call.
- **Per-minute budget**: a sliding window in Redis (a sorted set of call stamps, checked and filled by one Lua
  script on Redis' own clock, so workers on different machines agree). A Calendar batch costs one unit per
  inner call, as Google counts it. Callers wait for room instead of being refused with 429.
- **Per-project budget**: Google also counts every call of the OAuth client's project (Calendar: 10,000 per
  minute), whichever worker or machine sends it. A second window, one per API and project, lives next to
  the account's; a call takes room in both or in neither, in the same Lua script, so two workers can never
  each hold one window and wait for the other, nor together overshoot either.
- **Backoff**: exponential with jitter, honouring `Retry-After`; `backoff_delay` is pure and tested alone.
  `QuotaExceeded` is never retried hot (its class is not `retryable`).

Without Redis (a shell, a unit test) the same rules hold inside one process.
"""
from __future__ import annotations

import random
import threading
import time
import uuid
from collections import deque
from contextlib import contextmanager
from dataclasses import dataclass

from wizard.redis import kept_alive

NAMESPACE = "syncwizard:google"


def backoff_delay(attempt: int, *, base: float = 1.0, cap: float = 64.0, rand: float | None = None,
                  retry_after: float | None = None, max_retry_after: float = 300.0) -> float:
    """Seconds to wait before retry number `attempt` (0 for the first retry).

    "Equal jitter": half of the exponential step is fixed, half random, so retries spread out yet never
    come back hot. A server's `Retry-After` is a floor (capped at `max_retry_after`).
    """
    if attempt < 0:
        raise ValueError("attempt must be >= 0")
    step = min(cap, base * (2 ** attempt))
    r = random.random() if rand is None else rand
    delay = step / 2 + r * step / 2
    if retry_after is not None:
        delay = max(delay, min(float(retry_after), max_retry_after))
    return delay


def backoff_schedule(attempts: int, *, base: float = 1.0, cap: float = 64.0, seed: int | None = None,
                     retry_after: float | None = None) -> list[float]:
    """The delays of `attempts` successive retries (reproducible with a seed)."""
    rng = random.Random(seed)
    return [backoff_delay(i, base=base, cap=cap, rand=rng.random(), retry_after=retry_after) for i in range(attempts)]


@dataclass(frozen=True)
class PacingPolicy:
    """Limits for one account and API. `per_minute=None` means no client-side budget; `project_per_minute`
    is the budget every account of the project shares (None: none)."""

    per_minute: int | None = None
    project_per_minute: int | None = None
    window: float = 60.0
    max_attempts: int = 6  # tries in all, the first included
    base_delay: float = 1.0
    max_delay: float = 64.0
    max_retry_after: float = 300.0
    lock_timeout: float = 30.0  # a dead worker's lock frees itself after this; a live one's is kept alive
    lock_wait: float = 1800.0  # give up waiting for another writer after this

    @property
    def max_cost(self) -> int | None:
        """The most units one call may cost (a batch larger than this must be split)."""
        limits = [n for n in (self.per_minute, self.project_per_minute) if n]
        return min(limits) if limits else None


# Sliding windows on Redis' clock, one per key (the account's, the project's): drop stamps older than the
# window, then either record `cost` stamps in every window and answer 0, or record nothing and answer how many
# milliseconds until enough stamps leave the fullest window. ARGV: window, cost, ticket, then one limit per key.
_WINDOW_SCRIPT = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local window = tonumber(ARGV[1])
local cost = tonumber(ARGV[2])
local wait = 0
for k = 1, #KEYS do
  local limit = tonumber(ARGV[3 + k])
  redis.call('ZREMRANGEBYSCORE', KEYS[k], '-inf', now - window)
  local used = redis.call('ZCARD', KEYS[k])
  if used + cost > limit then
    local oldest = redis.call('ZRANGE', KEYS[k], used + cost - limit - 1, used + cost - limit - 1, 'WITHSCORES')
    local w = tonumber(oldest[2]) + window - now
    if w < 1 then w = 1 end
    if w > wait then wait = w end
  end
end
if wait > 0 then return wait end
for k = 1, #KEYS do
  for i = 1, cost do
    redis.call('ZADD', KEYS[k], now, ARGV[3] .. ':' .. i)
  end
  redis.call('PEXPIRE', KEYS[k], window)
end
return 0
"""

_SETTLE_SCRIPT = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
for k = 1, #KEYS do
  for i = 1, tonumber(ARGV[2]) do
    redis.call('ZADD', KEYS[k], now, ARGV[3] .. ':' .. i)
  end
  redis.call('PEXPIRE', KEYS[k], tonumber(ARGV[1]))
end
return 0
"""


@dataclass(frozen=True)
class Ticket:
    """Budget units taken for one call (`id` names its stamps)."""

    id: str
    cost: int
    waited: float


_local_lock = threading.Lock()
_local_windows: dict[str, deque] = {}
_local_writers: dict[str, threading.RLock] = {}


_thread_state = threading.local()


def _held_locks() -> dict:
    """Write locks this thread holds: lock key -> nesting depth."""
    if not hasattr(_thread_state, "locks"):
        _thread_state.locks = {}
    return _thread_state.locks


class WriteLockTimeout(RuntimeError):
    """Another worker held this account's write lock for longer than `lock_wait`."""


class Pacer:
    """Pacing for one Google account and API (`api` is "people" or "calendar"), within its project's budget
    (`project_key` names the project, e.g. by the OAuth client id)."""

    def __init__(self, account_key: str, api: str = "people", redis=None, policy: PacingPolicy | None = None, *,
                 sleep=time.sleep, rand=random.random, project_key: str | None = None):
        self.account_key = str(account_key)
        self.project_key = str(project_key or "default")
        self.api = api
        self.redis = redis
        self.policy = policy or PacingPolicy()
        self.sleep = sleep
        self.rand = rand
        self._script = redis.register_script(_WINDOW_SCRIPT) if redis is not None else None
        self._settle_script = redis.register_script(_SETTLE_SCRIPT) if redis is not None else None
        self.waited = 0.0  # seconds spent waiting for budget or backoff (for run records and benchmarks)
        self.retries = 0

    @property
    def window_key(self) -> str:
        return f"{NAMESPACE}:window:{self.api}:{self.account_key}"

    @property
    def project_window_key(self) -> str:
        return f"{NAMESPACE}:project-window:{self.api}:{self.project_key}"

    @property
    def lock_key(self) -> str:
        return f"{NAMESPACE}:write:{self.api}:{self.account_key}"

    def _windows(self) -> list[tuple[str, int]]:
        """(key, limit) of every budget a call must fit: the account's, then the project's."""
        budgets = [(self.window_key, self.policy.per_minute), (self.project_window_key, self.policy.project_per_minute)]
        return [(key, int(limit)) for key, limit in budgets if limit]

    # --- budget ---------------------------------------------------------------------------------------

    def acquire(self, cost: int = 1) -> float:
        """Block until `cost` calls fit in the per-minute budget, then record them; returns seconds waited."""
        return self.reserve(cost).waited

    def reserve(self, cost: int = 1) -> "Ticket":
        """Like `acquire`, returning a ticket to `settle` once the call is answered."""
        windows = self._windows()
        if not windows or cost <= 0:
            return Ticket("", 0, 0.0)
        limit = self.policy.max_cost
        if cost > limit:
            raise ValueError(f"a call costing {cost} units can never fit a budget of {limit} per window")
        waited = 0.0
        ticket = uuid.uuid4().hex
        while True:
            wait = self._try_take(ticket, cost, windows)
            if wait <= 0:
                self.waited += waited
                return Ticket(ticket, cost, waited)
            self.sleep(wait)
            waited += wait

    def settle(self, ticket: "Ticket") -> None:
        """Move a call's stamps to the time it was answered.

        Google stamps each call when it arrives, and a batch's inner calls one after another while it runs;
        our stamps were taken before sending. Re-stamping at the answer keeps our window never shorter than
        Google's, so a budget equal to the quota never meets a 429.
        """
        if not ticket.cost:
            return
        keys = [key for key, _limit in self._windows()]
        if self._settle_script is not None:
            self._settle_script(keys=keys, args=[int(self.policy.window * 1000), ticket.cost, ticket.id])
            return
        with _local_lock:
            now = time.monotonic()
            for key in keys:
                stamps = _local_windows.setdefault(key, deque())
                kept = [s for s in stamps if s[1] != ticket.id]
                stamps.clear()
                stamps.extend(kept + [(now, ticket.id)] * ticket.cost)

    def _try_take(self, ticket: str, cost: int, windows: list[tuple[str, int]]) -> float:
        """Take `cost` units in every window or in none; answer 0, or the seconds until all could fit."""
        window_ms = int(self.policy.window * 1000)
        if self._script is not None:
            wait_ms = self._script(keys=[key for key, _limit in windows],
                                   args=[window_ms, cost, ticket, *[limit for _key, limit in windows]])
            return int(wait_ms) / 1000.0
        with _local_lock:
            now = time.monotonic()
            wait = max(self._local_wait(key, limit, cost, now) for key, limit in windows)
            if wait > 0:
                return wait
            for key, _limit in windows:
                _local_windows[key].extend([(now, ticket)] * cost)
            return 0.0

    def _local_wait(self, key: str, limit: int, cost: int, now: float) -> float:
        stamps = _local_windows.setdefault(key, deque())
        while stamps and stamps[0][0] <= now - self.policy.window:
            stamps.popleft()
        if len(stamps) + cost <= limit:
            return 0.0
        return max(0.001, stamps[len(stamps) + cost - limit - 1][0] + self.policy.window - now)

    # --- writes ---------------------------------------------------------------------------------------

    @contextmanager
    def writing(self):
        """Hold this account's write lock: shared across processes, reentrant within a thread (whichever
        `Pacer` of the same account and API took it first, so an engine holding it around a phase never
        waits on its own clients)."""
        held = _held_locks()
        if self.lock_key in held:
            held[self.lock_key] += 1
            try:
                yield
            finally:
                held[self.lock_key] -= 1
            return
        lock = self._new_lock()
        if not lock.acquire(**self._acquire_args()):
            raise WriteLockTimeout(f"write lock for {self.api}:{self.account_key} not obtained")
        held[self.lock_key] = 1
        try:
            if self.redis is not None:
                with kept_alive(lock, self.lock_key):
                    yield
            else:
                yield
        finally:
            held.pop(self.lock_key, None)
            try:
                lock.release()
            except Exception:  # noqa: BLE001  (expired meanwhile: another writer may hold it now; not ours)
                pass

    def _new_lock(self):
        if self.redis is not None:
            return self.redis.lock(self.lock_key, timeout=self.policy.lock_timeout,
                                   blocking_timeout=self.policy.lock_wait, thread_local=False)
        with _local_lock:
            return _local_writers.setdefault(self.lock_key, threading.RLock())

    def _acquire_args(self) -> dict:
        if self.redis is not None:
            return {"blocking": True}
        return {"timeout": self.policy.lock_wait}

    # --- retries --------------------------------------------------------------------------------------

    def backoff(self, attempt: int, retry_after: float | None = None) -> float:
        p = self.policy
        return backoff_delay(attempt, base=p.base_delay, cap=p.max_delay, rand=self.rand(),
                             retry_after=retry_after, max_retry_after=p.max_retry_after)

    def retry_after_failure(self, attempt: int, error) -> bool:
        """After failed try number `attempt` (0-based): sleep and answer True when another try is allowed."""
        if not getattr(error, "retryable", False) or attempt + 1 >= self.policy.max_attempts:
            return False
        delay = self.backoff(attempt, getattr(error, "retry_after", None))
        self.retries += 1
        self.waited += delay
        self.sleep(delay)
        return True


class CoveredPacer:
    """An account's pacer for calls sent from a worker thread while its owner's thread holds the write lock on
    their behalf (wizard.google.sides.CreateSender): the same budgets and counters, no lock of its own. Taking
    the Redis lock per call cost five round trips and a keep-alive thread each time, on the critical path of
    every pipelined batch; the owner takes it once and sends nothing itself while a call is in flight."""

    def __init__(self, pacer: Pacer):
        self.pacer = pacer

    def __getattr__(self, name):
        return getattr(self.pacer, name)

    @contextmanager
    def writing(self):
        yield


def unpaced(sleep=time.sleep) -> Pacer:
    """A pacer with no budget and a process-local write lock (shell use, tests of single calls)."""
    return Pacer(f"local-{uuid.uuid4().hex}", policy=PacingPolicy(), sleep=sleep)
