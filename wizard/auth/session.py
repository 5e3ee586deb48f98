"""The session cookie: HttpOnly and SameSite=Lax always (config), Secure whenever the request came over https
(directly or, with TRUSTED_PROXY_COUNT, through a proxy), even when SESSION_COOKIE_SECURE is off."""
from flask import has_request_context, request
from flask.sessions import SecureCookieSessionInterface


class HttpsAwareSessionInterface(SecureCookieSessionInterface):
    def get_cookie_secure(self, app):
        return bool(app.config["SESSION_COOKIE_SECURE"] or (has_request_context() and request.is_secure))
