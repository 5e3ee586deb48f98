"""Injected faults, per endpoint: error answers at a rate, latency with jitter, hung requests and dropped
connections. A fault matches `*`, an API name (`people`, `calendar`, `oauth`, `batch`) or one route key
such as `GET /v1/people/{peopleId}/connections`; `remaining` limits how many requests it hits."""
import random
import socket
import time

from .errors import backend_error

FIELDS = ("endpoint", "error_rate", "error_statuses", "latency_ms", "jitter_ms", "hang_rate", "hang_seconds",
          "drop_rate", "remaining")


def normalise(spec: dict, next_id: int) -> dict:
    fault = {"id": next_id, "endpoint": spec.get("endpoint", "*")}
    fault["error_rate"] = float(spec.get("error_rate", 0))
    statuses = spec.get("error_statuses") or spec.get("statuses") or [spec.get("error_status", 503)]
    fault["error_statuses"] = [int(s) for s in statuses]
    fault["latency_ms"] = float(spec.get("latency_ms", 0))
    fault["jitter_ms"] = float(spec.get("jitter_ms", 0))
    fault["hang_rate"] = float(spec.get("hang_rate", 0))
    fault["hang_seconds"] = float(spec.get("hang_seconds", 30))
    fault["drop_rate"] = float(spec.get("drop_rate", 0))
    fault["remaining"] = spec.get("remaining")
    return fault


def matching(state, route):
    with state.lock:
        hits = []
        for fault in state.faults:
            endpoint = fault["endpoint"]
            if endpoint in ("*", route.api, route.key):
                if fault["remaining"] is not None:
                    if fault["remaining"] <= 0:
                        continue
                    fault["remaining"] -= 1
                hits.append(dict(fault))
        state.faults = [f for f in state.faults if f["remaining"] is None or f["remaining"] > 0]
        return hits


class Dropped(Exception):
    """The connection was closed without an answer."""


def apply(state, route, environ):
    """Sleep, hang or drop as the matching faults say; return an ApiError to answer with, or None."""
    release = state.hang_release
    for fault in matching(state, route):
        delay = fault["latency_ms"] + random.uniform(-fault["jitter_ms"], fault["jitter_ms"])
        if delay > 0:
            state.count_fault("latency")
            time.sleep(delay / 1000.0)
        if fault["hang_rate"] and random.random() < fault["hang_rate"]:
            state.count_fault("hang")
            release.wait(fault["hang_seconds"])
        if fault["drop_rate"] and random.random() < fault["drop_rate"]:
            state.count_fault("drop")
            drop(environ)
            raise Dropped()
        if fault["error_rate"] and random.random() < fault["error_rate"]:
            status = random.choice(fault["error_statuses"])
            state.count_fault(f"error:{status}")
            return backend_error(status)
    return None


def drop(environ):
    sock = environ.get("werkzeug.socket")
    if sock is None:
        return
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
