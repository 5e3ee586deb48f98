"""OAuth 2.0 against the emulator: Authlib's client completes auth-code + PKCE and a refresh; the consent
page's form, refresh-token rules, revocation and the testing-status 7-day expiry."""
import re
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from authlib.integrations.requests_client import OAuth2Session
from authlib.oauth2.rfc7636 import create_s256_code_challenge

CLIENT_ID = "web-client.apps.googleusercontent.com"
SECRET = "GOCSPX-secret"
REDIRECT = "http://localhost:5000/oauth/google/callback"
SCOPE = "openid email https://www.googleapis.com/auth/contacts https://www.googleapis.com/auth/calendar.events"


@pytest.fixture
def client(emulator):
    emulator.add_user("ann@example.com", "Ann Smith")
    emulator.add_user("bob@example.com", "Bob Jones")
    emulator.add_client(CLIENT_ID, SECRET, [REDIRECT], ["http://localhost:5000"], status="testing")
    return emulator


def consent(emulator, url, email="ann@example.com", untick=(), action="allow"):
    """Walk the consent page the way a browser would: GET the page, submit its form."""
    page = requests.get(url, timeout=5)
    assert page.status_code == 200, page.text
    txn = re.search(r'name="txn" value="([^"]+)"', page.text).group(1)
    scopes = [s for s in re.findall(r'name="scope" value="([^"]+)"', page.text) if s not in untick]
    answer = requests.post(emulator.url + "/o/oauth2/v2/auth/consent", allow_redirects=False, timeout=5,
                           data={"txn": txn, "email": email, "scope": scopes, "action": action})
    assert answer.status_code == 302, answer.text
    return answer.headers["Location"]


def session(emulator, **extra):
    return OAuth2Session(CLIENT_ID, SECRET, scope=SCOPE, redirect_uri=REDIRECT, code_challenge_method="S256",
                         **extra)


def test_authlib_auth_code_with_pkce_and_refresh(client):
    emulator = client
    oauth = session(emulator)
    verifier = "v" * 64
    url, state = oauth.create_authorization_url(emulator.url + "/o/oauth2/v2/auth", code_verifier=verifier,
                                                access_type="offline", include_granted_scopes="true")
    callback = consent(emulator, url)
    assert parse_qs(urlsplit(callback).query)["state"] == [state]
    token = oauth.fetch_token(emulator.url + "/token", authorization_response=callback, code_verifier=verifier)
    assert token["refresh_token"] and token["expires_in"] == 3600 and token["id_token"]
    assert "https://www.googleapis.com/auth/userinfo.email" in token["scope"].split()
    info = oauth.get(emulator.url + "/v1/userinfo").json()
    assert info["email"] == "ann@example.com"
    refreshed = oauth.refresh_token(emulator.url + "/token", refresh_token=token["refresh_token"])
    assert refreshed["access_token"] != token["access_token"]
    assert "refresh_token" not in refreshed or refreshed["refresh_token"] == token["refresh_token"]
    people = requests.get(emulator.url + "/v1/people/me/connections", params={"personFields": "names"},
                          headers={"Authorization": f"Bearer {refreshed['access_token']}"}, timeout=5)
    assert people.status_code == 200


def start(emulator, **params):
    query = {"client_id": CLIENT_ID, "redirect_uri": REDIRECT, "response_type": "code", "scope": SCOPE,
             "state": "xyz", "access_type": "offline", **params}
    return emulator.url + "/o/oauth2/v2/auth?" + requests.compat.urlencode(query)


def exchange(emulator, code, **extra):
    data = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT, "client_id": CLIENT_ID,
            "client_secret": SECRET, **extra}
    return requests.post(emulator.url + "/token", data={k: v for k, v in data.items() if v is not None},
                         timeout=5)


def code_of(location):
    return parse_qs(urlsplit(location).query)["code"][0]


def test_refresh_token_only_on_first_offline_grant_or_prompt_consent(client):
    first = exchange(client, code_of(consent(client, start(client)))).json()
    assert "refresh_token" in first
    second = exchange(client, code_of(consent(client, start(client)))).json()
    assert "refresh_token" not in second
    third = exchange(client, code_of(consent(client, start(client, prompt="consent")))).json()
    assert "refresh_token" in third


def test_codes_are_single_use_and_bound_to_redirect_uri(client):
    code = code_of(consent(client, start(client)))
    assert exchange(client, code, redirect_uri="http://localhost:5000/other").json()["error"] == "redirect_uri_mismatch"
    assert exchange(client, code).status_code == 200
    reuse = exchange(client, code)
    assert reuse.status_code == 400 and reuse.json() == {"error": "invalid_grant", "error_description": "Bad Request"}


def test_client_secret_required_even_with_pkce(client):
    challenge = create_s256_code_challenge("w" * 50)
    code = code_of(consent(client, start(client, code_challenge=challenge, code_challenge_method="S256")))
    missing = exchange(client, code, client_secret=None, code_verifier="w" * 50)
    assert missing.status_code == 400 and missing.json()["error_description"] == "client_secret is missing."
    wrong = exchange(client, code, code_verifier="x" * 50)
    assert wrong.json() == {"error": "invalid_grant", "error_description": "Invalid code verifier."}


def test_granular_consent_and_cancel(client):
    location = consent(client, start(client), untick=("https://www.googleapis.com/auth/calendar.events",))
    token = exchange(client, code_of(location)).json()
    assert "https://www.googleapis.com/auth/calendar.events" not in token["scope"].split()
    assert "https://www.googleapis.com/auth/contacts" in token["scope"].split()
    denied = consent(client, start(client), action="cancel")
    assert parse_qs(urlsplit(denied).query) == {"error": ["access_denied"], "state": ["xyz"]}


def test_revoke_and_testing_expiry(client):
    token = exchange(client, code_of(consent(client, start(client)))).json()
    refresh = {"grant_type": "refresh_token", "refresh_token": token["refresh_token"], "client_id": CLIENT_ID,
               "client_secret": SECRET}
    assert requests.post(client.url + "/token", data=refresh, timeout=5).status_code == 200
    client.control("POST", "/clock", json={"advance_days": 7})
    expired = requests.post(client.url + "/token", data=refresh, timeout=5)
    assert expired.status_code == 400
    assert expired.json() == {"error": "invalid_grant", "error_description": "Token has been expired or revoked."}
    token = exchange(client, code_of(consent(client, start(client, prompt="consent")))).json()
    assert requests.post(client.url + "/revoke", data={"token": token["refresh_token"]}, timeout=5).status_code == 200
    refresh["refresh_token"] = token["refresh_token"]
    assert requests.post(client.url + "/token", data=refresh, timeout=5).json()["error"] == "invalid_grant"
    api = requests.get(client.url + "/v1/people/me/connections?personFields=names", timeout=5,
                       headers={"Authorization": f"Bearer {token['access_token']}"})
    assert api.status_code == 401 and "invalid_token" in api.headers["WWW-Authenticate"]


def test_at_most_100_refresh_tokens_per_user_and_client(client):
    client.control("PATCH", "/settings", json={"max_refresh_tokens": 3})
    tokens = [exchange(client, code_of(consent(client, start(client, prompt="consent")))).json()["refresh_token"]
              for _ in range(4)]
    def works(value):
        return requests.post(client.url + "/token", timeout=5, data={
            "grant_type": "refresh_token", "refresh_token": value, "client_id": CLIENT_ID,
            "client_secret": SECRET}).status_code == 200
    assert [works(t) for t in tokens] == [False, True, True, True]


def test_control_authorize_without_browser(client):
    result = client.control("POST", "/authorize", json={"url": start(client), "email": "bob@example.com"})
    assert result["redirect_url"].startswith(REDIRECT + "?")
    assert exchange(client, result["code"]).json()["refresh_token"]


def test_openid_configuration_lists_emulator_urls(client):
    config = requests.get(client.url + "/.well-known/openid-configuration", timeout=5).json()
    assert config["authorization_endpoint"] == client.url + "/o/oauth2/v2/auth"
    assert config["token_endpoint"] == client.url + "/token"
    assert config["userinfo_endpoint"] == client.url + "/v1/userinfo"
    assert requests.get(config["jwks_uri"], timeout=5).json()["keys"][0]["kty"] == "RSA"


def b64decode(text):
    import base64

    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def test_id_token_verifies_against_jwks(client):
    import json

    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding, rsa

    token = exchange(client, code_of(consent(client, start(client)))).json()
    header, payload, signature = token["id_token"].split(".")
    jwk = next(k for k in requests.get(client.url + "/oauth2/v3/certs", timeout=5).json()["keys"]
               if k["kid"] == json.loads(b64decode(header))["kid"])
    public = rsa.RSAPublicNumbers(int.from_bytes(b64decode(jwk["e"]), "big"),
                                  int.from_bytes(b64decode(jwk["n"]), "big")).public_key()
    public.verify(b64decode(signature), f"{header}.{payload}".encode(), padding.PKCS1v15(), hashes.SHA256())
    claims = json.loads(b64decode(payload))
    assert claims["aud"] == CLIENT_ID and claims["email"] == "ann@example.com" and claims["iss"] == client.url
    assert claims["exp"] > claims["iat"]


def test_use_another_account(client):
    page = requests.get(start(client), timeout=5)
    txn = re.search(r'name="txn" value="([^"]+)"', page.text).group(1)
    answer = requests.post(client.url + "/o/oauth2/v2/auth/consent", allow_redirects=False, timeout=5, data={
        "txn": txn, "email": "", "other_email": "New.Person@example.com", "action": "allow",
        "scope": "https://www.googleapis.com/auth/contacts"})
    token = exchange(client, code_of(answer.headers["Location"])).json()
    info = requests.get(client.url + "/v1/userinfo", headers={"Authorization": f"Bearer {token['access_token']}"},
                        timeout=5).json()
    assert info["email"] == "new.person@example.com"
