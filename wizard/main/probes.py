"""Probes: /healthz says the web process answers; /readyz says it can do its job (database, Redis, a worker
that beat recently), one status per check, 503 when any fails."""
import time

from flask import current_app, jsonify
from sqlalchemy import text

from wizard.extensions import csrf, db, limiter
from wizard.jobs.heartbeat import last_heartbeat
from wizard.main.blueprint import bp
from wizard.redis import get_redis


@bp.route("/healthz")
@limiter.exempt
def healthz():
    return jsonify(status="ok")


def _check_database():
    db.session.execute(text("SELECT 1"))
    return {"status": "ok"}


def _check_redis():
    get_redis().ping()
    return {"status": "ok"}


def _check_worker():
    beat = last_heartbeat(get_redis())
    max_age = current_app.config["WORKER_HEARTBEAT_MAX_AGE"]
    if beat is None:
        return {"status": "fail", "error": "no worker heartbeat"}
    age = round(time.time() - beat, 1)
    if age > max_age:
        return {"status": "fail", "error": f"last heartbeat {age}s ago (max {max_age}s)", "age": age}
    return {"status": "ok", "age": age}


CHECKS = {"database": _check_database, "redis": _check_redis, "worker": _check_worker}


@bp.route("/readyz")
@limiter.exempt
def readyz():
    results = {}
    for name, check in CHECKS.items():
        try:
            results[name] = check()
        except Exception as exc:  # a probe reports failures, it does not raise them
            results[name] = {"status": "fail", "error": type(exc).__name__}
            if name == "database":
                db.session.rollback()
    ready = all(r["status"] == "ok" for r in results.values())
    return jsonify(status="ok" if ready else "fail", checks=results), 200 if ready else 503


csrf.exempt(healthz)
csrf.exempt(readyz)
