"""Blueprint 'setup': system settings and the administrator's setup wizard (see routes.py).

The site address the wizard prefills comes from the request; forwarded headers count only behind
TRUSTED_PROXY_COUNT proxies, through the ProxyFix that wizard.main.security installs.
"""
from flask import Blueprint

bp = Blueprint("setup", __name__)

from wizard.setup import routes  # noqa: E402,F401
