"""Response headers every page gets, and the trusted reverse proxies.

The Content-Security-Policy allows scripts only from this site (no inline scripts, no CDN: intranet installs
have no internet). Forwarded headers are believed only from TRUSTED_PROXY_COUNT proxies, so a visitor cannot
forge their IP (login throttling) or the site's scheme and host (OAuth redirect URI).
"""
from werkzeug.middleware.proxy_fix import ProxyFix

CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
       "object-src 'none'; base-uri 'self'; frame-ancestors 'none'")


def add_headers(response):
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    return response


def init_app(app):
    app.after_request(add_headers)
    proxies = app.config.get("TRUSTED_PROXY_COUNT") or 0
    if proxies > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies, x_port=proxies,
                                x_prefix=proxies)
