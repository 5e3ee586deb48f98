"""Backoff schedule (pure), the per-minute budget and the write lock on a real Redis."""
import threading
import time

import pytest
import redis as redis_lib

from wizard.google.errors import QuotaExceeded, RateLimited, Transient
from wizard.google.pacing import Pacer, PacingPolicy, backoff_delay, backoff_schedule


def test_backoff_grows_exponentially_within_jitter_bounds_and_caps():
    for attempt in range(10):
        low = backoff_delay(attempt, base=1, cap=64, rand=0.0)
        high = backoff_delay(attempt, base=1, cap=64, rand=1.0)
        step = min(64, 2 ** attempt)
        assert (low, high) == (step / 2, step)
    assert backoff_delay(20, base=1, cap=64, rand=1.0) == 64


def test_backoff_honours_retry_after_as_a_floor_capped():
    assert backoff_delay(0, base=1, rand=0.5, retry_after=30) == 30
    assert backoff_delay(6, base=1, cap=64, rand=1.0, retry_after=3) == 64
    assert backoff_delay(0, retry_after=10_000, max_retry_after=300) == 300


def test_backoff_schedule_is_reproducible_and_jittered():
    first = backoff_schedule(6, base=0.5, seed=1)
    assert first == backoff_schedule(6, base=0.5, seed=1)
    assert first != backoff_schedule(6, base=0.5, seed=2)
    assert all(b > a / 2 for a, b in zip(first, first[1:]))  # never comes back hot
    with pytest.raises(ValueError):
        backoff_delay(-1)


@pytest.fixture
def redis(redis_server):
    client = redis_lib.Redis.from_url(redis_server.url)
    client.flushdb()
    yield client
    client.flushdb()


def test_budget_waits_for_room_in_the_sliding_window(redis):
    pacer = Pacer("acct-1", "calendar", redis, PacingPolicy(per_minute=5, window=0.5))
    started = time.monotonic()
    for _ in range(5):
        assert pacer.acquire() == 0
    pacer.acquire(3)  # the window is full: waits until the first stamps leave it
    assert time.monotonic() - started >= 0.45
    with pytest.raises(ValueError):
        pacer.acquire(6)


def test_budget_is_shared_by_every_pacer_of_the_account_but_not_across_accounts(redis):
    policy = PacingPolicy(per_minute=4, window=30)
    a1, a2 = Pacer("acct-1", "people", redis, policy), Pacer("acct-1", "people", redis, policy)
    other = Pacer("acct-2", "people", redis, policy)
    a1.acquire(2)
    a2.acquire(2)
    assert other.acquire(4) == 0
    waits = []

    class Stop(Exception):
        pass

    def record_and_stop(seconds):
        waits.append(seconds)
        raise Stop

    blocked = Pacer("acct-1", "people", redis, policy, sleep=record_and_stop)
    with pytest.raises(Stop):
        blocked.acquire()
    assert 29 < waits[0] <= 30


def test_writes_of_one_account_never_overlap_across_threads(redis):
    policy = PacingPolicy(lock_timeout=10)
    inside, overlaps = [], []

    def writer(n):
        pacer = Pacer("acct-w", "people", redis_lib.Redis(connection_pool=redis.connection_pool), policy)
        for _ in range(5):
            with pacer.writing():
                if inside:
                    overlaps.append(n)
                inside.append(n)
                time.sleep(0.005)
                inside.pop()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert overlaps == []


def test_write_lock_is_reentrant_in_a_thread_across_pacers_and_released(redis):
    policy = PacingPolicy(lock_timeout=10, lock_wait=0.2)
    engine, client = Pacer("acct-r", "people", redis, policy), Pacer("acct-r", "people", redis, policy)
    with engine.writing():
        with client.writing():  # the engine holds it around a phase; its client's calls go through
            assert redis.exists(client.lock_key)
        assert redis.exists(engine.lock_key)
    assert not redis.exists(engine.lock_key)


def test_a_writer_in_another_thread_waits_for_the_first(redis):
    policy = PacingPolicy(lock_timeout=10, lock_wait=0.2)
    first = Pacer("acct-x", "people", redis, policy)
    second = Pacer("acct-x", "people", redis, policy)
    from wizard.google.pacing import WriteLockTimeout

    outcome = []

    def other_worker():
        try:
            with second.writing():
                outcome.append("wrote")
        except WriteLockTimeout:
            outcome.append("timed out")

    with first.writing():
        worker = threading.Thread(target=other_worker)
        worker.start()
        worker.join()
    assert outcome == ["timed out"]
    worker = threading.Thread(target=other_worker)
    worker.start()
    worker.join()
    assert outcome == ["timed out", "wrote"]


def test_a_live_writer_keeps_its_lock_past_the_ttl(redis):
    """The TTL bounds how long a dead writer blocks the account, not how long a live one may write."""
    policy = PacingPolicy(lock_timeout=1, lock_wait=10)
    first = Pacer("acct-long", "people", redis, policy)
    second = Pacer("acct-long", "people", redis, policy)
    moments = {}

    def other_worker():
        with second.writing():
            moments["second_in"] = time.monotonic()

    with first.writing():
        worker = threading.Thread(target=other_worker)
        worker.start()
        time.sleep(2.5)
        moments["first_out"] = time.monotonic()
    worker.join()
    assert moments["second_in"] >= moments["first_out"]


def test_a_killed_writers_lock_frees_after_its_short_ttl(redis):
    """A worker killed mid-write leaves its lock behind, renewed by nobody: the next writer waits only the
    TTL, not the minutes a long write phase may last."""
    policy = PacingPolicy(lock_timeout=1, lock_wait=10)
    survivor = Pacer("acct-dead", "people", redis, policy)
    redis.set(survivor.lock_key, "token-of-a-killed-worker", px=int(policy.lock_timeout * 1000))
    started = time.monotonic()
    with survivor.writing():
        waited = time.monotonic() - started
    assert 0.5 < waited < 3


def test_retry_decisions_follow_the_error_class():
    slept = []
    pacer = Pacer("acct-s", "people", policy=PacingPolicy(max_attempts=3, base_delay=0.1), sleep=slept.append,
                  rand=lambda: 0.0)
    assert pacer.retry_after_failure(0, Transient("x"))
    assert pacer.retry_after_failure(1, RateLimited("x", retry_after=2))
    assert not pacer.retry_after_failure(2, Transient("x"))  # attempts exhausted
    assert not pacer.retry_after_failure(0, QuotaExceeded("x"))  # no hot retry
    assert slept == [0.05, 2]


@pytest.mark.parametrize("use_redis", [True, False])
def test_settled_calls_count_from_when_they_were_answered(redis, use_redis):
    pacer = Pacer(f"acct-settle-{use_redis}", "calendar", redis if use_redis else None,
                  PacingPolicy(per_minute=2, window=0.4))
    started = time.monotonic()
    ticket = pacer.reserve(2)
    time.sleep(0.3)  # a long batch: Google stamped its inner calls as they ran
    pacer.settle(ticket)
    pacer.acquire(1)
    assert time.monotonic() - started >= 0.68  # 0.3 s call + a full window after the answer


# --- the project's budget, shared by every account and worker ------------------------------------------------

def stop_on_wait(record):
    class Stop(Exception):
        pass

    def sleep(seconds):
        record.append(seconds)
        raise Stop()

    return sleep, Stop


def test_the_project_budget_is_shared_across_accounts(redis):
    policy = PacingPolicy(per_minute=10, project_per_minute=3, window=30)
    one = Pacer("acct-1", "calendar", redis, policy, project_key="client-a")
    two = Pacer("acct-2", "calendar", redis, policy, project_key="client-a")
    other_project = Pacer("acct-3", "calendar", redis, policy, project_key="client-b")
    one.acquire(2)
    two.acquire(1)
    other_project.acquire(3)  # another project's window is its own
    waits = []
    sleep, Stop = stop_on_wait(waits)
    with pytest.raises(Stop):
        Pacer("acct-2", "calendar", redis, policy, sleep=sleep, project_key="client-a").acquire(1)
    assert 29 < waits[0] <= 30  # the project is full though acct-2 used 1 of its 10
    assert redis.zcard(two.window_key) == 1


def test_a_call_takes_both_windows_or_neither(redis):
    policy = PacingPolicy(per_minute=2, project_per_minute=5, window=30)
    pacer = Pacer("acct-full", "people", redis, policy, project_key="client-x")
    pacer.acquire(2)
    waits = []
    sleep, Stop = stop_on_wait(waits)
    with pytest.raises(Stop):
        Pacer("acct-full", "people", redis, policy, sleep=sleep, project_key="client-x").acquire(1)
    # Refused by the account's window, the call left no stamp in the project's: the others still have 3.
    assert redis.zcard(pacer.project_window_key) == 2
    for n in range(3):
        assert Pacer(f"acct-other-{n}", "people", redis, policy, project_key="client-x").acquire(1) == 0
    assert policy.max_cost == 2


def test_settling_moves_the_stamps_of_both_windows(redis):
    pacer = Pacer("acct-s", "calendar", redis, PacingPolicy(per_minute=5, project_per_minute=5, window=30),
                  project_key="client-s")
    ticket = pacer.reserve(3)
    pacer.settle(ticket)
    assert redis.zcard(pacer.window_key) == 3 and redis.zcard(pacer.project_window_key) == 3


def _compete(url, worker, accounts, calls, out):
    """One worker process: its own Redis client, several accounts, each call stamped on Redis' clock."""
    client = redis_lib.Redis.from_url(url)
    policy = PacingPolicy(per_minute=100, project_per_minute=6, window=0.6)
    pacers = [Pacer(f"acct-{worker}-{n}", "calendar", client, policy, project_key="shared") for n in range(accounts)]
    stamps = []
    for i in range(calls):
        pacers[i % accounts].acquire(1)
        seconds, micros = client.time()
        stamps.append(seconds + micros / 1e6)
    out.put(stamps)


def test_two_processes_keep_to_the_project_budget_together(redis, redis_server):
    import multiprocessing

    context = multiprocessing.get_context("fork")
    out = context.Queue()
    workers = [context.Process(target=_compete, args=(redis_server.url, w, 3, 9, out)) for w in range(2)]
    started = time.monotonic()
    for process in workers:
        process.start()
    stamps = sorted(out.get(timeout=30) + out.get(timeout=30))
    for process in workers:
        process.join(timeout=10)
    assert len(stamps) == 18
    # Any 0.6 s (less a little for the stamp's own latency) holds at most 6 of the 18 calls...
    assert all(stamps[i + 6] - stamps[i] >= 0.55 for i in range(len(stamps) - 6))
    # ...so 18 calls need at least two full windows, whatever the accounts and processes.
    assert time.monotonic() - started >= 1.2


def test_the_local_fallback_keeps_the_project_budget_too():
    policy = PacingPolicy(per_minute=10, project_per_minute=2, window=0.3)
    one = Pacer("local-1", "people", None, policy, project_key="local-project")
    two = Pacer("local-2", "people", None, policy, project_key="local-project")
    started = time.monotonic()
    one.acquire(1)
    two.acquire(1)
    one.acquire(1)
    assert time.monotonic() - started >= 0.28
