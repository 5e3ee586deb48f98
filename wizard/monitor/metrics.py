"""/metrics: the Prometheus text format, for a monitoring system holding the METRICS_TOKEN bearer token.

Without METRICS_TOKEN the endpoint does not exist (404), so an install that does not scrape exposes nothing.
"""
import hmac

from flask import Response, abort, current_app, request

from wizard.extensions import csrf, limiter
from wizard.monitor.blueprint import bp
from wizard.monitor.snapshot import Snapshot, take


def _authorised() -> bool:
    token = current_app.config.get("METRICS_TOKEN")
    if not token:
        abort(404)
    header = request.headers.get("Authorization", "")
    scheme, _, given = header.partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), token.encode())


def _label(value: str) -> str:
    return str(value).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def render(snapshot: Snapshot) -> str:
    lines = []

    def metric(name, kind, help_text, samples):
        lines.append(f"# HELP {name} {help_text}")
        lines.append(f"# TYPE {name} {kind}")
        for labels, value in samples:
            text = ",".join(f'{k}="{_label(v)}"' for k, v in labels.items())
            lines.append(f"{name}{{{text}}} {value}" if text else f"{name} {value}")

    queues = snapshot.queues
    metric("syncwizard_queue_depth", "gauge", "Jobs waiting in the queue.",
           [({"queue": q.name}, q.depth) for q in queues])
    metric("syncwizard_queue_oldest_job_age_seconds", "gauge",
           "Seconds the longest-waiting queued job has waited (0 when the queue is empty).",
           [({"queue": q.name}, q.oldest_age or 0) for q in queues])
    metric("syncwizard_jobs_started", "gauge", "Jobs being worked on.",
           [({"queue": q.name}, q.started) for q in queues])
    metric("syncwizard_jobs_failed", "gauge", "Failed jobs kept in the failed job registry.",
           [({"queue": q.name}, q.failed) for q in queues])
    metric("syncwizard_workers", "gauge", "Registered RQ workers.", [({}, len(snapshot.workers))])
    metric("syncwizard_workers_alive", "gauge", "Workers whose heartbeat is recent.",
           [({}, snapshot.workers_alive)])
    metric("syncwizard_runs_last_24h", "gauge", "Sync runs finished in the last 24 hours, by outcome.",
           [({"outcome": status}, count) for status, count in snapshot.outcome_totals.items()])
    metric("syncwizard_accounts_needing_reconnect", "gauge", "Linked accounts that must be linked again.",
           [({}, snapshot.needs_reconnect)])
    return "\n".join(lines) + "\n"


@bp.get("/metrics")
@limiter.exempt
def metrics():
    if not _authorised():
        return Response("unauthorised\n", status=401, mimetype="text/plain",
                        headers={"WWW-Authenticate": 'Bearer realm="metrics"'})
    return Response(render(take(with_details=False)), content_type="text/plain; version=0.0.4; charset=utf-8")


csrf.exempt(metrics)
