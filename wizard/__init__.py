"""google-sync-wizard: the application factory."""
import importlib
import os
from pathlib import Path
from urllib.parse import urlsplit

from flask import Flask

from config import GOOGLE_ENDPOINTS, config_from_env

# Blueprint packages, each owning one area. Every module exposes `bp` and may expose `init_app(app)`.
BLUEPRINTS = (
    "wizard.main",      # home, language switch, error pages, /healthz, /readyz
    "wizard.auth",      # login, logout, first administrator
    "wizard.setup",     # system settings and the administrator's setup wizard
    "wizard.crm",       # contacts, personal tags, activities
    "wizard.accounts",  # linking Google accounts, OAuth callback, sync settings
    "wizard.health",    # sync health per account
    "wizard.api",       # JSON API /api/v1
    "wizard.monitor",   # jobs page for administrators, /metrics
)


def create_app(config=None, **overrides):
    """Build the app. `config` is a config class (or None: chosen by SYNCWIZARD_CONFIG); `overrides` win."""
    config = config or config_from_env()
    instance_path = overrides.get("INSTANCE_PATH") or os.environ.get("SYNCWIZARD_INSTANCE") or config.INSTANCE_PATH
    # templates/ and static/ are found inside the package (links to the checkout's folders, copied into the
    # wheel), so an installed product runs from any directory.
    app = Flask(__name__, instance_path=str(Path(instance_path).resolve()))
    app.config.from_object(config)
    app.config.update(config.google_urls())
    app.config.update(overrides)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        app.config["SQLALCHEMY_DATABASE_URI"] = "sqlite:///" + str(Path(app.instance_path) / "syncwizard.db")

    # The factory imports the app's parts when called, not when the package is imported: `import wizard.sync`
    # (the pure core, standard library only) and the emulator must not load Flask's extensions.
    from wizard import i18n, logging_setup, redis, secrets, security
    from wizard.extensions import babel, bootstrap, csrf, db, limiter, login_manager, migrate

    secrets.load_instance_secrets(app)
    check_google_urls(app)
    logging_setup.init_app(app)
    redis.init_app(app)
    security.init_app(app)
    i18n.init_app(app)

    db.init_app(app)
    import wizard.models  # noqa: F401  (registers the tables)

    migrate.init_app(app, db, directory=str(Path(__file__).parent / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=i18n.select_locale, timezone_selector=i18n.select_timezone)
    bootstrap.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)

    for name in BLUEPRINTS:
        module = importlib.import_module(name)
        if hasattr(module, "init_app"):
            module.init_app(app)
        app.register_blueprint(module.bp)
    return app


def check_google_urls(app):
    """Production must talk to Google: emulator (loopback) URLs are refused unless explicitly allowed."""
    if app.config.get("ALLOW_EMULATOR_URLS"):
        return
    from wizard.secrets import ConfigurationError  # with the factory's other parts (see create_app)

    for key in GOOGLE_ENDPOINTS:
        host = urlsplit(app.config.get(key) or "").hostname or ""
        if host in {"localhost", "127.0.0.1", "::1"} or host.startswith("127."):
            raise ConfigurationError(
                f"{key} points at {host}: the Google emulator. Set ALLOW_EMULATOR_URLS=1 to allow it."
            )
