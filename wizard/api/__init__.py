"""JSON API /api/v1, authenticated with personal API tokens (`Authorization: Bearer`).

CSRF does not apply here: requests carry no cookie authority, only the token. Errors are JSON
(`{"error": {"code", "message", "fields"?}}`); validation errors are 422 with per-field messages in the
token owner's language; another user's records are 404. The page where users manage their tokens is a
separate blueprint (`wizard.api.tokens_page`, under /profile/api-tokens).
"""
import hashlib

from flask import Blueprint, current_app, request
from flask_limiter.util import get_remote_address

from wizard.extensions import limiter

bp = Blueprint("api", __name__, url_prefix="/api/v1")


def _rate_key() -> str:
    """Per presented token (hashed: the limiter's Redis keys must not hold tokens), else per client IP."""
    header = request.headers.get("Authorization", "")
    if header:
        return "api-token:" + hashlib.sha256(header.encode("utf-8", "replace")).hexdigest()
    return "api-ip:" + (get_remote_address() or "unknown")


# Decorated once at import (the limiter is a process-wide extension); the limit is read per request.
limiter.limit(lambda: current_app.config["API_RATE_LIMIT"], key_func=_rate_key, scope="api")(bp)

from wizard.api import errors, routes, routes_sync  # noqa: E402,F401,I001  (registers views and error handlers)

routes_sync.register()


def init_app(app):
    from werkzeug.routing import PathConverter

    from wizard.api.tokens_page import bp as tokens_page_bp
    from wizard.extensions import csrf

    class AnyPath(PathConverter):
        """Like `path`, but also across newlines, so no URL under /api/v1 falls through to an HTML 404."""

        regex = "[\\s\\S]+?"
        part_isolating = False  # spans segments (werkzeug infers True when the regex has no "/")

    app.url_map.converters["anypath"] = AnyPath
    csrf.exempt(bp)
    app.register_blueprint(tokens_page_bp)
