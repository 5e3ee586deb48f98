"""Domain errors of the Google edge: every HTTP or OAuth failure becomes one of these, never a raw response.

Each error carries a message code (translated only when shown, see `wizard.messages`) with its parameters,
and says whether it may be retried at once with backoff (`retryable`). The engine decides by class:

- `AuthRevoked`, `ClientRejected`: the account (or the install's OAuth client) needs a human; stop, no retry.
- `Unauthenticated`: the access token was refused; the transport refreshes once, then gives up.
- `ScopeMissing`, `ServiceDisabled`, `PermissionDenied`: configuration problems; no retry.
- `SyncTokenExpired`: People 400 `EXPIRED_SYNC_TOKEN` or Calendar 410 `fullSyncRequired`: drop the cursor
  and list in full (reconciled against the pairs; no deletions inferred).
- `StaleEtag`: People 400 `FAILED_PRECONDITION` on the etag or Calendar 412 `conditionNotMet`: refetch, merge,
  retry once.
- `NotFound` (404), `AlreadyExists` (409, Calendar `duplicate`), `Gone` (410 `deleted`).
- `RateLimited` (429, 403 `rateLimitExceeded`/`userRateLimitExceeded`): retry after `retry_after` or backoff.
- `QuotaExceeded` (403 `quotaExceeded`, daily limits): no hot retry; the run stops and is tried later.
- `Transient` (5xx, network errors, timeouts): retry with backoff.
- `InvalidRequest` (other 4xx): a bug or bad data for that one item; no retry.
"""
from __future__ import annotations

import email.utils
import json
import time
from typing import Any, Mapping

from flask_babel import lazy_gettext as _l

from wizard.messages import Message, define


class GoogleError(Exception):
    """Base of every Google-edge failure; `code` is a message code, `params` its parameters."""

    code = define("google.error", _l("Google answered with an error (%(status)s): %(detail)s"))
    retryable = False

    def __init__(self, detail: str = "", *, status: int | None = None, reason: str | None = None,
                 retry_after: float | None = None, params: Mapping[str, Any] | None = None):
        super().__init__(detail or self.__class__.__name__)
        self.detail = detail
        self.status = status
        self.reason = reason
        self.retry_after = retry_after
        self.params = {"status": status, "reason": reason, "detail": detail, **(params or {})}

    @property
    def message(self) -> Message:
        return Message(self.code, dict(self.params))

    def __repr__(self) -> str:
        return f"{self.__class__.__name__}(status={self.status!r}, reason={self.reason!r}, detail={self.detail!r})"


class AuthRevoked(GoogleError):
    """The refresh token is dead (`invalid_grant`): the account needs reconnecting; nothing retries."""

    code = define("google.auth_revoked", _l(
        "Google no longer accepts this account's authorization (it was revoked or has expired). "
        "Reconnect the account."))


class ClientRejected(GoogleError):
    """The install's OAuth client was refused (`invalid_client`, `deleted_client`, ...): the admin must fix it."""

    code = define("google.client_rejected", _l(
        "Google refused the application's OAuth client (%(reason)s). The administrator must check the "
        "Client ID and Client Secret in the settings."))


class Unauthenticated(GoogleError):
    """401: the access token was refused (expired early or revoked)."""

    code = define("google.unauthenticated", _l("Google refused the access token; signing in again failed."))


TokenExpired = Unauthenticated


class ScopeMissing(GoogleError):
    """403 ACCESS_TOKEN_SCOPE_INSUFFICIENT: the user did not grant a scope we need."""

    code = define("google.scope_missing", _l(
        "The account did not grant the access the sync needs. Reconnect it and tick every permission."))


class ServiceDisabled(GoogleError):
    """403 SERVICE_DISABLED / accessNotConfigured: the API is not enabled in the Google Cloud project."""

    code = define("google.service_disabled", _l(
        "The Google API is not enabled in the Google Cloud project. The administrator must enable it "
        "(APIs & Services, Library) and wait a few minutes."))


class PermissionDenied(GoogleError):
    """403 for any other reason (e.g. no write access to the calendar)."""

    code = define("google.permission_denied", _l("Google denied access: %(detail)s"))


class SyncTokenExpired(GoogleError):
    """The incremental cursor is no longer valid: list everything again (People 400, Calendar 410)."""

    code = define("google.sync_token_expired", _l(
        "Google's change cursor expired; everything was listed again and reconciled."))


class StaleEtag(GoogleError):
    """The item changed in Google since we read it (People 400 FAILED_PRECONDITION, Calendar 412)."""

    code = define("google.stale_etag", _l("The item changed in Google meanwhile; it was read again and merged."))

    def __init__(self, detail: str = "", *, current: dict | None = None, **kw):
        super().__init__(detail, **kw)
        self.current = current  # the item as Google holds it now, when the adapter already read it


class NotFound(GoogleError):
    code = define("google.not_found", _l("The item no longer exists in Google."))


class AlreadyExists(GoogleError):
    """409: a group name or a client-chosen event id is already taken."""

    code = define("google.already_exists", _l("The item already exists in Google."))


Duplicate = AlreadyExists


class Gone(GoogleError):
    """410 `deleted`: the item was already deleted (a delete answered so is a success)."""

    code = define("google.gone", _l("The item was already deleted in Google."))


class RateLimited(GoogleError):
    """429 or 403 rateLimitExceeded: slow down; retried after `retry_after` seconds or with backoff."""

    code = define("google.rate_limited", _l("Google asked to slow down; the sync waited and retried."))
    retryable = True


class QuotaExceeded(GoogleError):
    """403 quotaExceeded / daily limits: no hot retry; the run stops and the next scheduled run resumes."""

    code = define("google.quota_exceeded", _l(
        "Google's usage quota for this account or project is exhausted; the sync will resume later."))


class Transient(GoogleError):
    """5xx, a network failure or a timeout: retried with backoff.

    `ambiguous` is set for network failures after the request may have reached Google (read timeout,
    connection lost while waiting): a create may have happened.
    """

    code = define("google.transient", _l("Google did not answer properly (%(detail)s); the sync will retry."))
    retryable = True
    ambiguous = False


class InvalidRequest(GoogleError):
    """Any other 4xx: the request (or the data for one item) was refused as invalid."""

    code = define("google.invalid_request", _l("Google refused the data: %(detail)s"))


# --- classification ------------------------------------------------------------------------------------

_RATE_REASONS = {"ratelimitexceeded", "userratelimitexceeded", "rate_limit_exceeded", "concurrentlimitexceeded"}
_QUOTA_REASONS = {"quotaexceeded", "dailylimitexceeded", "dailylimitexceededunreg", "userquotaexceeded"}
_SCOPE_REASONS = {"access_token_scope_insufficient", "insufficientpermissions", "insufficient_scope"}
_DISABLED_REASONS = {"service_disabled", "accessnotconfigured", "api_key_service_blocked"}
_CLIENT_ERRORS = {"invalid_client", "deleted_client", "unauthorized_client", "disabled_client", "org_internal"}


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date); None when absent/bad."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when is None:
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


def _reasons(error: Mapping[str, Any]) -> list[str]:
    """Reasons from both envelopes: Calendar's `errors[].reason` and ErrorInfo `details[].reason`."""
    found = [str(e.get("reason")) for e in error.get("errors") or [] if isinstance(e, Mapping) and e.get("reason")]
    found += [str(d.get("reason")) for d in error.get("details") or [] if isinstance(d, Mapping) and d.get("reason")]
    return found


def oauth_error(error: str | Mapping, description: str = "", status: int | None = None) -> GoogleError:
    """A token-endpoint error (flat `{"error", "error_description"}`) as a domain error.

    An overloaded front end may answer with the APIs' envelope instead (`{"error": {"code": 429, "message",
    "status"}}`): its code decides, so a refused refresh is retried later rather than crashing the run."""
    if isinstance(error, Mapping):
        code = error.get("code")
        status = status or (code if isinstance(code, int) else None)
        description = description or str(error.get("message") or "")
        error = str(error.get("status") or "").lower()
        if status == 429:
            return RateLimited(description or error, status=status, reason=error)
    if error == "invalid_grant":
        return AuthRevoked(description or error, status=status, reason=error)
    if error in _CLIENT_ERRORS:
        return ClientRejected(description or error, status=status, reason=error)
    if status is not None and status >= 500:
        return Transient(description or error, status=status, reason=error)
    return Unauthenticated(description or error, status=status, reason=error)


def error_from_response(status: int, body: Any, headers: Mapping[str, str] | None = None,
                        method: str | None = None) -> GoogleError:
    """Classify an HTTP error answer (status, decoded JSON body or text, headers) into a domain error.

    `method` disambiguates a bare 410: on DELETE it means "already deleted", on a listing "sync again".
    """
    headers = headers or {}
    if isinstance(body, (str, bytes)):
        try:
            body = json.loads(body or "null")
        except ValueError:
            body = {"error": {"message": body.decode("utf-8", "replace") if isinstance(body, bytes) else body}}
    body = body if isinstance(body, Mapping) else {}
    raw = body.get("error")
    if isinstance(raw, str):  # the token endpoint's flat form
        return oauth_error(raw, body.get("error_description") or "", status)
    error = raw if isinstance(raw, Mapping) else {}
    detail = str(error.get("message") or "")[:500]
    canonical = str(error.get("status") or "")
    reasons = _reasons(error)
    folded = {r.lower() for r in reasons}
    reason = reasons[0] if reasons else (canonical or None)
    retry_after = parse_retry_after(_header(headers, "Retry-After"))
    kw = {"status": status, "reason": reason, "retry_after": retry_after}

    if folded & _QUOTA_REASONS:
        return QuotaExceeded(detail, **kw)
    if status == 429 or folded & _RATE_REASONS:
        return RateLimited(detail, **kw)
    if status == 401:
        return Unauthenticated(detail, **kw)
    if status == 403:
        if folded & _SCOPE_REASONS:
            return ScopeMissing(detail, **kw)
        if folded & _DISABLED_REASONS:
            return ServiceDisabled(detail, **kw)
        return PermissionDenied(detail, **kw)
    if status == 400:
        if "expired_sync_token" in folded:
            return SyncTokenExpired(detail, **kw)
        if canonical == "FAILED_PRECONDITION" and "etag" in detail.lower():
            return StaleEtag(detail, **kw)
        if "invalidsynctoken" in folded or "fullsyncrequired" in folded:
            return SyncTokenExpired(detail, **kw)
        return InvalidRequest(detail, **kw)
    if status == 404:
        return NotFound(detail, **kw)
    if status == 409:
        return AlreadyExists(detail, **kw)
    if status == 410:
        if "deleted" in folded or (method or "").upper() == "DELETE":
            return Gone(detail, **kw)
        return SyncTokenExpired(detail, **kw)
    if status == 412:
        return StaleEtag(detail, **kw)
    if status in (408, 425) or status >= 500:
        return Transient(detail or f"HTTP {status}", **kw)
    if 400 <= status < 500:
        return InvalidRequest(detail, **kw)
    return GoogleError(detail or f"HTTP {status}", **kw)


def _header(headers: Mapping[str, str], name: str) -> str | None:
    getter = getattr(headers, "get", None)
    value = getter(name) if getter else None
    if value is None and isinstance(headers, Mapping):
        lowered = {str(k).lower(): v for k, v in headers.items()}
        value = lowered.get(name.lower())
    return value
