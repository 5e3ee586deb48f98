"""System settings: read, validate, write (secrets encrypted, every change audited), and the Google client
configuration other areas read at request time.

Other areas call: get_setting(code), set_setting(code, value, actor=None), google_client_config() (what the
wizard shows) and oauth_client() (what Google is called with), redirect_uris(), site_address(); in domain mode
delegation() (the Workspace service account and domain) and google_credentials(account) (whichever of the two
calls Google for that account); and may register a re-encryption function in ROTATABLE for rotate-key.
"""
import logging
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import select

from wizard import crypto
from wizard.extensions import db
from wizard.google import workspace
from wizard.google.oauth import Client as GoogleClient
from wizard.google.rules import CALLBACK_FORMS, derive
from wizard.models import accounts as accounts_model
from wizard.models.settings import SettingAudit, SystemSetting, utcnow
from wizard.settings import registry

log = logging.getLogger(__name__)

# Functions that re-encrypt what another area stores (e.g. OAuth tokens): each takes no argument, runs in an
# app context, commits, and returns how many values it re-encrypted. `syncwizard rotate-key` calls them all.
ROTATABLE: list = []


def rotatable(fn):
    if fn not in ROTATABLE:
        ROTATABLE.append(fn)
    return fn


class SettingError(ValueError):
    """A value the setting refuses; `.message` is a wizard.messages.Message to show next to the field."""

    def __init__(self, code, message):
        super().__init__(f"{code}: {message.code}")
        self.setting_code = code
        self.message = message


# --- rows -------------------------------------------------------------------------------------------------

def ensure_settings() -> int:
    """Create the rows of settings missing from the database (idempotent). Returns how many were added."""
    existing = set(db.session.scalars(select(SystemSetting.code)))
    added = 0
    for defn in registry.SETTINGS:
        if defn.code not in existing:
            db.session.add(SystemSetting(code=defn.code, type=defn.type, encrypted=defn.secret))
            added += 1
    if added:
        db.session.commit()
    return added


def _row(code) -> SystemSetting | None:
    return db.session.scalar(select(SystemSetting).where(SystemSetting.code == code))


def is_set(code: str) -> bool:
    row = _row(code)
    return bool(row and row.value)


@dataclass(frozen=True)
class RefusedSeed:
    """An environment variable that would give a setting's value but is not a valid one: the default applies."""

    variable: str
    value: str
    code: str
    default: object
    low: int | None
    high: int | None

    def __str__(self):
        bounds = f" ({self.low}–{self.high})" if self.low is not None else ""
        return (f"{self.variable}={self.value} is not a valid value of the setting {self.code}{bounds}: "
                f"the default {self.default} applies. Correct or remove the variable, or set the value in "
                f"System settings.")


def _seed(defn):
    """(raw, typed): the environment's value for the setting and its typed value (None when not valid)."""
    raw = current_app.config.get(defn.seed) if defn.seed else None
    if raw in (None, ""):
        return None, None
    try:
        value = defn.seed_convert(raw) if defn.seed_convert else raw
    except (TypeError, ValueError):
        value = None
    typed, error = registry.parse(defn, value)
    return raw, None if error else typed


def default_value(defn):
    """The value of a setting nobody has set: its seed from the environment (app configuration) when given
    and valid, else the registry's default (refused_seeds() reports an invalid seed at start-up and to
    administrators)."""
    raw, typed = _seed(defn)
    if raw is None:
        return defn.default
    if typed is None:
        log.warning("%s=%r is not a valid %s; the default applies", defn.seed, raw, defn.code)
        return defn.default
    return typed


def refused_seeds() -> list[RefusedSeed]:
    """The environment's values that would give a setting nobody has set, but are not valid values of it."""
    refused = []
    for defn in registry.SETTINGS:
        raw, typed = _seed(defn)
        if raw is not None and typed is None and not is_set(defn.code):
            bounded = defn.type == registry.INTEGER
            refused.append(RefusedSeed(defn.seed, str(raw), defn.code, defn.default,
                                       defn.low if bounded else None, defn.high if bounded else None))
    return refused


def get_setting(code: str):
    """The typed current value, or the default (see default_value). Secrets come back decrypted (for the code
    that needs them; never render them)."""
    defn = registry.definition(code)
    row = _row(code)
    if row is None or row.value is None:
        return default_value(defn)
    if row.encrypted:
        return crypto.decrypt(row.value)
    if defn.type == registry.INTEGER:
        return int(row.value)
    return row.value


# An account's settings that follow the system defaults read them through this module (see
# wizard.models.accounts.following).
accounts_model.system_default_reader = get_setting


def validate(code: str, value):
    """The typed value, or SettingError."""
    value, error = registry.parse(registry.definition(code), value)
    if error:
        raise SettingError(code, error)
    return value


def _actor_fields(actor):
    if actor is None:
        return None, "command line"
    if isinstance(actor, str):
        return None, actor
    return getattr(actor, "id", None), getattr(actor, "email", "") or ""


def _audit(code, action, actor):
    actor_id, label = _actor_fields(actor)
    db.session.add(SettingAudit(setting_code=code, action=action, actor_id=actor_id, actor_label=label))
    log.info("setting %s %s by %s", code, action, label)  # the value is never logged


def set_setting(code: str, value, actor=None, commit: bool = True):
    """Validate and store a value (encrypted for secrets), audited. Raises SettingError, changing nothing."""
    defn = registry.definition(code)
    typed = validate(code, value)
    row = _row(code) or SystemSetting(code=code, type=defn.type, encrypted=defn.secret)
    db.session.add(row)
    row.type, row.encrypted = defn.type, defn.secret
    row.value = crypto.encrypt(str(typed)) if defn.secret else str(typed)
    row.updated_at = utcnow()
    row.updated_by_id = _actor_fields(actor)[0]
    _audit(code, "set", actor)
    if commit:
        db.session.commit()
    return typed


def clear_setting(code: str, actor=None):
    """Back to the default (for a secret: forgotten)."""
    registry.definition(code)
    row = _row(code)
    if row is None or row.value is None:
        return
    row.value, row.updated_at = None, utcnow()
    row.updated_by_id = _actor_fields(actor)[0]
    _audit(code, "cleared", actor)
    db.session.commit()


def display_value(code: str) -> str:
    """What a page may show: the value, or a mask for a secret (never the secret itself)."""
    defn = registry.definition(code)
    row = _row(code)
    if row is None or row.value is None:
        default = default_value(defn)
        return "" if default is None else str(default)
    if defn.secret:
        return "••••••••"
    return row.value


def listed_value(code: str) -> str:
    """The registry's Value column: a choice by its translated label, a secret masked."""
    defn = registry.definition(code)
    value = display_value(code)
    if defn.type == registry.CHOICE:
        return str(dict(defn.choices).get(value, value))
    return value


def search_settings(query: str = ""):
    """Definitions whose code or (translated) name contains `query`, in registry order."""
    needle = (query or "").strip().lower()
    return [d for d in registry.SETTINGS if not needle or needle in d.code.lower() or needle in str(d.name).lower()]


def audit_entries(code: str | None = None, limit: int = 50):
    stmt = select(SettingAudit).order_by(SettingAudit.at.desc(), SettingAudit.id.desc()).limit(limit)
    if code:
        stmt = stmt.where(SettingAudit.setting_code == code)
    return list(db.session.scalars(stmt))


# --- the Google client ------------------------------------------------------------------------------------

def site_address() -> str | None:
    return get_setting("SiteAddress") or current_app.config.get("PUBLIC_URL") or None


def callback_form() -> str:
    form = get_setting("OAuthCallbackForm")
    return form if form in CALLBACK_FORMS else "clean"


def redirect_uris(address: str | None = None, form: str | None = None) -> list[str]:
    """Both callback forms for the site address, the chosen one first ([] without an address)."""
    address = address or site_address()
    if not address:
        return []
    form = form or callback_form()
    order = [form] + [f for f in CALLBACK_FORMS if f != form]
    return [derive(address, CALLBACK_FORMS[f])[1] for f in order]


def google_client_config() -> GoogleClient | None:
    """The configured OAuth client, read now (not cached), or None when anything is missing."""
    client_id = get_setting("GoogleClientId")
    address = site_address()
    if not client_id or not address or not is_set("GoogleClientSecret"):
        return None
    try:
        secret = get_setting("GoogleClientSecret")
    except crypto.DecryptionError:
        log.warning("GoogleClientSecret cannot be decrypted with the configured ENCRYPTION_KEYS")
        return None
    origin, redirect_uri = derive(address, CALLBACK_FORMS[callback_form()])
    return GoogleClient(client_id, secret, redirect_uri, origin)


# --- key rotation -----------------------------------------------------------------------------------------

def rotate_settings() -> int:
    """Re-encrypt every encrypted setting with the newest key."""
    count = 0
    for row in db.session.scalars(select(SystemSetting).where(SystemSetting.encrypted.is_(True))):
        if row.value:
            row.value = crypto.rotate(row.value)
            _audit(row.code, "re-encrypted", None)
            count += 1
    db.session.commit()
    return count


def rotate_all() -> dict:
    """{name: count} for the settings and every registered ROTATABLE function."""
    results = {"settings": rotate_settings()}
    hooks = list(ROTATABLE) + [f for f in getattr(crypto, "ROTATABLE", []) if f not in ROTATABLE]
    for fn in hooks:
        results[f"{fn.__module__}.{fn.__name__}"] = fn()
    return results


def oauth_client() -> GoogleClient | None:
    """The client handed to wizard.google.oauth, or None until the administrator saved an ID and a secret."""
    client = google_client_config()
    if client is None or not client.client_id or not client.client_secret:
        return None
    return client


# --- the Workspace domain (domain-wide delegation) --------------------------------------------------------

def domain_mode() -> bool:
    return get_setting("GoogleConnectionMode") == registry.DOMAIN_MODE


def service_account_key() -> workspace.ServiceAccountKey | None:
    """The stored key, parsed (its private part stays in the object; pages show only the key ID and e-mail)."""
    if not is_set("ServiceAccountKey"):
        return None
    try:
        return workspace.parse_key(get_setting("ServiceAccountKey"))
    except (crypto.DecryptionError, workspace.KeyFileError):
        log.warning("ServiceAccountKey cannot be decrypted or read")
        return None


def delegation() -> workspace.Delegation | None:
    """What wizard.google is handed for delegated accounts, or None until a key and a domain are saved."""
    key, domain = service_account_key(), get_setting("WorkspaceDomain")
    if key is None or not domain:
        return None
    return workspace.Delegation(key, domain.lower())


def google_credentials(account):
    """What calls Google for `account`: the domain's delegation for a delegated account, else the OAuth client."""
    return delegation() if getattr(account, "delegated", False) else oauth_client()
