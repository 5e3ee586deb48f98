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
from urllib.parse import urlencode

import requests
from flask import current_app

from wizard.extensions import db
from wizard.models.settings import utcnow
from wizard.settings import values as services
from wizard.setup import progress as wizard_state

log = logging.getLogger(__name__)

PROBE_CODE = "4/syncwizard-credential-probe"
TIMEOUT = 15
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


def _token_error(response) -> str:
    try:
        body = response.json()
    except ValueError:
        return f"HTTP {response.status_code}"
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict):  # the API envelope, not the flat OAuth form
        return error.get("status") or f"HTTP {response.status_code}"
    return error or f"HTTP {response.status_code}"


def probe(client=None, record: bool = True) -> Outcome:
    """Exchange a dummy code with the configured client; return (and record in the wizard) what Google said."""
    client = client or services.google_client_config()
    if client is None:
        return Outcome("not_configured")
    data = {"grant_type": "authorization_code", "code": PROBE_CODE, "client_id": client.client_id,
            "client_secret": client.client_secret, "redirect_uri": client.redirect_uri}
    try:
        response = requests.post(current_app.config["GOOGLE_TOKEN_URL"], data=data, timeout=TIMEOUT)
    except requests.RequestException as exc:
        outcome = Outcome("unreachable", type(exc).__name__)
    else:
        error = _token_error(response) if response.status_code >= 400 else "unexpected_success"
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
    token = services.ROUNDTRIP_STATE_PREFIX + secrets.token_urlsafe(24)
    state = wizard_state.load()
    state.roundtrip_state, state.roundtrip_status, state.roundtrip_detail = token, "started", None
    db.session.commit()
    query = {"client_id": client.client_id, "redirect_uri": client.redirect_uri, "response_type": "code",
             "scope": " ".join(ROUNDTRIP_SCOPES), "state": token, "prompt": "consent select_account",
             "include_granted_scopes": "true"}
    return current_app.config["GOOGLE_AUTH_URL"] + "?" + urlencode(query)


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
    config = current_app.config
    try:
        response = requests.post(config["GOOGLE_TOKEN_URL"], timeout=TIMEOUT, data={
            "grant_type": "authorization_code", "code": code, "client_id": client.client_id,
            "client_secret": client.client_secret, "redirect_uri": client.redirect_uri})
        if response.status_code >= 400:
            error = _token_error(response)
            return Outcome(error, error)
        access_token = response.json().get("access_token", "")
        try:
            email = _email(access_token)
            failure = _call_apis(access_token)
        finally:
            requests.post(config["GOOGLE_REVOKE_URL"], data={"token": access_token}, timeout=TIMEOUT)
    except requests.RequestException as exc:
        return Outcome("unreachable", type(exc).__name__)
    return failure or Outcome("ok", email)


def _email(access_token) -> str:
    response = requests.get(current_app.config["GOOGLE_USERINFO_URL"], timeout=TIMEOUT,
                            headers={"Authorization": f"Bearer {access_token}"})
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
