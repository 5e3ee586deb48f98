"""OAuth 2.0 and OpenID Connect at Google's paths: consent page, token, revoke, userinfo, discovery, JWKS."""
import base64
import hashlib
import json
import secrets
import threading
from urllib.parse import urlencode

from werkzeug.utils import redirect

from . import accounts, jwt_grant, tokens
from .errors import ApiError
from .i18n import gettext as _
from .routing import json_response, route

OPENID_SCOPES = {"openid", "email", "profile"}
ALIASES = {"email": "https://www.googleapis.com/auth/userinfo.email",
           "profile": "https://www.googleapis.com/auth/userinfo.profile"}
G = "https://www.googleapis.com/auth/"
KNOWN_SCOPES = {"openid", G + "userinfo.email", G + "userinfo.profile"} | {
    G + s for s in ("contacts", "contacts.readonly", "contacts.other.readonly", "directory.readonly",
                    "calendar", "calendar.readonly", "calendar.events", "calendar.events.readonly",
                    "calendar.events.owned", "calendar.events.owned.readonly", "calendar.calendarlist",
                    "calendar.calendarlist.readonly", "calendar.settings.readonly", "calendar.calendars",
                    "calendar.calendars.readonly", "calendar.app.created")}
SCOPE_LABELS = {
    G + "contacts": "See, edit, download, and permanently delete your contacts",
    G + "contacts.readonly": "See and download your contacts",
    G + "calendar": "See, edit, share, and permanently delete all the calendars you can access using Google "
                    "Calendar",
    G + "calendar.readonly": "See and download any calendar you can access using your Google Calendar",
    G + "calendar.events": "View and edit events on all your calendars",
    G + "calendar.events.readonly": "View events on all your calendars",
    G + "calendar.calendarlist.readonly": "See the list of Google calendars you're subscribed to",
    G + "calendar.calendarlist": "See, add, and remove Google calendars you're subscribed to",
}
EXPIRED = "Token has been expired or revoked."
_KEY = {}
_KEY_LOCK = threading.Lock()


def normalise_scopes(text):
    return [ALIASES.get(s, s) for s in (text or "").split() if s]


# ---- signing key for id_tokens ------------------------------------------------------------------------------

def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def signing_key():
    """One RSA key per process for id_tokens (RS256, signed with `cryptography` directly: a JWT is three
    base64 parts, no JOSE library needed)."""
    with _KEY_LOCK:
        if not _KEY:
            from cryptography.hazmat.primitives.asymmetric import rsa

            private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
            numbers = private.public_key().public_numbers()
            public = {"kty": "RSA", "alg": "RS256", "use": "sig",
                      "n": b64url(numbers.n.to_bytes((numbers.n.bit_length() + 7) // 8, "big")),
                      "e": b64url(numbers.e.to_bytes(3, "big"))}
            public["kid"] = hashlib.sha1(public["n"].encode()).hexdigest()[:16]
            _KEY.update(private=private, public=public)
        return _KEY


def sign_jwt(claims):
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding

    key = signing_key()
    header = {"alg": "RS256", "kid": key["public"]["kid"], "typ": "JWT"}
    signing_input = b64url(json.dumps(header).encode()) + "." + b64url(json.dumps(claims).encode())
    signature = key["private"].sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
    return signing_input + "." + b64url(signature)


def id_token(call, client_id, email, scopes, nonce=None, access_token=None):
    user = call.state.users[email]
    now = int(call.state.now())
    claims = {"iss": issuer(call), "azp": client_id, "aud": client_id, "sub": user["sub"], "iat": now,
              "exp": now + 3600}
    if ALIASES["email"] in scopes:
        claims.update(email=email, email_verified=True)
    if ALIASES["profile"] in scopes:
        claims.update(name=user["name"], given_name=user["name"].split()[0])
    if nonce:
        claims["nonce"] = nonce
    if access_token:
        claims["at_hash"] = b64url(hashlib.sha256(access_token.encode()).digest()[:16])
    return sign_jwt(claims)


def issuer(call):
    return call.request.host_url.rstrip("/")


# ---- discovery --------------------------------------------------------------------------------------------------

@route("GET", "/.well-known/openid-configuration", "oauth")
def openid_configuration(call):
    base = issuer(call)
    return {"issuer": base, "authorization_endpoint": base + "/o/oauth2/v2/auth",
            "device_authorization_endpoint": base + "/device/code", "token_endpoint": base + "/token",
            "userinfo_endpoint": base + "/v1/userinfo", "revocation_endpoint": base + "/revoke",
            "jwks_uri": base + "/oauth2/v3/certs",
            "response_types_supported": ["code", "token", "id_token", "code token", "code id_token",
                                         "token id_token", "code token id_token", "none"],
            "subject_types_supported": ["public"], "id_token_signing_alg_values_supported": ["RS256"],
            "scopes_supported": ["openid", "email", "profile"],
            "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
            "claims_supported": ["aud", "email", "email_verified", "exp", "family_name", "given_name", "iat",
                                 "iss", "name", "picture", "sub"],
            "code_challenge_methods_supported": ["plain", "S256"],
            "grant_types_supported": ["authorization_code", "refresh_token", jwt_grant.GRANT_TYPE]}


@route("GET", "/oauth2/v3/certs", "oauth")
def jwks(call):
    return {"keys": [signing_key()["public"]]}


# ---- authorization page --------------------------------------------------------------------------------------

def error_page(call, status, error, message, details=None):
    return call.app.render("oauth_error.html", status=status, code=status, error=error, message=message,
                           details=details or {})


def redirect_with(uri, **params):
    separator = "&" if "?" in uri else "?"
    return redirect(uri + separator + urlencode({k: v for k, v in params.items() if v is not None}), code=302)


@route("GET", "/o/oauth2/v2/auth", "oauth")
@route("GET", "/o/oauth2/auth", "oauth")
def authorize(call):
    result = check_authorization(call.state, dict(call.request.args.items()))
    if "page" in result:
        return error_page(call, *result["page"])
    if "redirect" in result:
        return redirect_with(result["uri"], **result["redirect"])
    params = result["params"]
    state = call.state
    if params.get("prompt") == "none":
        email = params.get("login_hint", "").lower()
        grant = state.grants.get(f"{email} {params['client_id']}")
        if not email or grant is None or not set(result["scopes"]) <= set(grant["scopes"]):
            return redirect_with(params["redirect_uri"], error="consent_required" if email else
                                 "interaction_required", state=params.get("state"))
        return redirect_with(params["redirect_uri"], **approve(call.state, params, email, result["scopes"]))
    txn = secrets.token_urlsafe(16)
    state.pending[txn] = {"params": params, "scopes": result["scopes"], "created": state.now()}
    client = state.clients[params["client_id"]]
    consent = accounts.consent_of(state, client)
    sensitive = [s for s in result["scopes"] if s not in ("openid", ALIASES["email"], ALIASES["profile"])]
    return call.app.render("consent.html", txn=txn, users=sorted(state.users.values(), key=lambda u: u["email"]),
                           hint=params.get("login_hint", "").lower(), app_name=consent["app_name"],
                           scopes=sensitive, labels=SCOPE_LABELS, identity=[s for s in result["scopes"]
                                                                             if s not in sensitive],
                           unverified=consent["status"] == "production")


def check_authorization(state, params):
    """Validate an authorization request the way Google does: errors before the redirect URI is trusted are
    shown on Google's own page, later ones are sent back to the redirect URI."""
    client = state.clients.get(params.get("client_id", ""))
    if not params.get("client_id") or client is None:
        return {"page": (401, "invalid_client", _("The OAuth client was not found."))}
    uri = params.get("redirect_uri")
    if not uri:
        return {"page": (400, "invalid_request", _("Missing required parameter: redirect_uri"))}
    if uri not in client["redirect_uris"]:
        return {"page": (400, "redirect_uri_mismatch",
                         _("You can't sign in to this app because it doesn't comply with Google's OAuth 2.0 "
                           "policy. If you're the app developer, register the redirect URI in the Google Cloud "
                           "Console."), {"redirect_uri": uri})}
    if params.get("response_type") != "code":
        return {"uri": uri, "redirect": {"error": "unsupported_response_type", "state": params.get("state")}}
    if not params.get("scope"):
        return {"page": (400, "invalid_request", _("Missing required parameter: scope"))}
    scopes = normalise_scopes(params["scope"])
    unknown = [s for s in scopes if s not in KNOWN_SCOPES]
    if unknown:
        return {"page": (400, "invalid_scope", _("Some requested scopes were invalid."),
                         {"invalid": " ".join(unknown)})}
    method = params.get("code_challenge_method")
    if params.get("code_challenge") and method not in (None, "S256", "plain"):
        return {"page": (400, "invalid_request", _("Invalid code_challenge_method value."))}
    return {"params": params, "scopes": list(dict.fromkeys(scopes))}


@route("POST", "/o/oauth2/v2/auth/consent", "oauth")
def consent(call):
    state = call.state
    form = call.request.form
    pending = state.pending.pop(form.get("txn", ""), None)
    if pending is None:
        return error_page(call, 400, "invalid_request", _("This sign-in request has expired. Start again."))
    params = pending["params"]
    if form.get("action") != "allow":
        return redirect_with(params["redirect_uri"], error="access_denied", state=params.get("state"))
    email = (form.get("email") or form.get("other_email") or "").strip().lower()
    if email not in state.users:
        if "@" not in email:
            return error_page(call, 400, "invalid_request", _("Choose an account."))
        accounts.add_user(state, email)  # "Use another account": any address signs in to the emulator
    client = state.clients[params["client_id"]]
    consent_screen = accounts.consent_of(state, client)
    if consent_screen["user_type"] == "internal" and consent_screen.get("domain") and \
            email.split("@")[-1] != consent_screen["domain"]:
        return error_page(call, 403, "org_internal", _("This client is restricted to users within its "
                                                       "organization."))
    if consent_screen["status"] == "testing" and consent_screen.get("test_users") and \
            email not in [u.lower() for u in consent_screen["test_users"]]:
        return error_page(call, 403, "access_denied", _("%(app)s has not completed the Google verification "
                                                        "process. The app is currently being tested, and can "
                                                        "only be accessed by developer-approved testers.",
                                                        app=consent_screen["app_name"]))
    ticked = set(form.getlist("scope"))
    granted = [s for s in pending["scopes"] if s in ticked or s in ("openid", ALIASES["email"], ALIASES["profile"])]
    return redirect_with(params["redirect_uri"], **approve(state, params, email, granted))


def approve(state, params, email, granted):
    """Record the grant and mint a single-use authorization code."""
    key = f"{email} {params['client_id']}"
    grant = state.grants.setdefault(key, {"scopes": [], "refresh_issued": False})
    scopes = list(granted)
    if params.get("include_granted_scopes") == "true":
        scopes = list(dict.fromkeys(grant["scopes"] + scopes))
    grant["scopes"] = list(dict.fromkeys(grant["scopes"] + list(granted)))
    code = tokens.auth_code()
    state.codes[code] = {"client_id": params["client_id"], "redirect_uri": params["redirect_uri"],
                         "email": email, "scopes": scopes, "challenge": params.get("code_challenge"),
                         "method": params.get("code_challenge_method") or "plain",
                         "offline": params.get("access_type") == "offline",
                         "force": "consent" in (params.get("prompt") or "").split(),
                         "nonce": params.get("nonce"), "expires": state.now() + state.settings["code_lifetime"],
                         "used": False}
    state.dirty = True
    return {"state": params.get("state"), "code": code, "scope": " ".join(scopes), "authuser": "0",
            "prompt": "consent"}


# ---- token endpoint --------------------------------------------------------------------------------------------

def oauth_error(status, error, description):
    return json_response({"error": error, "error_description": description}, status)


def client_credentials(call):
    form = call.request.form
    auth = call.request.authorization
    if auth and auth.type == "basic":
        return auth.username, auth.password
    return form.get("client_id"), form.get("client_secret")


@route("POST", "/token", "oauth")
def token(call):
    state = call.state
    form = call.request.form
    if form.get("grant_type") == jwt_grant.GRANT_TYPE:
        return bearer_assertion(call)  # a service account authenticates by its signature, not a secret
    client_id, secret = client_credentials(call)
    client = state.clients.get(client_id or "")
    if client is None:
        return oauth_error(401, "invalid_client", "The OAuth client was not found.")
    if not secret:
        return oauth_error(400, "invalid_request", "client_secret is missing.")
    if secret != client["client_secret"]:
        return oauth_error(401, "invalid_client", "Unauthorized")
    grant_type = form.get("grant_type")
    if grant_type == "authorization_code":
        return exchange_code(call, client)
    if grant_type == "refresh_token":
        return refresh(call, client)
    return oauth_error(400, "unsupported_grant_type", f"Invalid grant_type: {grant_type or ''}")


def bearer_assertion(call):
    try:
        body = jwt_grant.exchange(call.state, call.request.form.get("assertion"), issuer(call) + "/token")
    except jwt_grant.Refused as refused:
        return oauth_error(400 if refused.error != "unauthorized_client" else 401, refused.error,
                           refused.description)
    return json_response(body)


def exchange_code(call, client):
    state = call.state
    form = call.request.form
    code_value = form.get("code")
    if not code_value:
        return oauth_error(400, "invalid_request", "Missing required parameter: code")
    code = state.codes.get(code_value)
    if code is None or code["used"] or code["expires"] <= state.now() or code["client_id"] != client["client_id"]:
        if code is not None and code["used"]:
            revoke_derived(state, code)  # a replayed code also kills what it produced, as Google does
        return oauth_error(400, "invalid_grant", "Bad Request")
    if not form.get("redirect_uri"):
        return oauth_error(400, "invalid_request", "Missing parameter: redirect_uri")
    if form.get("redirect_uri") != code["redirect_uri"]:
        return oauth_error(400, "redirect_uri_mismatch", "Bad Request")
    if code["challenge"]:
        verifier = form.get("code_verifier")
        if not verifier:
            return oauth_error(400, "invalid_grant", "Missing code verifier.")
        if code["method"] == "S256":
            computed = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")
        else:
            computed = verifier
        if computed != code["challenge"]:
            return oauth_error(400, "invalid_grant", "Invalid code verifier.")
    code["used"] = True
    grant = state.grants.setdefault(f"{code['email']} {client['client_id']}", {"scopes": code["scopes"],
                                                                                "refresh_issued": False})
    body = issue_access(call, client, code["email"], code["scopes"], nonce=code["nonce"])
    if code["offline"] and (not grant["refresh_issued"] or code["force"]):
        body.update(issue_refresh(state, client, code["email"], code["scopes"]))
        state.access_tokens[body["access_token"]]["refresh"] = body["refresh_token"]
        grant["refresh_issued"] = True
    code["issued"] = [body["access_token"], body.get("refresh_token")]
    return json_response(body)


def issue_access(call, client, email, scopes, refresh=None, nonce=None):
    state = call.state
    value = tokens.access_token()
    lifetime = state.settings["access_token_lifetime"]
    state.access_tokens[value] = {"email": email, "client_id": client["client_id"] if client else None,
                                  "scopes": list(scopes), "expires": state.now() + lifetime, "refresh": refresh}
    state.dirty = True
    body = {"access_token": value, "expires_in": lifetime, "scope": " ".join(scopes), "token_type": "Bearer"}
    if client and "openid" in scopes:
        body["id_token"] = id_token(call, client["client_id"], email, scopes, nonce, value)
    return body


def issue_refresh(state, client, email, scopes):
    value = tokens.refresh_token()
    testing = accounts.consent_of(state, client)["status"] == "testing"
    state.refresh_tokens[value] = {"email": email, "client_id": client["client_id"], "scopes": list(scopes),
                                   "issued": state.now(), "testing": testing}
    live = sorted((v["issued"], k) for k, v in state.refresh_tokens.items()
                  if v["email"] == email and v["client_id"] == client["client_id"])
    for _issued, old in live[:max(0, len(live) - state.settings["max_refresh_tokens"])]:
        state.refresh_tokens.pop(old, None)  # Google drops the oldest silently
    body = {"refresh_token": value}
    if testing:
        body["refresh_token_expires_in"] = int(state.settings["testing_refresh_token_lifetime"])
    return body


def refresh_alive(state, record):
    if record is None:
        return False
    if record["testing"] and state.now() - record["issued"] >= state.settings["testing_refresh_token_lifetime"]:
        return False
    return True


def refresh(call, client):
    state = call.state
    value = call.request.form.get("refresh_token")
    if not value:
        return oauth_error(400, "invalid_request", "Missing required parameter: refresh_token")
    record = state.refresh_tokens.get(value)
    if not refresh_alive(state, record) or record["email"] not in state.users:
        return oauth_error(400, "invalid_grant", EXPIRED)
    if record["client_id"] != client["client_id"]:
        return oauth_error(401, "unauthorized_client", "Unauthorized")
    scopes = record["scopes"]
    asked = normalise_scopes(call.request.form.get("scope"))
    if asked:
        if not set(asked) <= set(scopes):
            return oauth_error(400, "invalid_scope", "Some requested scopes were invalid.")
        scopes = asked
    body = issue_access(call, client, record["email"], scopes, refresh=value)
    if record["testing"]:
        left = record["issued"] + state.settings["testing_refresh_token_lifetime"] - state.now()
        body["refresh_token_expires_in"] = int(left)
    return json_response(body)


def revoke_derived(state, code):
    for value in code.get("issued") or ():
        if value:
            revoke_token(state, value)


# ---- revocation ------------------------------------------------------------------------------------------------

def revoke_token(state, value):
    """Revoke an access or refresh token together with the grant behind it; False when unknown."""
    access = state.access_tokens.get(value)
    refresh_value = access["refresh"] if access else (value if value in state.refresh_tokens else None)
    if access is None and refresh_value is None:
        return False
    record = access or state.refresh_tokens[refresh_value]
    state.access_tokens.pop(value, None)
    if refresh_value:
        state.refresh_tokens.pop(refresh_value, None)
        for key in [k for k, v in state.access_tokens.items() if v.get("refresh") == refresh_value]:
            state.access_tokens.pop(key)
    state.grants.pop(f"{record['email']} {record['client_id']}", None)
    state.dirty = True
    return True


def revoke_user(state, email, client_id=None):
    """Control API: the user removes the app's access in their Google account."""
    email = email.lower()
    count = 0
    for store in (state.access_tokens, state.refresh_tokens):
        for key in [k for k, v in store.items() if v["email"] == email and client_id in (None, v["client_id"])]:
            store.pop(key)
            count += 1
    for key in [k for k in state.grants if k.split(" ")[0] == email and client_id in (None, k.split(" ")[1])]:
        state.grants.pop(key)
    state.dirty = True
    return count


@route("POST", "/revoke", "oauth")
@route("POST", "/o/oauth2/revoke", "oauth")
def revoke(call):
    value = call.request.form.get("token") or call.request.args.get("token")
    if not value or not revoke_token(call.state, value):
        return oauth_error(400, "invalid_token", "Token expired or revoked")
    return json_response({})


# ---- userinfo --------------------------------------------------------------------------------------------------

IDENTITY = ["openid", ALIASES["email"], ALIASES["profile"]]


@route("GET", "/v1/userinfo", "oauth", IDENTITY, "userinfo")
@route("GET", "/oauth2/v3/userinfo", "oauth", IDENTITY, "userinfo")
def userinfo(call):
    scopes = set(call.token["scopes"])
    if not scopes & set(IDENTITY):
        raise ApiError(401, "Request is missing required authentication credential.",
                       headers={"WWW-Authenticate": 'Bearer realm="https://accounts.google.com/", '
                                                    'error="insufficient_scope"'})
    user = call.state.users[call.email]
    body = {"sub": user["sub"]}
    if ALIASES["profile"] in scopes:
        parts = user["name"].split()
        body.update(name=user["name"], given_name=parts[0] if parts else user["name"],
                    picture="https://lh3.googleusercontent.com/a/default-user=s96-c")
        if len(parts) > 1:
            body["family_name"] = " ".join(parts[1:])
    if ALIASES["email"] in scopes:
        body.update(email=user["email"], email_verified=True)
    return body


# ---- control -----------------------------------------------------------------------------------------------------

def mint(state, email, scopes, client_id=None, lifetime=None):
    value = tokens.access_token()
    lifetime = int(lifetime or state.settings["access_token_lifetime"])
    state.access_tokens[value] = {"email": email, "client_id": client_id, "scopes": normalise_scopes(" ".join(scopes)),
                                  "expires": state.now() + lifetime, "refresh": None}
    state.dirty = True
    return {"access_token": value, "expires_in": lifetime, "token_type": "Bearer"}
