"""The trusted reverse proxies. (Security headers: wizard/security.py.)

Forwarded headers are believed only from TRUSTED_PROXY_COUNT proxies, so a visitor cannot forge their IP
(login throttling) or the site's scheme and host (the OAuth redirect URI, the Secure cookie flag).
"""
from werkzeug.middleware.proxy_fix import ProxyFix


def init_app(app):
    proxies = app.config.get("TRUSTED_PROXY_COUNT") or 0
    if proxies > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies, x_port=proxies,
                                x_prefix=proxies)
