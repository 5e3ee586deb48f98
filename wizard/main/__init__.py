"""Home page, language switch, error pages and the /healthz and /readyz probes."""
from flask_babel import get_locale, refresh

from wizard.main import errors, probes, routes, security  # noqa: F401  (probes, routes: register the views)
from wizard.main.blueprint import bp  # noqa: F401


def init_app(app):
    app.jinja_env.globals["current_locale"] = lambda: str(get_locale() or "en")
    app.jinja_env.globals["language_names"] = {"en": "English", "ru": "Русский"}
    # The locale is cached on the app context; requests that share one (tests, CLI) must choose afresh.
    app.before_request(refresh)
    errors.init_app(app)
    security.init_app(app)
