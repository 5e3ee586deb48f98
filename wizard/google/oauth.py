"""The one OAuth 2.0 client of the product: every request to Google's authorization server is built here.

- `consent_url()`: the address of Google's consent page (authorization-code flow, PKCE when given a verifier);
- `exchange_code()`: an authorization code for tokens;
- `probe()`: what the token endpoint says of a client, without any user (a dummy code: `invalid_grant` means
  the client ID and secret were accepted, since Google checks the client before the code);
- `account_session()`: a requests session for one linked account that refreshes its access token by itself;
- `userinfo()` and `revoke()`.

Callers hand in the client (`Client`: ID, secret, redirect URI), read from the system settings at request
time (wizard.settings.values.oauth_client), so a changed ID or secret applies at once and this module imports
no settings and no page. Endpoints come from the app configuration (GOOGLE_AUTH_URL, GOOGLE_TOKEN_URL, ...).
"""
from dataclasses import dataclass

import requests
from authlib.integrations.base_client import OAuthError
from authlib.integrations.requests_client import OAuth2Session
from flask import current_app

HTTP_TIMEOUT = 15
# The probe's authorization code: never valid, so Google answers invalid_grant once it accepted the client.
PROBE_CODE = "4/syncwizard-credential-probe"


@dataclass(frozen=True)
class Client:
    """A registered OAuth client (a "Web application" in the Google Cloud console)."""

    client_id: str
    client_secret: str
    redirect_uri: str
    origin: str = ""

    def __repr__(self):  # keeps the secret out of tracebacks and logs
        return f"Client(client_id={self.client_id!r}, redirect_uri={self.redirect_uri!r})"


class TokenRefused(Exception):
    """The token endpoint answered with an error (`error` is Google's code, e.g. invalid_grant)."""

    def __init__(self, error: str):
        super().__init__(error)
        self.error = error


class ReconnectNeeded(Exception):
    """The account has no usable grant; the user must reconnect it (whoever catches this marks the account)."""

    def __init__(self, account_id, reason_code):
        super().__init__(f"account {account_id} needs reconnect: {reason_code}")
        self.account_id = account_id
        self.reason_code = reason_code


def _endpoint(name: str) -> str:
    return current_app.config[f"GOOGLE_{name}_URL"]


def consent_url(client: Client, scopes, state: str, *, code_verifier: str | None = None,
                redirect_uri: str | None = None, **params) -> str:
    """Google's consent page for `scopes`; extra `params` (access_type, prompt, login_hint, ...) are passed on."""
    session = OAuth2Session(client.client_id, scope=" ".join(scopes), redirect_uri=redirect_uri or client.redirect_uri,
                            code_challenge_method="S256" if code_verifier else None)
    extra = {"code_verifier": code_verifier} if code_verifier else {}
    url, _ = session.create_authorization_url(_endpoint("AUTH"), state=state, **extra, **params)
    return url


def token_error(response) -> str:
    """Google's error code from a refused token request (the flat OAuth form, or the APIs' envelope)."""
    try:
        body = response.json()
    except ValueError:
        return f"HTTP {response.status_code}"
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict):  # the API envelope, not the flat OAuth form
        return error.get("status") or f"HTTP {response.status_code}"
    return error or f"HTTP {response.status_code}"


def _token_post(client: Client, **data) -> requests.Response:
    """A token request with the client's credentials in the body (client_secret_post, as Google documents)."""
    data = {"client_id": client.client_id, "client_secret": client.client_secret, **data}
    return requests.post(_endpoint("TOKEN"), data=data, timeout=HTTP_TIMEOUT)


def exchange_code(client: Client, code: str, *, redirect_uri: str | None = None,
                  code_verifier: str | None = None) -> dict:
    """Tokens for an authorization code. Raises TokenRefused, requests.RequestException or ValueError."""
    extra = {"code_verifier": code_verifier} if code_verifier else {}
    response = _token_post(client, grant_type="authorization_code", code=code,
                           redirect_uri=redirect_uri or client.redirect_uri, **extra)
    if response.status_code >= 400:
        raise TokenRefused(token_error(response))
    return response.json()


def probe(client: Client) -> str:
    """What the token endpoint says of the client: "invalid_grant" means ID and secret were accepted.
    Raises requests.RequestException when Google cannot be reached."""
    response = _token_post(client, grant_type="authorization_code", code=PROBE_CODE,
                           redirect_uri=client.redirect_uri)
    return token_error(response) if response.status_code >= 400 else "unexpected_success"


def userinfo(access_token: str) -> requests.Response:
    """The OpenID userinfo answer for a token (who granted it)."""
    return requests.get(_endpoint("USERINFO"), headers={"Authorization": f"Bearer {access_token}"},
                        timeout=HTTP_TIMEOUT)


def revoke(token: str) -> bool:
    """Revoke a grant at Google. True when Google confirmed or the token was already dead."""
    try:
        response = requests.post(_endpoint("REVOKE"), data={"token": token}, timeout=HTTP_TIMEOUT)
    except requests.RequestException:
        return False
    if response.status_code == 200:
        return True
    try:
        return response.json().get("error") == "invalid_token"
    except ValueError:
        return False


class AccountSession(OAuth2Session):
    """Authlib's session bound to one account: refreshes expired tokens itself; a dead grant is reported to
    `on_revoked(account_id, reason)` and raises ReconnectNeeded."""

    def __init__(self, account_id, *args, on_revoked=None, **kwargs):
        self.account_id, self.on_revoked = account_id, on_revoked
        super().__init__(*args, **kwargs)

    def refresh_token(self, url=None, refresh_token=None, **kwargs):
        try:
            return super().refresh_token(url, refresh_token=refresh_token, **kwargs)
        except OAuthError as exc:
            if exc.error == "invalid_grant":
                if self.on_revoked is not None:
                    self.on_revoked(self.account_id, "invalid_grant")
                raise ReconnectNeeded(self.account_id, "invalid_grant") from exc
            raise


def account_session(client: Client, account_id, token: dict, update_token, on_revoked=None) -> AccountSession:
    """A requests session calling Google for one account; `update_token(token)` persists a refreshed token and
    `on_revoked(account_id, reason)` hears of a dead grant."""
    return AccountSession(
        account_id,
        on_revoked=on_revoked,
        client_id=client.client_id,
        client_secret=client.client_secret,
        token=token,
        token_endpoint=_endpoint("TOKEN"),
        token_endpoint_auth_method="client_secret_post",
        update_token=update_token,
    )
