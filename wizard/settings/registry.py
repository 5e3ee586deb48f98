"""The system settings the product knows: code, translated name, type, default and validation.

Codes are stable identifiers used by other areas (`get_setting("MassDeleteShare")`); names and
descriptions are what the registry page shows. Validation returns a message code (wizard.messages) or None.
"""
import re
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l

from wizard.google import workspace
from wizard.google.rules import CALLBACK_FORMS
from wizard.messages import Message, define
from wizard.settings.address import normalize_site_address, site_address_error

TEXT, SECRET, INTEGER, CHOICE, ADDRESS = "text", "secret", "integer", "choice", "address"
TYPE_NAMES = {
    TEXT: _l("Text"), SECRET: _l("Encrypted text"), INTEGER: _l("Integer"), CHOICE: _l("List"),
    ADDRESS: _l("Web address"),
}

CLIENT_ID_RE = re.compile(r"^[0-9]{6,30}-[0-9a-z_]{1,64}\.apps\.googleusercontent\.com$")
SECRET_RE = re.compile(r"^[A-Za-z0-9_\-]{16,100}$")

ERR_REQUIRED = define("settings.required", _l("Enter a value."))
ERR_INTEGER = define("settings.integer", _l("Enter a whole number between %(low)s and %(high)s."))
ERR_CHOICE = define("settings.choice", _l("Choose one of the listed values."))
ERR_CLIENT_ID = define("settings.client_id_format", _l(
    "This is not a Google OAuth client ID: it looks like 1234567890-abc123def456.apps.googleusercontent.com "
    "(copy “Client ID” from the Credentials page of the Google Cloud console)."))
ERR_SECRET_SPACES = define("settings.secret_spaces", _l(
    "The client secret contains spaces or line breaks; copy it again without them."))
ERR_SECRET_FORMAT = define("settings.secret_format", _l(
    "This is not a Google client secret: it is 16 to 100 letters, digits, “-” and “_” (new ones start "
    "with GOCSPX-)."))
DOMAIN_RE = re.compile(r"^(?=.{4,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
ERR_DOMAIN = define("settings.domain_format", _l(
    "Enter the domain of your Google Workspace, as in the users' addresses after “@”, for example "
    "example.com."))
KEY_ERRORS = {
    "too_large": define("settings.service_account_key.too_large", _l(
        "This file is too large to be a service account key (Google's are about 2 KB).")),
    "not_json": define("settings.service_account_key.not_json", _l(
        "This is not a JSON file. Upload the key file Google downloaded when you clicked “Create” under "
        "“Keys” → “Add key” → “Create new key” → “JSON”.")),
    "oauth_client_file": define("settings.service_account_key.oauth_client_file", _l(
        "This is the OAuth client's file (client_secret….json), not a service account key. Create the key "
        "under IAM & Admin → Service accounts → your service account → “Keys”.")),
    "not_service_account": define("settings.service_account_key.not_service_account", _l(
        "This JSON file is not a service account key (its “type” is not “service_account”).")),
    "fields_missing": define("settings.service_account_key.fields_missing", _l(
        "The key file lacks fields Google writes (client_email, client_id, private_key_id, private_key): "
        "download a new JSON key instead of editing one.")),
    "bad_private_key": define("settings.service_account_key.bad_private_key", _l(
        "The key file's private key cannot be read: download a new JSON key.")),
}
ERR_SECRET_IS_ID = define("settings.secret_is_id", _l(
    "This is the client ID, not the client secret."))


@dataclass(frozen=True)
class SettingDef:
    code: str
    name: object
    type: str
    default: object = None
    description: object = ""
    choices: tuple = ()  # (value, label) pairs for CHOICE
    low: int = 0
    high: int = 10**9
    validate: object = None  # callable(value) -> Message | message code | None
    group: object = field(default="")
    # The app configuration key (environment variable) that gives the value until an administrator sets it,
    # and how its value converts to the setting's (README: "Environment variables").
    seed: str | None = None
    seed_convert: object = None

    @property
    def secret(self) -> bool:
        return self.type == SECRET


def validate_client_id(value):
    return None if CLIENT_ID_RE.match(value) else ERR_CLIENT_ID


def validate_client_secret(value):
    if any(c.isspace() for c in value):
        return ERR_SECRET_SPACES
    if value.endswith(".apps.googleusercontent.com"):
        return ERR_SECRET_IS_ID
    return None if SECRET_RE.match(value) else ERR_SECRET_FORMAT


def validate_domain(value):
    return None if DOMAIN_RE.match(value.lower()) else ERR_DOMAIN


def validate_service_account_key(value):
    try:
        workspace.parse_key(value)
    except workspace.KeyFileError as exc:
        return KEY_ERRORS[exc.code]
    return None


def validate_site_address(value):
    return site_address_error(value)


GOOGLE = _l("Google integration")
SYNC = _l("Synchronization defaults")
WORKSPACE = _l("Google Workspace domain")
PERSONAL_MODE, DOMAIN_MODE = "personal", "domain"

SETTINGS = (
    SettingDef("GoogleClientId", _l("Google service access key"), TEXT, None,
               _l("The “Client ID” of the OAuth client registered in the Google Cloud console."),
               validate=validate_client_id, group=GOOGLE),
    SettingDef("GoogleClientSecret", _l("Google secret access key"), SECRET, None,
               _l("The “Client Secret” of the same OAuth client. Stored encrypted; never shown again."),
               validate=validate_client_secret, group=GOOGLE),
    SettingDef("SiteAddress", _l("Site address"), ADDRESS, None,
               _l("The address users open the site at, for example https://crm.example.com. The JavaScript "
                  "origin and redirect URI registered in Google are derived from it."),
               validate=validate_site_address, group=GOOGLE),
    SettingDef("OAuthCallbackForm", _l("OAuth callback form"), CHOICE, "clean",
               _l("Which redirect URI is registered in Google: the clean path or the legacy path of the "
                  "old manual. The site answers at both."),
               choices=(("clean", _l("Clean: %(path)s", path=CALLBACK_FORMS["clean"])),
                        ("legacy", _l("Legacy: %(path)s", path=CALLBACK_FORMS["legacy"]))), group=GOOGLE),
    SettingDef("GoogleAppPublishingStatus", _l("Google consent screen status"), CHOICE, "unknown",
               _l("External apps left in “Testing” get refresh tokens that expire after 7 days."),
               choices=(("unknown", _l("Not stated")), ("internal", _l("Internal (Google Workspace)")),
                        ("testing", _l("External, Testing")), ("production", _l("External, In production"))),
               group=GOOGLE),
    SettingDef("GoogleConnectionMode", _l("How users connect to Google"), CHOICE, PERSONAL_MODE,
               _l("Each user links their own Google account (the documented procedure), or the whole Google "
                  "Workspace domain is connected once by the administrator and users see no consent screen."),
               choices=((PERSONAL_MODE, _l("Each user links their own Google account")),
                        (DOMAIN_MODE, _l("The whole Google Workspace domain"))), group=WORKSPACE),
    SettingDef("WorkspaceDomain", _l("Google Workspace domain"), TEXT, None,
               _l("The domain of the users' addresses, for example example.com."),
               validate=validate_domain, group=WORKSPACE),
    SettingDef("ServiceAccountKey", _l("Service account key"), SECRET, None,
               _l("The JSON key of the service account with domain-wide delegation. Stored encrypted; never "
                  "shown again (only its key ID)."),
               validate=validate_service_account_key, group=WORKSPACE),
    SettingDef("ContactsSyncPeriodMinutes", _l("Default contacts sync period, minutes"), INTEGER, 60,
               _l("Applies to accounts that keep the default. At least once a week keeps Google's sync "
                  "token alive."), low=5, high=7 * 24 * 60, group=SYNC),
    SettingDef("ActivitiesSyncPeriodMinutes", _l("Default activities sync period, minutes"), INTEGER, 15,
               _l("Applies to accounts that keep the default."), low=5, high=7 * 24 * 60, group=SYNC),
    SettingDef("SyncConflictPolicy", _l("Conflict policy"), CHOICE, "ask",
               _l("What happens when the same field changed differently on both sides, for accounts that "
                  "keep the default."),
               choices=(("ask", _l("List the conflict for a decision")), ("newest", _l("The newer change wins")),
                        ("crm_wins", _l("The CRM wins")), ("google_wins", _l("Google wins"))), group=SYNC),
    SettingDef("SyncDeletePolicy", _l("Delete policy"), CHOICE, "never",
               _l("Whether a deletion on one side deletes the record on the other, for accounts that keep "
                  "the default. Without it, a deletion takes the record out of the sync on the other side."),
               choices=(("if_unchanged", _l("Propagate only when the other side is unchanged since the last sync")),
                        ("never", _l("Never propagate deletions"))), group=SYNC),
    SettingDef("MassDeleteShare", _l("Mass-delete guard, percent"), INTEGER, 20,
               _l("A run that would delete more than this share of an account's records stops and asks."),
               low=1, high=100, group=SYNC, seed="SYNC_MASS_DELETE_SHARE", seed_convert=lambda v: round(float(v) * 100)),
    SettingDef("MassDeleteMinimum", _l("Mass-delete guard, minimum records"), INTEGER, 10,
               _l("The guard applies only when at least this many records would be deleted."),
               low=1, high=100000, group=SYNC, seed="SYNC_MASS_DELETE_MIN", seed_convert=int),
    SettingDef("FirstSyncPreviewThreshold", _l("First-sync preview threshold"), INTEGER, 50,
               _l("A first sync that would create or match more records than this shows a preview first."),
               low=0, high=1000000, group=SYNC, seed="SYNC_FIRST_SYNC_PREVIEW", seed_convert=int),
)
BY_CODE = {s.code: s for s in SETTINGS}


def definition(code: str) -> SettingDef:
    try:
        return BY_CODE[code]
    except KeyError:
        raise KeyError(f"unknown setting {code!r}") from None


def parse(defn: SettingDef, raw):
    """(typed value, None) or (None, Message) for a value typed by the admin."""
    text = "" if raw is None else str(raw)
    if defn.type != SECRET:
        text = text.strip()
    if text == "":
        return None, Message(ERR_REQUIRED)
    if defn.type == INTEGER:
        try:
            number = int(text)
        except ValueError:
            number = None
        if number is None or not defn.low <= number <= defn.high:
            return None, Message(ERR_INTEGER, {"low": defn.low, "high": defn.high})
        return number, None
    if defn.type == CHOICE and text not in {v for v, _ in defn.choices}:
        return None, Message(ERR_CHOICE)
    if defn.validate:
        error = defn.validate(text)
        if error:
            return None, error if isinstance(error, Message) else Message(error)
    if defn.type == ADDRESS:
        text = normalize_site_address(text)
    return text, None
