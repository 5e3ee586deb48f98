"""The wizard's domain path: Google's steps for domain-wide delegation, the key and domain saved, and the
verification that acts as a test user and names Google's answer in plain words.

Verification signs an assertion for the test user (wizard.google.workspace.mint) and reads that user's
calendar list and one page of contacts, as a sync would. Google's documented failures become instructions:
- `unauthorized_client`: delegation not granted for this client ID, or granted for other scopes; each scope is
  then asked for alone, so the page lists exactly which ones the Admin console grant lacks;
- `invalid_grant` "Invalid email or User ID": the test user is not a user of the domain;
- `invalid_grant` "Invalid JWT Signature." (the key was deleted in the console) and the service account gone;
- an API not enabled in the service account's project (SERVICE_DISABLED / accessNotConfigured).
A successful verification also resumes the accounts a broken key or delegation had stopped.
"""
from dataclasses import dataclass, field

import requests
from flask import current_app
from flask_babel import lazy_gettext as _l

from wizard.google import workspace
from wizard.messages import Message, define, render
from wizard.models.accounts import restore_delegated
from wizard.settings import values as services
from wizard.setup import google_errors
from wizard.setup.verify import _api_reason

TIMEOUT = 15
SERVICE_ACCOUNTS_PATH = "iam-admin/serviceaccounts"
ADMIN_DELEGATION_PATH = "ac/owl/domainwidedelegation"


def _outcome(code, explanation, fix):
    define(f"setup.domain.{code}", explanation)
    define(f"setup.domain.{code}.fix", fix)


_outcome("ok", _l("Google accepted the delegation: %(address)s's calendar list and contacts were read."),
         _l("Nothing to fix. Users of the domain are connected without any consent screen."))
_outcome("not_configured", _l("The service account key or the domain is missing."),
         _l("Upload the JSON key and enter the domain above, then verify again."))
_outcome(workspace.DELEGATION_MISSING,
         _l("Google refused with “unauthorized_client”: domain-wide delegation is not granted for client ID "
            "%(client_id)s, or it is granted for other scopes."),
         _l("In the Admin console open Security → Access and data control → API controls → “Manage Domain "
            "Wide Delegation”, click “Add new” (or edit the entry of client ID %(client_id)s), paste the client "
            "ID and the scopes shown above, and click “Authorize”. Changes can take a few minutes, sometimes up "
            "to 24 hours, to apply."))
_outcome(workspace.USER_UNKNOWN,
         _l("Google refused with “invalid_grant”: %(address)s is not a user of the Google Workspace domain."),
         _l("Enter the address of an existing user of %(domain)s (not a group or an alias), then verify again."))
_outcome(workspace.KEY_INVALID,
         _l("Google refused the key (%(detail)s): it was deleted or disabled in the Google Cloud console, or "
            "the service account itself was deleted."),
         _l("In the Google Cloud console open IAM & Admin → Service accounts → your service account → “Keys”, "
            "click “Add key” → “Create new key” → “JSON”, and upload the new file above."))
_outcome(workspace.CLOCK,
         _l("Google refused the assertion's times (%(detail)s): this server's clock is off."),
         _l("Set the server's clock right (NTP), then verify again."))
_outcome(workspace.REFUSED, _l("Google refused the assertion: %(detail)s."),
         _l("Check the key and the Admin console's delegation, then verify again."))
_outcome("outside", _l("%(address)s is not an address of the domain %(domain)s."),
         _l("Enter the address of an existing user of %(domain)s (not a group or an alias), then verify again."))
_outcome("unreachable", _l("The server could not reach Google (%(detail)s)."),
         _l("Allow outgoing HTTPS from this server to oauth2.googleapis.com and *.googleapis.com (proxy or "
            "firewall), then verify again."))


@dataclass
class Verification:
    status: str  # "ok", a workspace reason code, an API error code, "not_configured" or "unreachable"
    address: str = ""
    detail: str = ""
    api: str = ""
    missing_scopes: list = field(default_factory=list)

    @property
    def good(self) -> bool:
        return self.status == "ok"

    def texts(self, client_id: str = "", domain: str = "") -> tuple[str, str]:
        """(what happened, what to fix), translated."""
        params = {"address": self.address, "detail": self.detail, "client_id": client_id, "domain": domain,
                  "api": self.api, "redirect_uri": ""}
        if self.status.startswith("domain_") or self.status in ("ok", "not_configured", "outside", "unreachable"):
            return (render(f"setup.domain.{self.status}", **params),
                    render(f"setup.domain.{self.status}.fix", **params))
        return google_errors.explain(self.status, **params)


def scopes_text() -> str:
    """The scopes as the Admin console's “OAuth scopes (comma-delimited)” field wants them."""
    return ",".join(workspace.SCOPES)


def console_link(path: str, admin: bool = False) -> str:
    key = "GOOGLE_ADMIN_CONSOLE_URL" if admin else "GOOGLE_CONSOLE_URL"
    base = current_app.config.get(key) or ("https://admin.google.com/" if admin else
                                            "https://console.cloud.google.com/")
    return base.rstrip("/") + "/" + path


def save(key_upload: bytes | None, domain: str, actor=None) -> dict:
    """Save the key (when a file was given: replace-only) and the domain, both checked before either is
    written. Returns {field: Message} of what was refused (nothing saved then)."""
    errors = {}
    key_text = None
    if key_upload is not None and len(key_upload) > workspace.MAX_KEY_BYTES:
        errors["key_file"] = _key_error("too_large")
    elif key_upload is not None:
        try:
            key_text = key_upload.decode("utf-8-sig")
            services.validate("ServiceAccountKey", key_text)
        except UnicodeDecodeError:
            errors["key_file"] = _key_error("not_json")
        except services.SettingError as exc:
            errors["key_file"] = exc.message
    elif not services.is_set("ServiceAccountKey"):
        errors["key_file"] = _key_error("not_json")
    try:
        services.validate("WorkspaceDomain", domain)
    except services.SettingError as exc:
        errors["domain"] = exc.message
    if errors:
        return errors
    if key_text is not None:
        services.set_setting("ServiceAccountKey", key_text, actor, commit=False)
    services.set_setting("WorkspaceDomain", domain.strip().lower(), actor, commit=False)
    services.set_setting("GoogleConnectionMode", "domain", actor)
    return {}


def _key_error(code):
    return Message(f"settings.service_account_key.{code}")


def verify(address: str) -> Verification:
    """Act as `address` through the delegation and read what a sync reads."""
    grant = services.delegation()
    address = (address or "").strip().lower()
    if grant is None:
        return Verification("not_configured", address)
    if "@" not in address or not grant.covers(address):
        return Verification("outside", address)  # an empty `sub` would act as the service account itself
    try:
        token = workspace.mint(grant, address)["access_token"]
    except workspace.DelegationRefused as refused:
        return _refused(grant, address, refused)
    except requests.RequestException as exc:
        return Verification("unreachable", address, type(exc).__name__)
    try:
        failure = _read_as_user(token)
    except requests.RequestException as exc:
        return Verification("unreachable", address, type(exc).__name__)
    if failure is not None:
        failure.address = address
        return failure
    restore_delegated(workspace.DOMAIN_WIDE)
    return Verification("ok", address)


def _refused(grant, address, refused) -> Verification:
    outcome = Verification(refused.reason, address, f"{refused.error}: {refused.description}".strip(": "))
    if refused.reason == workspace.DELEGATION_MISSING:
        try:
            _, outcome.missing_scopes = workspace.granted_scopes(grant, address)
        except (workspace.DelegationRefused, requests.RequestException):
            outcome.missing_scopes = list(workspace.SCOPES)
    return outcome


def _read_as_user(token) -> Verification | None:
    config = current_app.config
    calls = (
        ("Google Calendar API", config["GOOGLE_CALENDAR_API_URL"].rstrip("/") + "/users/me/calendarList",
         {"maxResults": "1"}),
        ("Google People API", config["GOOGLE_PEOPLE_API_URL"].rstrip("/") + "/v1/people/me/connections",
         {"personFields": "names,emailAddresses", "pageSize": "10"}),
    )
    for api, url, params in calls:
        response = requests.get(url, params=params, timeout=TIMEOUT, headers={"Authorization": f"Bearer {token}"})
        if response.status_code >= 400:
            return Verification(_api_reason(response), detail=api, api=api)
    return None
