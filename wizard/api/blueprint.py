"""The `api` blueprint object, rate-limited per token; apart from the package so that its views can import it
without an import cycle (the package imports the views to register them)."""
import hashlib

from flask import Blueprint, current_app, request
from flask_limiter.util import get_remote_address

from wizard.extensions import limiter

bp = Blueprint("api", "wizard.api", url_prefix="/api/v1")


def _rate_key() -> str:
    """Per presented token (hashed: the limiter's Redis keys must not hold tokens), else per client IP."""
    header = request.headers.get("Authorization", "")
    if header:
        return "api-token:" + hashlib.sha256(header.encode("utf-8", "replace")).hexdigest()
    return "api-ip:" + (get_remote_address() or "unknown")


# Decorated once at import (the limiter is a process-wide extension); the limit is read per request.
limiter.limit(lambda: current_app.config["API_RATE_LIMIT"], key_func=_rate_key, scope="api")(bp)
