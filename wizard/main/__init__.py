"""Home page, language switch, error pages and the /healthz and /readyz probes."""
from flask import Blueprint

bp = Blueprint("main", __name__)

from wizard.main import routes  # noqa: E402,F401


def init_app(app):
    from flask_babel import get_locale

    app.jinja_env.globals["current_locale"] = lambda: str(get_locale() or "en")
