"""Python's cyclic garbage collector, tuned for the length of a sync run.

A run holds tens of thousands of long-lived objects (pair rows, records, request bodies) and allocates far
more short-lived ones. With the default thresholds (700, 10, 10) the collector runs about once per 700
allocations and, every hundred of those, walks every tracked object of the process: at 10,000 contacts that
was ~1,000 collections and a quarter of the worker's CPU, growing with the run's size. For the run's
duration, then:
- `gc.freeze()` moves what exists before the run (the app, its modules, SQLAlchemy's metadata) out of the
  collector's sight: it is not garbage, and an RQ work horse is a fork, so not touching it also keeps its
  memory pages shared with the parent;
- a larger first threshold makes the young collections rarer (each still frees the run's cycles, so memory
  stays bounded), and the older generations are visited less often.
Everything is restored when the last run of the process ends (runs in threads of one process share the
collector: the first to start tunes it, the last to end restores it).
"""
import gc
import threading
from contextlib import contextmanager

# Young objects between collections: ~14× the default. Each young collection costs in proportion to what
# survived since the last one, so rarer collections cost about the same in total, while the costly full
# walks (one per threshold0 × threshold1 × threshold2 allocations) become ~14× rarer. 50,000 saved a little
# more CPU but let a 100,000-contact run's peak memory grow by ~40 MB (past 1.5 × the 10,000 run's).
RUN_THRESHOLDS = (10_000, 10, 10)

_lock = threading.Lock()
_active = 0
_saved: tuple | None = None


@contextmanager
def tuned_for_run():
    """The collector tuned for a run (see the module's docstring) inside the block, restored after."""
    _enter()
    try:
        yield
    finally:
        _leave()


def _enter() -> None:
    global _active, _saved
    with _lock:
        if _active == 0:
            _saved = gc.get_threshold()
            gc.freeze()
            gc.set_threshold(*RUN_THRESHOLDS)
        _active += 1


def _leave() -> None:
    global _active
    with _lock:
        _active -= 1
        if _active == 0:
            gc.set_threshold(*_saved)
            gc.unfreeze()
