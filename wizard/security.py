"""Response headers that harden every page of the product.

A Content-Security-Policy with no inline scripts (the product's JS lives in static/), no framing (the OAuth
and settings pages must never be framed: clickjacking), and HSTS when the request came over https.
"""
from urllib.parse import urlsplit

from flask import request

CSP = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",  # style attributes only; scripts stay strict
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self' {google_auth}",
    "frame-ancestors 'none'",
])


def _secure_over_https(cookie: str) -> str:
    attrs = [a.strip().lower() for a in cookie.split(";")]
    return cookie if "secure" in attrs else cookie + "; Secure"


def init_app(app):
    auth = urlsplit(app.config.get("GOOGLE_AUTH_URL") or "")
    google_auth = f"{auth.scheme}://{auth.netloc}" if auth.netloc else ""
    policy = CSP.format(google_auth=google_auth).replace("  ", " ")

    @app.after_request
    def set_security_headers(response):
        response.headers.setdefault("Content-Security-Policy", policy)
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if request.is_secure:
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
            # The session cookie is handled by wizard.auth.session; Flask-Login's remember-me cookie follows only
            # REMEMBER_COOKIE_SECURE, so it is marked here (this hook runs after Flask-Login's).
            cookies = response.headers.getlist("Set-Cookie")
            if cookies:
                response.headers.setlist("Set-Cookie", [_secure_over_https(c) for c in cookies])
        return response
