"""Linking a Google account: the authorization-code flow as the user lives it, one request at a time.

The requests themselves are wizard.google.oauth's; this module adds the pending authorization kept server-side
(link_state), the scopes' bookkeeping and the user-facing errors. The client is read per request from the
system settings, so a changed Client ID or secret applies at once. Nothing is written to the database here:
the flow either yields a token and the Google identity, or raises LinkError with a message code;
services.link_account() does the saving.
"""
import secrets

import requests
from flask_babel import lazy_gettext as _l

from wizard.accounts import link_state as oauth_state
from wizard.google import oauth
from wizard.google import scopes as scope_sets
from wizard.messages import define, render
from wizard.settings.values import oauth_client

define("accounts.link.not_configured", _l(
    "Google sync is not set up yet: the administrator has not saved the Google client ID and secret. "
    "Please ask your administrator."))
define("accounts.link.bad_state", _l(
    "This sign-in link has expired or was already used. Nothing was changed; please start again."))
define("accounts.link.cancelled", _l("You cancelled access at Google. No account was linked."))
define("accounts.link.google_error", _l(
    "Google refused the request (%(error)s). No account was linked; please try again or tell your administrator."))
define("accounts.link.bad_response", _l("Google's answer was incomplete. No account was linked; please try again."))
define("accounts.link.token_error", _l(
    "Google did not accept the sign-in (%(error)s). No account was linked; please try again."))
define("accounts.link.unreachable", _l("Google could not be reached. No account was linked; please try again later."))
define("accounts.link.no_refresh_token", _l(
    "Google did not grant offline access, so the account could not be linked. Please try again."))


class LinkError(Exception):
    def __init__(self, code, **params):
        super().__init__(code)
        self.code = code
        self.params = params

    @property
    def message(self):
        return render(self.code, **self.params)


def authorization_url(user_id, scopes, *, account_id=None, prompt_consent=False, login_hint=None) -> str:
    """The URL of Google's consent page; the pending authorization is remembered server-side."""
    client = oauth_client()
    if client is None:
        raise LinkError("accounts.link.not_configured")
    verifier = secrets.token_urlsafe(64)  # 86 chars, within PKCE's 43..128
    state = oauth_state.remember(user_id, verifier, client.redirect_uri, scopes,
                                 account_id=account_id, prompted_consent=prompt_consent)
    params = {"access_type": "offline", "include_granted_scopes": "true"}
    if prompt_consent:
        params["prompt"] = "consent"
    if login_hint:
        params["login_hint"] = login_hint
    return oauth.consent_url(client, scopes, state, code_verifier=verifier, **params)


def receive(user_id, args):
    """Validate the callback's query and exchange the code. Returns (pending, token, identity)."""
    pending = oauth_state.take(args.get("state"), user_id)
    if pending is None:
        raise LinkError("accounts.link.bad_state")
    error = args.get("error")
    if error == "access_denied":
        raise LinkError("accounts.link.cancelled")
    if error:
        raise LinkError("accounts.link.google_error", error=error[:100])
    code = args.get("code")
    if not code:
        raise LinkError("accounts.link.bad_response")
    client = oauth_client()
    if client is None:
        raise LinkError("accounts.link.not_configured")
    token = exchange_code(client, pending, code)
    identity = fetch_identity(token["access_token"])
    return pending, token, identity


def exchange_code(client, pending, code) -> dict:
    try:
        token = oauth.exchange_code(client, code, redirect_uri=pending.redirect_uri,
                                    code_verifier=pending.code_verifier)
    except oauth.TokenRefused as exc:
        raise LinkError("accounts.link.token_error", error=str(exc.error)[:100]) from exc
    except (requests.RequestException, ValueError) as exc:
        raise LinkError("accounts.link.unreachable") from exc
    if not isinstance(token, dict) or not token.get("access_token"):
        raise LinkError("accounts.link.bad_response")
    token = dict(token)
    # Google omits `scope` only when it equals the request; fall back to what we asked for.
    token["scope"] = " ".join(sorted(scope_sets.normalise(token.get("scope") or pending.scopes)))
    return token


def fetch_identity(access_token) -> dict:
    """The Google account behind the token: OpenID userinfo (sub, email, name)."""
    try:
        response = oauth.userinfo(access_token)
    except requests.RequestException as exc:
        raise LinkError("accounts.link.unreachable") from exc
    if response.status_code != 200:
        raise LinkError("accounts.link.bad_response")
    try:
        info = response.json()
    except ValueError as exc:
        raise LinkError("accounts.link.bad_response") from exc
    if not info.get("sub"):
        raise LinkError("accounts.link.bad_response")
    return {"sub": str(info["sub"]), "email": info.get("email") or "", "name": info.get("name") or ""}


revoke = oauth.revoke  # unlinking revokes the grant at Google
