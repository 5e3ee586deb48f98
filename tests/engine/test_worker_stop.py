"""A worker asked to stop stops, even when the exception RQ raises from the signal handler is lost.

Python drops an exception raised in a signal handler that runs inside a garbage-collection callback
("Exception ignored in ... WeakValueDictionary"); seen in the suite: a SIGTERM right after start was swallowed and
the worker ran on until killed."""
import signal
import time

from rq.exceptions import StopRequested

from wizard.jobs.worker import make_worker


def lose_a_stop_request(worker):
    """What the SIGTERM handler does, with its StopRequested lost on the way."""
    try:
        worker.request_stop(signal.SIGTERM, None)
    except StopRequested:
        pass


def test_a_lost_stop_request_still_ends_the_work_loop(app):
    handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    worker = make_worker(app, queues=["sync"])
    try:
        lose_a_stop_request(worker)
        started = time.monotonic()
        worker.work(burst=False, with_scheduler=False, max_idle_time=60)
        took = time.monotonic() - started
    finally:
        for sig, handler in handlers.items():
            signal.signal(sig, handler)
    assert took < 30, f"the worker waited {took:.0f} s for jobs after it was asked to stop"
