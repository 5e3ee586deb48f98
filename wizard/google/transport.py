"""One HTTP call to Google with the house rules: pacing, write lock, retries, one token refresh, domain errors.

`http` is a requests.Session-like object; in production Authlib's `OAuth2Session` from
`wizard.google.tokens.get_oauth_session(account)`, which signs requests and refreshes expired tokens itself
(persisting them through its `update_token` hook). A 401 on a token that looked valid (revoked early, clock
skew) forces one refresh and one more try; a dead refresh token surfaces as `AuthRevoked`.
"""
from __future__ import annotations

from contextlib import nullcontext
from dataclasses import dataclass

import orjson
import requests

from .errors import AuthRevoked, GoogleError, Transient, Unauthenticated, error_from_response, oauth_error
from .pacing import Pacer, unpaced

try:  # Authlib raises its own error class for token-endpoint failures during an automatic refresh
    from authlib.integrations.base_client.errors import OAuthError
except ImportError:  # pragma: no cover
    OAuthError = None

DEFAULT_TIMEOUT = 60


@dataclass
class RawResponse:
    status: int
    headers: dict
    content: bytes


class Transport:
    """Sends requests for one account and API; counts them (`calls`, `units`) for run records."""

    def __init__(self, http, pacer: Pacer | None = None, timeout: float = DEFAULT_TIMEOUT):
        self.http = http
        self.pacer = pacer or unpaced()
        self.timeout = timeout
        self.calls = 0  # HTTP requests sent (a batch is one)
        self.units = 0  # quota units spent (a batch counts its inner calls)
        self.owns_session = False  # a detached transport's own session (`detached`), closed with it

    def call(self, method: str, url: str, *, params=None, json=None, data=None, headers=None,
             write: bool | None = None, cost: int = 1, raw: bool = False, idempotent: bool = True):
        """Send and return the decoded JSON body (None when empty), or a `RawResponse` when `raw`.

        Retryable failures (429, 403 rate limits, 5xx, network) are retried with backoff under the pacer's
        policy; every other failure raises its domain error at once. A call that is not `idempotent` (a create
        without a client-chosen id) is not sent again after a network failure that may have come after Google
        received it (read timeout, connection lost while waiting): repeating it could duplicate. It raises
        `Transient` with `ambiguous=True`, and the engine finds what was created by its back-reference.
        """
        method = method.upper()
        write = method != "GET" if write is None else write
        with self.pacer.writing() if write else nullcontext():
            attempt = 0
            refreshed = False
            while True:
                response, failure = self._attempt(method, url, params, json, data, headers, cost)
                if response is not None:
                    if response.status_code < 400:
                        return _decoded(response, raw)
                    failure = error_from_response(response.status_code, response.content, response.headers, method)
                    if isinstance(failure, Unauthenticated) and not refreshed and self.refresh():
                        refreshed = True
                        continue
                if not idempotent and getattr(failure, "ambiguous", False):
                    raise failure
                if not self.pacer.retry_after_failure(attempt, failure):
                    raise failure
                attempt += 1

    def _attempt(self, method, url, params, json, data, headers, cost):
        """One try within the budget: (response, None) or (None, domain error of a failed exchange)."""
        ticket = self.pacer.reserve(cost)
        self.units += cost
        try:
            return self._send(method, url, params, json, data, headers), None
        except GoogleError as error:
            return None, error
        finally:
            self.pacer.settle(ticket)

    def _send(self, method, url, params, json, data, headers):
        self.calls += 1
        try:
            return self.http.request(method, url, params=params, json=json, data=data, headers=headers,
                                     timeout=self.timeout)
        except requests.RequestException as error:
            failure = Transient(f"{type(error).__name__}: {error}"[:300])
            failure.ambiguous = not _never_sent(error)
            raise failure from error
        except Exception as error:
            raise _from_oauth(error) from error

    def active_token(self) -> str | None:
        """The access token, refreshed first when it is (nearly) expired; None when `http` does not manage
        tokens (a plain session). For a call sent from another thread: the refresh, which persists the token
        through the owner's database session, happens here, on the owner's thread."""
        fresh = getattr(self.http, "fresh_access_token", None)
        if fresh is not None:  # a delegated session: its token cache decrypts with the app's keys, and a refusal
            return fresh()     # flags accounts in the database, both only possible on the owner's thread
        if not hasattr(self.http, "ensure_active_token") or not getattr(self.http, "token", None):
            return None
        try:
            self.http.ensure_active_token(self.http.token)
        except requests.RequestException as error:
            raise Transient(f"token refresh: {error}"[:300]) from error
        except Exception as error:
            raise _from_oauth(error) from error
        return self.http.token.get("access_token")

    def detached(self, access_token: str | None, pacer=None) -> "Transport":
        """A transport for one call sent from a worker thread while this one's owner does local work: its own
        requests session carrying `access_token` (never refreshing: a 401 comes back as `Unauthenticated`, and
        the owner refreshes and sends again), the same pacer (the account's budget and write lock) unless
        `pacer` is given (a `CoveredPacer`: the owner holds the write lock for it)."""
        pacer = pacer or self.pacer
        if access_token is None:
            return Transport(self.http, pacer, self.timeout)  # a plain session: nothing to refresh
        detached = Transport(requests.Session(), pacer, self.timeout)
        detached.owns_session = True
        detached.authorize(access_token)
        return detached

    def authorize(self, access_token: str | None) -> None:
        """A detached transport's token, renewed by its owner before each call (the connection is kept)."""
        if access_token is not None:
            self.http.headers["Authorization"] = f"Bearer {access_token}"

    def close(self) -> None:
        """Close a detached transport's own session (a shared one is its owner's to close)."""
        if self.owns_session:
            self.http.close()

    def refresh(self) -> bool:
        """Force one token refresh (Authlib session with a refresh token, or a delegated session minting a new
        token); False when not possible."""
        renew = getattr(self.http, "renew", None)
        if renew is not None:
            try:
                renew()
            except requests.RequestException as error:
                raise Transient(f"token mint: {error}"[:300]) from error
            except Exception as error:
                raise _from_oauth(error) from error
            return True
        token = getattr(self.http, "token", None) or {}
        endpoint = (getattr(self.http, "metadata", None) or {}).get("token_endpoint")
        if not (hasattr(self.http, "refresh_token") and token.get("refresh_token") and endpoint):
            return False
        try:
            self.http.refresh_token(endpoint, refresh_token=token["refresh_token"])
        except requests.RequestException as error:
            raise Transient(f"token refresh: {error}"[:300]) from error
        except Exception as error:
            raise _from_oauth(error) from error
        return True


def _never_sent(error: requests.RequestException) -> bool:
    """True when the request surely never reached Google (no connection was made)."""
    if isinstance(error, requests.ConnectTimeout):
        return True
    if isinstance(error, requests.ConnectionError) and not isinstance(error, requests.ReadTimeout):
        text = str(error)
        return "NewConnectionError" in text or "Connection refused" in text or "NameResolutionError" in text
    return False


def _from_oauth(error: Exception) -> Exception:
    """Token-refresh failures as domain errors: Authlib's OAuthError, or the accounts area's
    ReconnectNeeded (a dead grant; the engine marks the account "needs reconnect"), which carries `reason_code`."""
    if OAuthError is not None and isinstance(error, OAuthError):
        return oauth_error(error.error or "", error.description or "")
    reason = getattr(error, "reason_code", None)
    if reason:
        return AuthRevoked(str(error), reason=reason)
    return error


def _decoded(response, raw: bool):
    if raw:
        return RawResponse(response.status_code, dict(response.headers), response.content)
    if not response.content or response.status_code == 204:
        return None
    try:
        return orjson.loads(response.content)  # Google's answers are UTF-8 JSON; orjson is several times faster
    except ValueError as error:
        raise Transient(f"HTTP {response.status_code} answer is not JSON", status=response.status_code) from error
