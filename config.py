"""Configuration classes. Every value can be overridden from the environment.

Defaults serve one machine: SQLite in the instance folder, an embedded Redis when REDIS_URL is unset, and
(in demo mode) the offline Google emulator. Production differs from the demo by configuration alone.
"""
import os
from datetime import timedelta
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent
# Run from a checkout, the instance folder sits in it; an installed product (`pip install .`) keeps it in the
# working directory (the service's WorkingDirectory), never inside site-packages.
IN_CHECKOUT = (PROJECT_ROOT / "pyproject.toml").is_file()
DEFAULT_INSTANCE = PROJECT_ROOT / "instance" if IN_CHECKOUT else Path("instance").resolve()


def env(name, default=None):
    value = os.environ.get(name)
    return default if value in (None, "") else value


def env_int(name, default):
    return int(env(name, default))


def env_optional_int(name, default=None):
    value = env(name)
    return default if value is None else int(value)


def env_bool(name, default=False):
    value = env(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


# Google's real endpoints. The emulator serves all of them on one host, so GOOGLE_BASE_URL overrides them all.
GOOGLE_ENDPOINTS = {
    "GOOGLE_AUTH_URL": ("https://accounts.google.com", "/o/oauth2/v2/auth"),
    "GOOGLE_TOKEN_URL": ("https://oauth2.googleapis.com", "/token"),
    "GOOGLE_REVOKE_URL": ("https://oauth2.googleapis.com", "/revoke"),
    "GOOGLE_USERINFO_URL": ("https://openidconnect.googleapis.com", "/v1/userinfo"),
    "GOOGLE_OPENID_CONFIG_URL": ("https://accounts.google.com", "/.well-known/openid-configuration"),
    "GOOGLE_PEOPLE_API_URL": ("https://people.googleapis.com", "/"),
    "GOOGLE_CALENDAR_API_URL": ("https://www.googleapis.com", "/calendar/v3/"),
    "GOOGLE_BATCH_URL": ("https://www.googleapis.com", "/batch/calendar/v3"),
    "GOOGLE_CONSOLE_URL": ("https://console.cloud.google.com", "/"),
    "GOOGLE_ADMIN_CONSOLE_URL": ("https://admin.google.com", "/"),
}


def google_endpoints(base_url=None):
    """Endpoint URLs: each from its own variable, else from one base URL (the emulator), else Google's."""
    base = (base_url or "").rstrip("/")
    urls = {}
    for key, (host, path) in GOOGLE_ENDPOINTS.items():
        urls[key] = env(key, (base or host) + path)
    return urls


class Config:
    ENV_NAME = "default"
    SECRET_KEY = env("SECRET_KEY")  # generated into the instance folder when absent (see wizard/secrets.py)
    # Comma-separated Fernet keys, newest first (MultiFernet); generated into the instance folder when absent.
    ENCRYPTION_KEYS = env("ENCRYPTION_KEYS")
    INSTANCE_PATH = env("SYNCWIZARD_INSTANCE", str(DEFAULT_INSTANCE))
    SQLALCHEMY_DATABASE_URI = env("DATABASE_URL")  # default: SQLite in the instance folder
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    REDIS_URL = env("REDIS_URL")  # default: the embedded redis-server started by `syncwizard run`
    # Workers take queues in this order: short runs, then long ones (first syncs, scope changes), then the rest.
    RQ_QUEUES = ["sync", "sync-bulk", "default"]
    # An identity an older version was given by hand: adopted once into the database (wizard.settings), which
    # holds the installation's identity for every process on every machine from then on.
    INSTALLATION_ID = env("INSTALLATION_ID")
    PUBLIC_URL = env("PUBLIC_URL")  # the site's public address, when known in advance
    TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
    GOOGLE_BASE_URL = env("GOOGLE_BASE_URL")
    ALLOW_EMULATOR_URLS = env_bool("ALLOW_EMULATOR_URLS", False)
    EMULATOR_HOST = env("EMULATOR_HOST", "127.0.0.1")
    EMULATOR_PORT = env_int("EMULATOR_PORT", 8765)
    EMULATOR_STATE_FILE = env("EMULATOR_STATE_FILE")
    BABEL_DEFAULT_LOCALE = env("DEFAULT_LOCALE", "en")
    BABEL_DEFAULT_TIMEZONE = env("DEFAULT_TIMEZONE", "UTC")
    LANGUAGES = ["en", "ru"]
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", False)
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    # Login sessions (wizard.auth.sessions): a plain login ends after this long without a request, and this
    # long after it began; a "remember me" login lasts REMEMBER_DAYS from its start.
    SESSION_IDLE_MINUTES = env_int("SESSION_IDLE_MINUTES", 120)
    SESSION_MAX_HOURS = env_int("SESSION_MAX_HOURS", 12)
    REMEMBER_DAYS = env_int("REMEMBER_DAYS", 14)
    REMEMBER_COOKIE_DURATION = timedelta(days=REMEMBER_DAYS)
    # One-time links an administrator hands out (invitation, password reset) expire after this many hours.
    USER_LINK_TTL_HOURS = env_int("USER_LINK_TTL_HOURS", 72)
    # Tags: per user (personal tags) and per contact; one form must not be able to create thousands.
    MAX_TAGS_PER_USER = env_int("MAX_TAGS_PER_USER", 500)
    MAX_TAGS_PER_CONTACT = env_int("MAX_TAGS_PER_CONTACT", 50)
    MAX_CONTENT_LENGTH = env_int("MAX_CONTENT_LENGTH", 2 * 1024 * 1024)
    WTF_CSRF_TIME_LIMIT = 8 * 3600
    RATELIMIT_ENABLED = env_bool("RATELIMIT_ENABLED", True)
    RATELIMIT_HEADERS_ENABLED = True
    LOGIN_LIMIT_PER_ACCOUNT = env("LOGIN_LIMIT_PER_ACCOUNT", "10 per 15 minutes")
    LOGIN_LIMIT_PER_IP = env("LOGIN_LIMIT_PER_IP", "30 per 15 minutes")
    API_RATE_LIMIT = env("API_RATE_LIMIT", "300 per minute")  # per API token (per IP without one)
    BOOTSTRAP_SERVE_LOCAL = True  # intranet installs have no internet: no CDN
    # Workers beat every 10 s, idle or while a job runs: a worker silent longer than this is gone
    # (one beat and some slack), for /readyz, the jobs page and the bulk-slot limit, which follows the live
    # count; a dead worker counted for 90 s held long runs back to one at a time (issue #18).
    WORKER_HEARTBEAT_MAX_AGE = env_int("WORKER_HEARTBEAT_MAX_AGE", 35)
    METRICS_TOKEN = env("METRICS_TOKEN")  # bearer token for /metrics; unset: /metrics answers 404
    SETUP_TOKEN_TTL = env_int("SETUP_TOKEN_TTL", 3600)
    # A sync run plans and applies its work in chunks of about this many records, so its memory does not
    # grow with the address book (wizard.sync.chunking).
    SYNC_CHUNK_SIZE = env_int("SYNC_CHUNK_SIZE", 2000)
    # The guard's limits are system settings (MassDeleteShare, MassDeleteMinimum, FirstSyncPreviewThreshold);
    # these variables, when set, give their values until an administrator sets them (wizard.settings.values).
    SYNC_MASS_DELETE_SHARE = env("SYNC_MASS_DELETE_SHARE")  # a share: 0.20 is MassDeleteShare 20
    SYNC_MASS_DELETE_MIN = env_optional_int("SYNC_MASS_DELETE_MIN")
    SYNC_FIRST_SYNC_PREVIEW = env_optional_int("SYNC_FIRST_SYNC_PREVIEW")
    # Google's per-minute limits the workers keep to together (wizard.google.session): per Google account,
    # and per project (the OAuth client's), shared through Redis by every worker on every machine. 0 or
    # unset: no client-side budget. People's project limits are shown only in the project's console.
    GOOGLE_PEOPLE_PER_MINUTE = env_int("GOOGLE_PEOPLE_PER_MINUTE", 90)
    GOOGLE_CALENDAR_PER_MINUTE = env_int("GOOGLE_CALENDAR_PER_MINUTE", 600)
    GOOGLE_PEOPLE_PROJECT_PER_MINUTE = env_optional_int("GOOGLE_PEOPLE_PROJECT_PER_MINUTE")
    GOOGLE_CALENDAR_PROJECT_PER_MINUTE = env_int("GOOGLE_CALENDAR_PROJECT_PER_MINUTE", 10000)
    # Bulk runs (wizard.jobs.fairness) working at once: 0 means one less than the live workers (at least one), which
    # keeps a worker free for short runs; a bulk run finding no free slot is tried again this many seconds later.
    SYNC_BULK_SLOTS = env_int("SYNC_BULK_SLOTS", 0)
    SYNC_BULK_RETRY_SECONDS = env_int("SYNC_BULK_RETRY_SECONDS", 10)
    DEMO = False

    @classmethod
    def google_urls(cls):
        return google_endpoints(cls.GOOGLE_BASE_URL)


class DevelopmentConfig(Config):
    ENV_NAME = "development"
    DEBUG = True


class DemoConfig(Config):
    """`syncwizard run --demo`: everything local, Google replaced by the emulator."""

    ENV_NAME = "demo"
    DEMO = True
    GOOGLE_BASE_URL = env("GOOGLE_BASE_URL", f"http://{Config.EMULATOR_HOST}:{Config.EMULATOR_PORT}")
    ALLOW_EMULATOR_URLS = True


class TestingConfig(Config):
    ENV_NAME = "testing"
    TESTING = True
    SECRET_KEY = "testing-secret-key-not-for-production"
    # A fixed test key (Fernet, 32 url-safe base64 bytes); production keys come from the environment.
    ENCRYPTION_KEYS = "dGVzdGluZy1rZXktMzItYnl0ZXMtbG9uZy0wMDAwMDA="
    SQLALCHEMY_DATABASE_URI = env("DATABASE_URL_TEST", "sqlite://")
    # Tiny chunks, so the engine's tests run every sync across several chunks.
    SYNC_CHUNK_SIZE = env_int("SYNC_CHUNK_SIZE_TEST", 3)
    WTF_CSRF_ENABLED = False
    RATELIMIT_ENABLED = False
    GOOGLE_BASE_URL = env("GOOGLE_BASE_URL_TEST", "http://127.0.0.1:8765")
    ALLOW_EMULATOR_URLS = True
    SERVER_NAME = None


class ProductionConfig(Config):
    """Refuses to start without explicit keys (see wizard.secrets.check_production)."""

    ENV_NAME = "production"
    SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", True)
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE


CONFIGS = {
    "development": DevelopmentConfig,
    "demo": DemoConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
    "default": Config,
}


def config_from_env():
    return CONFIGS[env("SYNCWIZARD_CONFIG", "default")]
