"""Domain-wide delegation: a Google Workspace service account acting as the users of its domain.

Google's protocol (OAuth 2.0 JWT bearer grant, RFC 7523, as Google documents it for service accounts): the
product signs an assertion with the service account's private key (RS256; header `kid` = the key's id; claims
`iss` the service account's e-mail, `sub` the user's address, `scope` space-separated, `aud` the token
endpoint, `iat`/`exp` at most an hour apart) and posts it as
`grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer`. Google answers an access token for about an hour and
never a refresh token: a new one is minted when it runs out.

This module owns:
- `parse_key()`: Google's JSON key file, checked (a readable RSA private key, the fields Google writes);
- `Delegation`: the key plus the domain, handed in by the settings layer like the OAuth client;
- `mint()`: one token request; Google's refusals become `DelegationRefused`, classified by `reach` into what
  stops one user (an address the domain does not know) and what stops the whole domain (key deleted,
  delegation not granted or its scopes differ, the service account gone);
- `granted_scopes()`: which of the product's scopes the Admin console grant covers (one request per scope,
  since Google's `unauthorized_client` never says which scope is missing);
- `TokenCache`: access tokens per service-account key, user and scopes, in Redis, encrypted, until shortly
  before they expire, so every worker shares one token per user instead of minting one per run;
- `DelegatedSession`: a requests session for one delegated account that signs each request with a cached or
  freshly minted token; a refusal is reported through `on_refused(account_id, reason)` and raises
  ReconnectNeeded, which the engine turns into "needs reconnect" with no retry.

Signing uses `cryptography` (already a dependency) rather than google-auth's service_account.Credentials:
Credentials refresh through their own transport and cache the token in the one object, where the product
needs one token shared by every worker through Redis and Google's refusal classified per account.
"""
from __future__ import annotations

import base64
import hashlib
import json
import time
from dataclasses import dataclass

import requests
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from flask import current_app

from wizard import crypto
from wizard.google import scopes as scope_sets
from wizard.google.errors import Transient
from wizard.google.oauth import HTTP_TIMEOUT, ReconnectNeeded, token_error

GRANT_TYPE = "urn:ietf:params:oauth:grant-type:jwt-bearer"
# What a delegated account asks for: the product's scopes without the identity ones (nobody signs in).
SCOPES = tuple(f.scope for f in scope_sets.FEATURES)
ASSERTION_LIFETIME = 3600  # Google refuses assertions valid for more than an hour
# A cached token is dropped this long before Google's expiry, so no request goes out with a token that dies
# on the way.
EXPIRY_MARGIN = 300
MAX_KEY_BYTES = 16 * 1024  # Google's key files are about 2.3 KB

# Reason codes (an account's reason_code, the wizard's verification outcome).
USER_UNKNOWN = "domain_user_unknown"
KEY_INVALID = "domain_key_invalid"
DELEGATION_MISSING = "domain_delegation_missing"
CLOCK = "domain_clock"
REFUSED = "domain_refused"
DOMAIN_WIDE = (KEY_INVALID, DELEGATION_MISSING, CLOCK, REFUSED)
ALL_REASONS = (USER_UNKNOWN,) + DOMAIN_WIDE


class KeyFileError(ValueError):
    """The upload is not a service account's JSON key; `code` names what is wrong (a message code's tail)."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class ServiceAccountKey:
    """The parts of Google's JSON key file the product uses."""

    client_email: str
    client_id: str
    private_key_id: str
    private_key: str
    project_id: str = ""

    def __repr__(self):  # keeps the private key out of tracebacks and logs
        return f"ServiceAccountKey(client_email={self.client_email!r}, private_key_id={self.private_key_id!r})"


@dataclass(frozen=True)
class Delegation:
    """What the settings hand to the Google layer in domain mode: the key and the Workspace domain."""

    key: ServiceAccountKey
    domain: str

    @property
    def client_id(self) -> str:
        """The pacing budget's key (wizard.google.session.project_key): the service account's numeric ID."""
        return self.key.client_id

    def covers(self, address: str) -> bool:
        return address.lower().rsplit("@", 1)[-1] == self.domain.lower()


def parse_key(raw) -> ServiceAccountKey:
    """Google's JSON key file (bytes or text) checked field by field. Raises KeyFileError."""
    if isinstance(raw, bytes):
        if len(raw) > MAX_KEY_BYTES:
            raise KeyFileError("too_large")
        try:
            raw = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise KeyFileError("not_json") from None
    try:
        data = json.loads(raw)
    except ValueError:
        raise KeyFileError("not_json") from None
    if not isinstance(data, dict):
        raise KeyFileError("not_json")
    if "web" in data or "installed" in data:
        raise KeyFileError("oauth_client_file")
    if data.get("type") != "service_account":
        raise KeyFileError("not_service_account")
    fields = {name: data.get(name) for name in ("client_email", "client_id", "private_key_id", "private_key")}
    if not all(isinstance(v, str) and v.strip() for v in fields.values()):
        raise KeyFileError("fields_missing")
    if not fields["client_id"].isdigit():
        raise KeyFileError("fields_missing")
    try:
        key = serialization.load_pem_private_key(fields["private_key"].encode(), password=None)
    except (ValueError, TypeError):
        raise KeyFileError("bad_private_key") from None
    if not isinstance(key, rsa.RSAPrivateKey):
        raise KeyFileError("bad_private_key")
    return ServiceAccountKey(project_id=str(data.get("project_id") or ""), **fields)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def assertion(key: ServiceAccountKey, subject: str, scopes, audience: str, now: float | None = None) -> str:
    """The signed JWT Google's token endpoint takes for `subject` (RS256, kid = the key's id)."""
    now = int(time.time() if now is None else now)
    header = {"alg": "RS256", "typ": "JWT", "kid": key.private_key_id}
    claims = {"iss": key.client_email, "sub": subject, "scope": " ".join(scopes), "aud": audience,
              "iat": now, "exp": now + ASSERTION_LIFETIME}
    signing_input = ".".join(_b64(json.dumps(part, separators=(",", ":")).encode()) for part in (header, claims))
    private = serialization.load_pem_private_key(key.private_key.encode(), password=None)
    signature = private.sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
    return signing_input + "." + _b64(signature)


class DelegationRefused(Exception):
    """Google's token endpoint refused the assertion: `error` and `description` as Google sent them,
    `reason` our code for it (USER_UNKNOWN or one of DOMAIN_WIDE)."""

    def __init__(self, error: str, description: str = ""):
        super().__init__(f"{error}: {description}")
        self.error, self.description = error, description
        self.reason = classify(error, description)

    @property
    def domain_wide(self) -> bool:
        return self.reason in DOMAIN_WIDE


def classify(error: str, description: str = "") -> str:
    """Google's documented answers to the JWT bearer grant, as the product's reason codes."""
    text = (description or "").lower()
    if error == "unauthorized_client" or error == "invalid_scope":
        return DELEGATION_MISSING  # delegation not granted in the Admin console, or its scopes differ
    if error == "invalid_grant" and ("email" in text or "user" in text):
        return USER_UNKNOWN  # "Invalid email or User ID": not an address of the domain
    if error == "invalid_grant" and ("short-lived" in text or "iat" in text or "exp" in text):
        return CLOCK  # the server's clock is off by more than Google tolerates
    if error in ("invalid_grant", "invalid_client"):
        return KEY_INVALID  # "Invalid JWT Signature." (key deleted), the service account deleted or disabled
    return REFUSED


def token_url() -> str:
    return current_app.config["GOOGLE_TOKEN_URL"]


def mint(delegation: Delegation, subject: str, scopes=SCOPES, *, http=None) -> dict:
    """One access token for `subject` from Google ({access_token, expires_in, ...}). Raises DelegationRefused,
    or requests.RequestException when Google cannot be reached or answers 5xx (worth a later retry)."""
    url = token_url()
    data = {"grant_type": GRANT_TYPE, "assertion": assertion(delegation.key, subject, scopes, url)}
    response = (http or requests).post(url, data=data, timeout=HTTP_TIMEOUT)
    if response.status_code >= 500 or response.status_code == 429:  # Google's trouble, not a refusal: retry later
        raise requests.HTTPError(f"token endpoint answered HTTP {response.status_code}", response=response)
    if response.status_code >= 400:
        try:
            description = str(response.json().get("error_description") or "")
        except (ValueError, AttributeError):
            description = ""
        raise DelegationRefused(token_error(response), description)
    return response.json()


def granted_scopes(delegation: Delegation, subject: str, scopes=SCOPES, *, http=None) -> tuple[list, list]:
    """(granted, missing) among `scopes` for the Admin console grant: one token request per scope, since
    Google answers a set with one missing scope by `unauthorized_client` and never names it. A refusal that
    is not about the scopes (key, user) is raised."""
    granted, missing = [], []
    for scope in scopes:
        try:
            mint(delegation, subject, (scope,), http=http)
        except DelegationRefused as refused:
            if refused.reason != DELEGATION_MISSING:
                raise
            missing.append(scope)
        else:
            granted.append(scope)
    return granted, missing


class TokenCache:
    """Access tokens in Redis, encrypted, keyed by service-account key, user and scopes; each kept until
    EXPIRY_MARGIN seconds before Google's expiry. A key replaced in the settings has another id: its tokens are
    never served for the new key."""

    PREFIX = "gsw:workspace:token:"

    def __init__(self, redis):
        self.redis = redis

    @classmethod
    def name(cls, delegation: Delegation, subject: str, scopes) -> str:
        ident = "|".join((delegation.key.client_email, delegation.key.private_key_id, subject.lower(),
                          " ".join(sorted(scopes))))
        return cls.PREFIX + hashlib.sha256(ident.encode()).hexdigest()

    def get(self, delegation, subject, scopes) -> str | None:
        value = self.redis.get(self.name(delegation, subject, scopes))
        if not value:
            return None
        try:
            return crypto.decrypt(value.decode() if isinstance(value, bytes) else value)
        except crypto.DecryptionError:
            return None

    def put(self, delegation, subject, scopes, token: str, expires_in: int) -> None:
        ttl = int(expires_in) - EXPIRY_MARGIN
        if ttl > 0:
            self.redis.set(self.name(delegation, subject, scopes), crypto.encrypt(token), ex=ttl)

    def drop(self, delegation, subject, scopes) -> None:
        self.redis.delete(self.name(delegation, subject, scopes))

    def token(self, delegation: Delegation, subject: str, scopes=SCOPES, *, http=None) -> str:
        """The cached token, else a newly minted one (cached). Raises as mint() does."""
        cached = self.get(delegation, subject, scopes)
        if cached:
            return cached
        answer = mint(delegation, subject, scopes, http=http)
        self.put(delegation, subject, scopes, answer["access_token"], int(answer.get("expires_in") or 0))
        return answer["access_token"]


class DelegatedSession(requests.Session):
    """A requests session for one delegated account: every request carries a token from the cache (minted when
    missing). Google refusing the assertion calls `on_refused(account_id, reason)` once and raises
    ReconnectNeeded(account_id, reason): the engine stops the run, nothing retries. A 401 from an API drops the
    cached token; the transport then calls renew() once (wizard.google.transport.Transport.refresh)."""

    def __init__(self, account_id, subject: str, delegation: Delegation, cache: TokenCache, on_refused=None,
                 scopes=SCOPES):
        super().__init__()
        self.account_id, self.subject, self.delegation = account_id, subject, delegation
        self.cache, self.on_refused, self.scopes = cache, on_refused, tuple(scopes)

    def _token(self) -> str:
        try:
            return self.cache.token(self.delegation, self.subject, self.scopes)
        except requests.RequestException as error:
            # The API request was never sent: a retryable failure, never an ambiguous one (no create happened).
            raise Transient(f"token endpoint: {error}"[:300]) from error
        except DelegationRefused as refused:
            if self.on_refused is not None:
                self.on_refused(self.account_id, refused.reason)
            raise ReconnectNeeded(self.account_id, refused.reason) from refused

    def fresh_access_token(self) -> str:
        """The token a request sent from another thread carries (wizard.google.transport.Transport.detached):
        taken here, on the owner's thread, where the cache can decrypt and a refusal can flag the accounts."""
        return self._token()

    def renew(self) -> None:
        """A token Google stopped accepting (a 401: the key or the grant was removed, tokens revoked): mint
        another at once. Refused, it raises ReconnectNeeded (the transport's one forced refresh)."""
        self.cache.drop(self.delegation, self.subject, self.scopes)
        self._token()

    def request(self, method, url, *args, headers=None, **kwargs):
        token = self._token()
        headers = {**(headers or {}), "Authorization": f"Bearer {token}"}
        response = super().request(method, url, *args, headers=headers, **kwargs)
        if response.status_code == 401:
            self.cache.drop(self.delegation, self.subject, self.scopes)
        return response
