"""Blueprint 'setup': system settings and the administrator's setup wizard (see routes.py).

The site address the wizard prefills comes from the request; forwarded headers count only behind
TRUSTED_PROXY_COUNT proxies, through the ProxyFix that wizard.main.security installs.
"""
from wizard.setup import routes, routes_domain  # noqa: F401  (registers the views)
from wizard.setup.blueprint import bp  # noqa: F401
