"""The JWT bearer grant (RFC 7523) at `/token`, as Google runs it for service accounts.

The assertion is checked in the order Google's answers suggest: the issuer must be a live service account,
the RS256 signature must verify against the key named by `kid` (or, without `kid`, any live key of that
account), `aud` must be Google's token endpoint, `iat`/`exp` must span at most an hour around the emulator's
clock, `scope` must be present; with `sub`, the user must exist in a Workspace domain whose Admin console
granted this service account's client ID every requested scope. Each refusal is Google's own body.

It also serves each service account's public keys where Google publishes them (the key file's
`client_x509_cert_url`, and the same keys as a JWK set), so a signature can be checked by anyone.
"""
import base64
import json

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding

from . import tokens, workspace
from .errors import not_found
from .routing import route

GRANT_TYPE = "urn:ietf:params:oauth:grant-type:jwt-bearer"
# Google accepts its token endpoint under each name it has had; the emulator also accepts its own URL (a key
# file's `token_uri`), since some clients put that in `aud`.
GOOGLE_AUDIENCES = ("https://oauth2.googleapis.com/token", "https://www.googleapis.com/oauth2/v4/token",
                    "https://accounts.google.com/o/oauth2/token")
MAX_LIFETIME = 3600
# Google tolerates a little clock skew between the signer and itself.
SKEW = 300

INVALID_SIGNATURE = ("invalid_grant", "Invalid JWT Signature.")
ACCOUNT_NOT_FOUND = ("invalid_grant", "Invalid grant: account not found")
BAD_TIMEFRAME = ("invalid_grant", "Invalid JWT: Token must be a short-lived token (60 minutes) and in a "
                                  "reasonable timeframe. Check your iat and exp values and use a clock with skew "
                                  "to account for clock differences between systems.")
UNKNOWN_USER = ("invalid_grant", "Invalid email or User ID")
UNAUTHORIZED = ("unauthorized_client", "Client is unauthorized to retrieve access tokens using this method, or "
                                       "client not authorized for any of the scopes requested.")
NO_SCOPE = ("invalid_scope", "Invalid OAuth scope or ID token audience provided.")
MALFORMED = ("invalid_grant", "Invalid JWT: Malformed assertion.")


class Refused(Exception):
    def __init__(self, error, description):
        super().__init__(description)
        self.error = error
        self.description = description


def b64decode(part):
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def parse(assertion):
    """(header, claims, signing input, signature) or Refused for anything that is not a JWS."""
    parts = (assertion or "").split(".")
    if len(parts) != 3:
        raise Refused(*MALFORMED)
    try:
        header, claims = json.loads(b64decode(parts[0])), json.loads(b64decode(parts[1]))
        signature = b64decode(parts[2])
    except (ValueError, TypeError):
        raise Refused(*MALFORMED) from None
    if not isinstance(header, dict) or not isinstance(claims, dict):
        raise Refused(*MALFORMED)
    return header, claims, f"{parts[0]}.{parts[1]}".encode(), signature


def check_signature(account, header, signing_input, signature):
    if header.get("alg") != "RS256":
        raise Refused(*INVALID_SIGNATURE)
    kid = header.get("kid")
    candidates = [str(kid)] if kid else list(account["keys"])
    for key_id in candidates:
        key = workspace.public_key(account, key_id)
        if key is None:
            continue
        try:
            key.verify(signature, signing_input, padding.PKCS1v15(), hashes.SHA256())
            return key_id
        except InvalidSignature:
            continue
    raise Refused(*INVALID_SIGNATURE)


def check_audience(claims, own_token_uri):
    audience = claims.get("aud")
    if audience not in GOOGLE_AUDIENCES and audience != own_token_uri:
        raise Refused("invalid_grant", f"Invalid JWT: Failed audience check. The expected value was: "
                                       f"{GOOGLE_AUDIENCES[0]}, the actual value was: {audience}")


def check_times(claims, now):
    issued, expires = claims.get("iat"), claims.get("exp")
    if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (issued, expires)):
        raise Refused(*BAD_TIMEFRAME)
    if expires <= issued or expires - issued > MAX_LIFETIME or issued > now + SKEW or expires < now - SKEW:
        raise Refused(*BAD_TIMEFRAME)


def check_delegation(state, account, subject, scopes):
    """The user must be in a Workspace domain that granted this client every requested scope."""
    user = state.users.get(subject.lower())
    domain = workspace.domain_of(state, subject)
    if user is None or domain is None:
        raise Refused(*UNKNOWN_USER)
    grant = domain["delegations"].get(account["unique_id"])
    if grant is None or not set(scopes) <= set(grant["scopes"]):
        raise Refused(*UNAUTHORIZED)
    return user["email"]


def exchange(state, assertion, own_token_uri):
    """Verify an assertion and mint the access token it earns; returns the token endpoint's JSON body."""
    if not assertion:
        raise Refused("invalid_request", "Missing required parameter: assertion")
    header, claims, signing_input, signature = parse(assertion)
    account = workspace.find_account(state, str(claims.get("iss") or ""))
    if account is None:
        raise Refused(*ACCOUNT_NOT_FOUND)
    check_signature(account, header, signing_input, signature)
    check_audience(claims, own_token_uri)
    check_times(claims, state.now())
    scope = claims.get("scope")
    scopes = scope.split() if isinstance(scope, str) else []
    if not scopes:
        raise Refused(*NO_SCOPE)
    subject = str(claims.get("sub") or "")
    if subject and subject.lower() != account["email"]:
        email = check_delegation(state, account, subject, scopes)
    else:
        email = account["email"]  # the service account acting as itself
    return mint(state, account, email, scopes)


def mint(state, account, email, scopes):
    value = tokens.access_token()
    # Google answers 3599 for a service account's token (a second under the usual hour); a test that
    # shortens `access_token_lifetime` shortens these too.
    lifetime = int(state.settings["access_token_lifetime"]) - 1
    state.access_tokens[value] = {"email": email, "client_id": None, "scopes": list(dict.fromkeys(scopes)),
                                  "expires": state.now() + lifetime, "refresh": None,
                                  "service_account": account["email"], "project_id": account["project_id"]}
    state.dirty = True
    return {"access_token": value, "expires_in": lifetime, "token_type": "Bearer"}


# ---- published public keys ----------------------------------------------------------------------------------

def b64url(number):
    return base64.urlsafe_b64encode(number.to_bytes((number.bit_length() + 7) // 8, "big")).decode().rstrip("=")


def jwk(public, key_id):
    numbers = public.public_numbers()
    return {"kty": "RSA", "alg": "RS256", "use": "sig", "kid": key_id, "n": b64url(numbers.n),
            "e": b64url(numbers.e)}


def published_account(call):
    account = workspace.find_account(call.state, call.params["account"])
    if account is None:
        raise not_found("Not Found")
    return account


@route("GET", "/robot/v1/metadata/x509/{account}", "oauth")
def x509_certificates(call):
    return {key_id: key["cert_pem"] for key_id, key in published_account(call)["keys"].items()
            if key.get("cert_pem")}


@route("GET", "/service_accounts/v1/metadata/jwk/{account}", "oauth")
def jwk_set(call):
    account = published_account(call)
    return {"keys": [jwk(workspace.public_key(account, key_id), key_id) for key_id in account["keys"]]}
