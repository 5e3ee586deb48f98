"""Step 5: prove the credentials work.

The probe needs no user: it exchanges a dummy authorization code at the token endpoint. Google checks the
client before the code, so `invalid_client` means a wrong ID or secret and `invalid_grant` means the pair was
accepted. The round trip sends the administrator through Google's consent page with the configured client,
which proves the redirect URI is registered, then calls People and Calendar once (are the APIs enabled?) and
revokes the token: the wizard keeps nothing of the administrator's account.
"""
import logging
import secrets
from dataclasses import dataclass

import requests
from flask import abort, current_app, redirect, url_for
from flask_login import current_user

from wizard.extensions import db
from wizard.google import oauth
from wizard.models.settings import utcnow
from wizard.settings import values as services
from wizard.setup import progress as wizard_state

log = logging.getLogger(__name__)

TIMEOUT = 15
ROUNDTRIP_STATE_PREFIX = "setup-"  # tells the shared OAuth callback that a state is the wizard's
ROUNDTRIP_SCOPES = (
    "openid", "email",
    "https://www.googleapis.com/auth/contacts",
    "https://www.googleapis.com/auth/calendar.events",
    "https://www.googleapis.com/auth/calendar.calendarlist.readonly",
)


@dataclass(frozen=True)
class Outcome:
    status: str  # accepted | ok | a Google error code | unreachable | unexpected | not_configured
    detail: str = ""
    api: str = ""

    @property
    def good(self) -> bool:
        return self.status in ("accepted", "ok")


def probe(client=None, record: bool = True) -> Outcome:
    """Exchange a dummy code with the configured client; return (and record in the wizard) what Google said."""
    client = client or services.google_client_config()
    if client is None:
        return Outcome("not_configured")
    try:
        error = oauth.probe(client)
    except requests.RequestException as exc:
        outcome = Outcome("unreachable", type(exc).__name__)
    else:
        outcome = Outcome("accepted") if error == "invalid_grant" else Outcome(error, error)
    if not record:
        return outcome
    state = wizard_state.load()
    state.probe_status, state.probe_at = outcome.status, utcnow()
    db.session.commit()
    return outcome


# --- the round trip ---------------------------------------------------------------------------------------

def start_roundtrip() -> str | None:
    """The Google authorization URL for the administrator's round trip (None when not configured)."""
    client = services.google_client_config()
    if client is None:
        return None
    token = ROUNDTRIP_STATE_PREFIX + secrets.token_urlsafe(24)
    state = wizard_state.load()
    state.roundtrip_state, state.roundtrip_status, state.roundtrip_detail = token, "started", None
    db.session.commit()
    return oauth.consent_url(client, ROUNDTRIP_SCOPES, token, prompt="consent select_account",
                             include_granted_scopes="true")


def finish_roundtrip(args) -> Outcome:
    """Complete the round trip from the callback's query arguments; record and return the outcome.
    A state that is not the one saved (replayed, forged, or from an older attempt) is refused."""
    state = wizard_state.load()
    expected = state.roundtrip_state
    given = args.get("state", "")
    if not expected or not secrets.compare_digest(expected.encode(), given.encode()):
        return Outcome("state_mismatch")
    state.roundtrip_state = None  # single use
    if args.get("error"):
        outcome = Outcome(args.get("error"), args.get("error_description", ""))
    else:
        outcome = _exchange_and_call(args.get("code", ""))
    state.roundtrip_status = outcome.status
    state.roundtrip_detail = (outcome.detail or outcome.api or "")[:500]
    state.roundtrip_at = utcnow()
    db.session.commit()
    return outcome


def _exchange_and_call(code: str) -> Outcome:
    client = services.google_client_config()
    if client is None:
        return Outcome("not_configured")
    try:
        access_token = oauth.exchange_code(client, code).get("access_token", "")
        try:
            email = _email(access_token)
            failure = _call_apis(access_token)
        finally:
            oauth.revoke(access_token)
    except oauth.TokenRefused as exc:
        return Outcome(exc.error, exc.error)
    except requests.RequestException as exc:
        return Outcome("unreachable", type(exc).__name__)
    return failure or Outcome("ok", email)


def _email(access_token) -> str:
    response = oauth.userinfo(access_token)
    return response.json().get("email", "") if response.ok else ""


def _call_apis(access_token) -> Outcome | None:
    config = current_app.config
    calls = (
        ("Google People API", config["GOOGLE_PEOPLE_API_URL"].rstrip("/") + "/v1/people/me",
         {"personFields": "names,emailAddresses"}),
        ("Google Calendar API", config["GOOGLE_CALENDAR_API_URL"].rstrip("/") + "/users/me/calendarList",
         {"maxResults": "1"}),
    )
    for api, url, params in calls:
        response = requests.get(url, params=params, timeout=TIMEOUT,
                                headers={"Authorization": f"Bearer {access_token}"})
        if response.status_code >= 400:
            return Outcome(_api_reason(response), api, api)
    return None


def _api_reason(response) -> str:
    """ErrorInfo reason (People style) or errors[].reason (Calendar style), else the canonical status."""
    try:
        error = response.json().get("error", {})
    except ValueError:
        return f"HTTP {response.status_code}"
    for detail in error.get("details", []) or []:
        if isinstance(detail, dict) and detail.get("reason"):
            return detail["reason"]
    for item in error.get("errors", []) or []:
        if isinstance(item, dict) and item.get("reason"):
            return item["reason"]
    return error.get("status") or f"HTTP {response.status_code}"


# --- the round trip comes back through the shared OAuth callback ------------------------------------------

def is_admin_roundtrip(args) -> bool:
    """True when the callback's `state` belongs to the setup wizard (the OAuth callback then calls
    handle_admin_roundtrip instead of linking an account)."""
    return str(args.get("state", "")).startswith(ROUNDTRIP_STATE_PREFIX)


def handle_admin_roundtrip(args):
    """Finish the wizard's round trip from the callback's query arguments; a response to the verify step."""
    if not getattr(current_user, "is_admin", False):
        abort(403)
    finish_roundtrip(args)
    return redirect(url_for("setup.step", key="verify", _anchor="roundtrip"))
