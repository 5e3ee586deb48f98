"""JSON API /api/v1, authenticated with personal API tokens (`Authorization: Bearer`).

CSRF does not apply here: requests carry no cookie authority, only the token. Errors are JSON
(`{"error": {"code", "message", "fields"?}}`); validation errors are 422 with per-field messages in the
token owner's language; another user's records are 404. The page where users manage their tokens is a
separate blueprint (`wizard.api.tokens_page`, under /profile/api-tokens).
"""
from werkzeug.routing import PathConverter

from wizard.api import errors, routes, routes_sync  # noqa: F401  (registers the views and error handlers)
from wizard.api.blueprint import bp
from wizard.api.tokens_page import bp as tokens_page_bp
from wizard.extensions import csrf


def init_app(app):
    class AnyPath(PathConverter):
        """Like `path`, but also across newlines, so no URL under /api/v1 falls through to an HTML 404."""
        regex = "[\\s\\S]+?"
        part_isolating = False  # spans segments (werkzeug infers True when the regex has no "/")

    app.url_map.converters["anypath"] = AnyPath
    csrf.exempt(bp)
    app.register_blueprint(tokens_page_bp)
