"""Domain-wide delegation in the emulator: service account keys, the Workspace domain's grant, and the JWT
bearer grant at /token with Google's answers — driven by Google's own `google-auth` (it signs the
assertions exactly as the product and every Google client library do) and, for the calls that follow, the
official API client on the bundled discovery documents."""
import base64
import json
import time

import google.auth.transport.requests
import pytest
import requests
from cryptography.hazmat.primitives import serialization
from google.auth import crypt, jwt
from google.auth.exceptions import RefreshError
from google.oauth2 import service_account
from googleapiclient.discovery import build_from_document
from googleapiclient.errors import HttpError

from .discovery import call, document

G = "https://www.googleapis.com/auth/"
SCOPES = [G + "contacts", G + "calendar"]
USER = "ann@example.com"
GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"
GOOGLE_TOKEN_URI = "https://oauth2.googleapis.com/token"


@pytest.fixture
def setup(emulator):
    """A service account with one key, the domain example.com with two users, and a grant of SCOPES."""
    account = emulator.control("POST", "/service-accounts", json={"name": "crm-sync", "key": True})
    emulator.control("POST", "/domains", json={"domain": "example.com",
                                               "users": [{"email": USER, "name": "Ann Smith"}, "bob"]})
    emulator.control("POST", "/domains/example.com/delegations",
                     json={"client_id": account["unique_id"], "scopes": ",".join(SCOPES)})
    return account


def credentials(key_file, scopes=SCOPES, subject=USER):
    made = service_account.Credentials.from_service_account_info(key_file, scopes=scopes)
    return made.with_subject(subject) if subject else made


def refresh(creds):
    creds.refresh(google.auth.transport.requests.Request())
    return creds.token


def refusal(creds):
    with pytest.raises(RefreshError) as excinfo:
        refresh(creds)
    return excinfo.value.args[1]  # the token endpoint's JSON body, as google-auth hands it over


def assertion(key_file, **claims):
    """An assertion signed with the key file's private key, claims overridable (None drops one)."""
    now = int(time.time())
    body = {"iss": key_file["client_email"], "aud": GOOGLE_TOKEN_URI, "iat": now, "exp": now + 3600,
            "scope": " ".join(SCOPES), "sub": USER}
    body.update(claims)
    body = {k: v for k, v in body.items() if v is not None}
    signer = crypt.RSASigner.from_service_account_info(key_file)
    return jwt.encode(signer, body).decode()


def post_assertion(emulator, value):
    response = requests.post(emulator.url + "/token", data={"grant_type": GRANT, "assertion": value}, timeout=10)
    return response.status_code, response.json()


def build(creds, emulator):
    people = build_from_document(document("people.v1"), credentials=creds,
                                 client_options={"api_endpoint": emulator.url + "/"})
    calendar = build_from_document(document("calendar.v3"), credentials=creds,
                                   client_options={"api_endpoint": emulator.url + "/calendar/v3/"})
    return people, calendar


# ---- the key file -------------------------------------------------------------------------------------------

def test_key_file_is_googles_format_and_only_the_public_key_is_kept(setup, emulator):
    key_file = setup["key_file"]
    assert set(key_file) == {"type", "project_id", "private_key_id", "private_key", "client_email", "client_id",
                             "auth_uri", "token_uri", "auth_provider_x509_cert_url", "client_x509_cert_url",
                             "universe_domain"}
    assert key_file["type"] == "service_account" and key_file["universe_domain"] == "googleapis.com"
    assert key_file["client_email"] == f"crm-sync@{key_file['project_id']}.iam.gserviceaccount.com"
    assert key_file["client_id"] == setup["unique_id"] and len(setup["unique_id"]) == 21
    assert key_file["token_uri"] == emulator.url + "/token"
    private = serialization.load_pem_private_key(key_file["private_key"].encode(), None)
    assert key_file["private_key"].startswith("-----BEGIN PRIVATE KEY-----") and private.key_size == 2048
    stored = json.dumps(emulator.state.snapshot())
    body = key_file["private_key"].split("-----")[2].replace("\n", "")
    assert body[:64] not in stored and "PRIVATE KEY" not in stored
    listed = emulator.control("GET", "/service-accounts")["service_accounts"][0]
    assert listed["keys"] == [{"key_id": key_file["private_key_id"], "created": listed["keys"][0]["created"]}]
    assert "private_key" not in json.dumps(listed)


def test_each_key_is_its_own_pair(setup, emulator):
    second = emulator.control("POST", f"/service-accounts/{setup['email']}/keys")
    assert second["private_key_id"] != setup["key_file"]["private_key_id"]
    assert second["private_key"] != setup["key_file"]["private_key"]
    assert refresh(credentials(second)).startswith("ya29.")
    assert refresh(credentials(setup["key_file"])).startswith("ya29.")


# ---- the official client ------------------------------------------------------------------------------------

def test_official_client_with_subject_reads_the_users_calendars_and_contacts(setup, emulator):
    emulator.control("POST", "/contacts", json={"email": USER, "person": {"names": [{"givenName": "Eve"}]}})
    creds = credentials(setup["key_file"])
    people, calendar = build(creds, emulator)
    listing = call(calendar.calendarList().list())
    assert [c["id"] for c in listing["items"]] == [USER]
    connections = call(people.people().connections().list(resourceName="people/me", personFields="names"))
    assert [p["names"][0]["givenName"] for p in connections["connections"]] == ["Eve"]
    assert creds.valid and creds.token.startswith("ya29.")
    me = call(people.people().get(resourceName="people/me", personFields="emailAddresses"))
    assert me["emailAddresses"][0]["value"] == USER


def test_success_body_is_googles(setup, emulator):
    status, body = post_assertion(emulator, assertion(setup["key_file"]))
    assert status == 200
    assert set(body) == {"access_token", "expires_in", "token_type"}  # no refresh token, no scope
    assert body["expires_in"] == 3599 and body["token_type"] == "Bearer"


def test_token_carries_exactly_the_requested_scopes(setup, emulator):
    creds = credentials(setup["key_file"], scopes=[G + "calendar"])
    people, calendar = build(creds, emulator)
    call(calendar.calendarList().list())
    with pytest.raises(HttpError) as excinfo:
        people.people().connections().list(resourceName="people/me", personFields="names").execute()
    assert excinfo.value.resp.status == 403
    details = json.loads(excinfo.value.content)["error"]["details"]
    assert [d["reason"] for d in details] == ["ACCESS_TOKEN_SCOPE_INSUFFICIENT"]


def test_apis_must_be_enabled_in_the_service_accounts_project(emulator):
    account = emulator.control("POST", "/service-accounts", json={"name": "no-people", "key": True,
                                                                  "disabled_apis": ["people"]})
    emulator.control("POST", "/domains", json={"domain": "example.com", "users": [USER]})
    emulator.control("POST", "/domains/example.com/delegations",
                     json={"client_id": account["unique_id"], "scopes": SCOPES})
    people, calendar = build(credentials(account["key_file"]), emulator)
    call(calendar.calendarList().list())
    with pytest.raises(HttpError) as excinfo:
        people.people().connections().list(resourceName="people/me", personFields="names").execute()
    error = json.loads(excinfo.value.content)["error"]
    reasons = [d.get("reason") for d in error["details"]]
    assert excinfo.value.resp.status == 403 and "SERVICE_DISABLED" in reasons
    project = emulator.state.projects[account["project_id"]]
    assert f"project {project['number']}" in error["message"]


# ---- Google's refusals --------------------------------------------------------------------------------------

UNAUTHORIZED = {"error": "unauthorized_client",
                "error_description": "Client is unauthorized to retrieve access tokens using this method, or "
                                     "client not authorized for any of the scopes requested."}
TIMEFRAME = {"error": "invalid_grant",
             "error_description": "Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable "
                                  "timeframe. Check your iat and exp values and use a clock with skew to account "
                                  "for clock differences between systems."}


def test_no_delegation_is_unauthorized_client(setup, emulator):
    emulator.control("DELETE", f"/domains/example.com/delegations/{setup['unique_id']}")
    assert refusal(credentials(setup["key_file"])) == UNAUTHORIZED


def test_a_scope_outside_the_grant_is_unauthorized_client(setup, emulator):
    creds = credentials(setup["key_file"], scopes=SCOPES + [G + "calendar.readonly"])
    assert refusal(creds) == UNAUTHORIZED
    emulator.control("POST", "/domains/example.com/delegations",
                     json={"client_id": setup["unique_id"], "scopes": [G + "calendar"]})  # edit: narrower
    assert refusal(credentials(setup["key_file"])) == UNAUTHORIZED
    assert refresh(credentials(setup["key_file"], scopes=[G + "calendar"]))


def test_unknown_user_is_invalid_grant(setup):
    for subject in ("nobody@example.com", "someone@gmail.com"):
        assert refusal(credentials(setup["key_file"], subject=subject)) == {
            "error": "invalid_grant", "error_description": "Invalid email or User ID"}


def test_deleted_key_signs_nothing(setup, emulator):
    key_file = setup["key_file"]
    assert refresh(credentials(key_file))
    emulator.control("DELETE", f"/service-accounts/{setup['email']}/keys/{key_file['private_key_id']}")
    assert refusal(credentials(key_file)) == {"error": "invalid_grant", "error_description": "Invalid JWT Signature."}


def test_key_of_another_account_or_tampered_claims_fail_the_signature(setup, emulator):
    other = emulator.control("POST", "/service-accounts", json={"name": "other-one", "key": True})["key_file"]
    forged = dict(other, client_email=setup["email"], private_key_id=setup["key_file"]["private_key_id"])
    assert refusal(credentials(forged))["error_description"] == "Invalid JWT Signature."
    head, claims, signature = assertion(setup["key_file"]).split(".")
    altered = json.loads(base64.urlsafe_b64decode(claims + "=="))
    altered["sub"] = "bob@example.com"
    claims = base64.urlsafe_b64encode(json.dumps(altered).encode()).decode().rstrip("=")
    assert post_assertion(emulator, f"{head}.{claims}.{signature}") == (
        400, {"error": "invalid_grant", "error_description": "Invalid JWT Signature."})


def test_assertion_lifetime_and_timeframe(setup, emulator):
    key_file = setup["key_file"]
    now = int(time.time())
    for claims in ({"iat": now, "exp": now + 3601},           # longer than an hour
                   {"iat": now - 7200, "exp": now - 3600},    # expired
                   {"iat": now + 3600, "exp": now + 7200},    # from the future
                   {"iat": now, "exp": now - 10},             # ends before it starts
                   {"exp": None}):
        assert post_assertion(emulator, assertion(key_file, **claims)) == (400, TIMEFRAME), claims
    assert post_assertion(emulator, assertion(key_file, iat=now, exp=now + 3600))[0] == 200
    emulator.control("POST", "/clock", json={"advance_seconds": 7200})  # the emulator's clock decides
    assert post_assertion(emulator, assertion(key_file, iat=now, exp=now + 3600)) == (400, TIMEFRAME)


def test_issuer_audience_scope_and_shape(setup, emulator):
    key_file = setup["key_file"]
    assert post_assertion(emulator, assertion(key_file, iss="ghost@x.iam.gserviceaccount.com")) == (
        400, {"error": "invalid_grant", "error_description": "Invalid grant: account not found"})
    status, body = post_assertion(emulator, assertion(key_file, aud="https://example.org/token"))
    assert status == 400 and body["error_description"].startswith("Invalid JWT: Failed audience check.")
    assert post_assertion(emulator, assertion(key_file, aud=emulator.url + "/token"))[0] == 200
    assert post_assertion(emulator, assertion(key_file, scope=None)) == (
        400, {"error": "invalid_scope", "error_description": "Invalid OAuth scope or ID token audience provided."})
    assert post_assertion(emulator, "not-a-jwt")[1]["error"] == "invalid_grant"
    response = requests.post(emulator.url + "/token", data={"grant_type": GRANT}, timeout=10)
    assert response.status_code == 400 and response.json()["error"] == "invalid_request"


def test_without_subject_the_service_account_is_itself(setup, emulator):
    creds = credentials(setup["key_file"], subject=None)
    people, calendar = build(creds, emulator)
    with pytest.raises(HttpError) as excinfo:
        calendar.calendarList().list().execute()
    assert excinfo.value.resp.status == 403


def test_revoking_tokens_and_deleting_the_account(setup, emulator):
    creds = credentials(setup["key_file"])
    people, calendar = build(creds, emulator)
    call(calendar.calendarList().list())
    assert emulator.control("POST", f"/service-accounts/{setup['email']}/tokens/revoke") == {"revoked": 1}
    response = requests.get(emulator.url + "/calendar/v3/users/me/calendarList",
                            headers={"Authorization": f"Bearer {creds.token}"}, timeout=10)
    assert response.status_code == 401
    emulator.control("DELETE", f"/service-accounts/{setup['email']}")
    assert refusal(credentials(setup["key_file"]))["error_description"] == "Invalid grant: account not found"


def test_control_refuses_bad_input_and_changes_nothing(emulator):
    for body in ({"name": "UPPER"}, {"name": "ab"}, {"name": "ok-name", "project_id": "missing"}):
        response = requests.post(emulator.url + "/_emulator/service-accounts", json=body, timeout=10)
        assert response.status_code == 400, body
    emulator.control("POST", "/domains", json={"domain": "example.com"})
    for body in ({"client_id": "crm@x.iam.gserviceaccount.com", "scopes": SCOPES},
                 {"client_id": "123", "scopes": ""}, {"client_id": "123", "scopes": "contacts"}):
        response = requests.post(emulator.url + "/_emulator/domains/example.com/delegations", json=body, timeout=10)
        assert response.status_code == 400, body
    response = requests.post(emulator.url + "/_emulator/domains/example.com/users",
                             json={"email": "ann@other.org"}, timeout=10)
    assert response.status_code == 400
    assert emulator.control("GET", "/service-accounts") == {"service_accounts": []}
    assert emulator.control("GET", "/domains")["domains"] == [{"domain": "example.com", "users": [],
                                                                "delegations": []}]


def test_public_keys_are_published_where_the_key_file_says(setup, emulator):
    key_file = setup["key_file"]
    certs = requests.get(key_file["client_x509_cert_url"], timeout=10).json()
    assert list(certs) == [key_file["private_key_id"]]
    signed = assertion(key_file)
    assert jwt.decode(signed, certs=certs, audience=GOOGLE_TOKEN_URI)["sub"] == USER
    jwks = requests.get(f"{emulator.url}/service_accounts/v1/metadata/jwk/{setup['email']}", timeout=10).json()
    assert [k["kid"] for k in jwks["keys"]] == [key_file["private_key_id"]]
    emulator.control("DELETE", f"/service-accounts/{setup['email']}/keys/{key_file['private_key_id']}")
    assert requests.get(key_file["client_x509_cert_url"], timeout=10).json() == {}
    assert requests.get(f"{emulator.url}/robot/v1/metadata/x509/nobody%40x.iam.gserviceaccount.com",
                        timeout=10).status_code == 404


def test_fixture_shortcuts(emulator):
    account = emulator.service_account("shortcut")
    domains = emulator.workspace_domain("example.org", ["eve"], client_id=account["unique_id"], scopes=SCOPES)
    assert domains[0]["delegations"][0]["scopes"] == SCOPES
    assert refresh(credentials(account["key_file"], subject="eve@example.org"))


@pytest.mark.parametrize("claims", [{"sub": 5}, {"sub": ["a"]}, {"scope": ["x"]}, {"iss": {"a": 1}},
                                    {"aud": None}, {"iat": "now"}, {"exp": True}, {"scope": 7}])
def test_odd_claim_types_get_googles_refusals_not_a_crash(setup, emulator, claims):
    status, body = post_assertion(emulator, assertion(setup["key_file"], **claims))
    assert status in (400, 401) and body["error"] in ("invalid_grant", "invalid_scope", "unauthorized_client")


def signed(signer, header, claims):
    """A JWS with exactly this header (google-auth's encoder would put its own `alg` and `kid` back)."""
    def part(value):
        return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")

    signing_input = f"{part(header)}.{part(claims)}"
    return signing_input + "." + base64.urlsafe_b64encode(signer.sign(signing_input)).decode().rstrip("=")


def test_odd_headers_fail_the_signature(setup, emulator):
    signer = crypt.RSASigner.from_service_account_info(setup["key_file"])
    now = int(time.time())
    claims = {"iss": setup["email"], "aud": GOOGLE_TOKEN_URI, "iat": now, "exp": now + 3600,
              "scope": " ".join(SCOPES), "sub": USER}
    for header in ({"alg": "RS256", "kid": ["x"]}, {"alg": "RS256", "kid": 12}, {"alg": "none"},
                   {"alg": "HS256", "kid": setup["key_file"]["private_key_id"]}):
        assert post_assertion(emulator, signed(signer, header, claims)) == (
            400, {"error": "invalid_grant", "error_description": "Invalid JWT Signature."}), header
    assert post_assertion(emulator, signed(signer, [], claims)) == (
        400, {"error": "invalid_grant", "error_description": "Invalid JWT: Malformed assertion."})
    assert post_assertion(emulator, signed(signer, {"alg": "RS256", "typ": "JWT"}, claims))[0] == 200
