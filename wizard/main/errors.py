"""Translated error pages (JSON under /api/), including the CSRF "form expired" page and the page that names
SESSION_COOKIE_SECURE when a Secure session cookie cannot come back over plain http."""
import logging

from flask import current_app, jsonify, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError
from werkzeug.http import HTTP_STATUS_CODES

PAGES = {
    400: (_l("Bad request"), _l("The request could not be understood.")),
    403: (_l("Access denied"), _l("This page is for administrators only.")),
    404: (_l("Page not found"), _l("There is no page at this address.")),
    405: (_l("Method not allowed"), _l("This page cannot be used that way.")),
    410: (_l("Link no longer valid"), _l("This link has already been used or is no longer needed.")),
    413: (_l("Too large"), _l("The upload is larger than this site accepts.")),
    429: (_l("Too many attempts"), _l("Too many attempts. Please wait a few minutes and try again.")),
    500: (_l("Something went wrong"), _l("An unexpected error occurred. It has been logged.")),
}
FORM_EXPIRED = (_l("The form has expired"),
                _l("For your security the form was open too long or came from another page. "
                   "Go back, reload the page and submit it again."))

# A Secure session cookie is never sent back over plain http, so every form then fails its CSRF check: an
# operator's first test on http, or a proxy that ends https without TRUSTED_PROXY_COUNT, would otherwise see
# only "The form has expired" on every login.
COOKIE_NOT_RETURNED = (_l("The session cookie did not come back"),
                       _l("This site sends its session cookie over https only (SESSION_COOKIE_SECURE is on), but "
                          "this page was opened over plain http, so the browser never returns the cookie and no "
                          "form can be sent. Open the site at its https address. Behind a reverse proxy that "
                          "ends https, set TRUSTED_PROXY_COUNT so the forwarded scheme is believed. For a test on "
                          "plain http only, set SESSION_COOKIE_SECURE=false and restart."))

log = logging.getLogger(__name__)


def _render(code, title, message):
    if request.path.startswith("/api/"):
        # The API's own error shape (wizard.api.http): a snake_case code, e.g. "not_found".
        slug = HTTP_STATUS_CODES.get(code, "error").lower().replace(" ", "_")
        return jsonify(error={"code": slug, "message": str(message)}), code
    return render_template("errors/error.html", code=code, title=title, message=message), code


def handle_http_error(error: HTTPException):
    code = error.code or 500
    title, message = PAGES.get(code, (error.name, error.description))
    return _render(code, title, message)


def secure_cookie_lost() -> bool:
    """The session cookie is Secure-only, the request came over http, and it carries no session cookie."""
    config = current_app.config
    return bool(config.get("SESSION_COOKIE_SECURE")) and not request.is_secure and \
        config.get("SESSION_COOKIE_NAME", "session") not in request.cookies


def handle_csrf_error(error: CSRFError):
    if secure_cookie_lost():
        log.warning("form refused: the Secure session cookie is not sent back over http (%s); serve https, set "
                    "TRUSTED_PROXY_COUNT behind a proxy, or SESSION_COOKIE_SECURE=false for a test", request.path)
        return _render(400, *COOKIE_NOT_RETURNED)
    return _render(400, *FORM_EXPIRED)


def handle_unexpected(error: InternalServerError):
    return _render(500, *PAGES[500])


def init_app(app):
    app.register_error_handler(CSRFError, handle_csrf_error)
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(InternalServerError, handle_unexpected)
