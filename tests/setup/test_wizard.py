"""The setup wizard through the test client, against the Google emulator over real HTTP."""
import io
import json
import re
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from config import google_endpoints
from tests.setup.conftest import CLIENT_ID, CLIENT_SECRET
from wizard.extensions import db
from wizard.models.settings import SetupWizardState
from wizard.settings import values as services
from wizard.setup import verify

SITE = "https://crm.example.com"
CLEAN = SITE + "/oauth/google/callback"
LEGACY = SITE + "/0/ViewPage.aspx?Id=3b22f0ff-034a-48da-8758-a0660e5a26ff"


@pytest.fixture
def google(app, emulator):
    """The app talks to the emulator; one admin Google account exists there."""
    app.config.update(google_endpoints(emulator.url))
    emulator.add_user("admin@example.com", "Admin")
    return emulator


def client_file(redirect_uris=(CLEAN,), origins=(SITE,), client_id=CLIENT_ID, secret=CLIENT_SECRET, key="web"):
    body = {key: {"client_id": client_id, "project_id": "crm-sync-123456", "client_secret": secret,
                  "auth_uri": "https://accounts.google.com/o/oauth2/auth", "token_uri": "https://oauth2.googleapis.com/token",
                  "redirect_uris": list(redirect_uris), "javascript_origins": list(origins)}}
    return json.dumps(body).encode()


def upload(admin_client, data, name="client_secret_123.json"):
    return admin_client.post("/admin/setup/credentials", data={"client_file": (io.BytesIO(data), name)},
                             content_type="multipart/form-data")


def set_address(admin_client, address=SITE):
    response = admin_client.post("/admin/setup/address", data={"site_address": address})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]


# --- steps 1-3 --------------------------------------------------------------------------------------------

def login_at(client, base_url, email="admin@example.com"):
    """The session cookie belongs to the host it was set for: log in at the host the test requests."""
    response = client.post("/login", data={"email": email, "password": "correct horse battery"}, base_url=base_url)
    assert response.status_code == 302


def test_address_prefilled_from_request_and_saved(admin_client):
    login_at(admin_client, "https://crm.example.org")
    page = admin_client.get("/admin/setup/address", base_url="https://crm.example.org").get_data(as_text=True)
    assert 'value="https://crm.example.org"' in page
    set_address(admin_client, "CRM.example.com")
    assert services.get_setting("SiteAddress") == SITE
    # Google accepts the values: step 2 is done too, step 3 repeats them with copy buttons.
    assert db.session.get(SetupWizardState, 1).step == "console"
    assert set(db.session.get(SetupWizardState, 1).completed) >= {"address", "values"}
    assert admin_client.get("/admin/setup").headers["Location"].endswith("/admin/setup/console")


def test_forwarded_headers_ignored_without_trusted_proxy(admin_client):
    login_at(admin_client, "http://10.0.0.5:8080")
    page = admin_client.get("/admin/setup/address", base_url="http://10.0.0.5:8080",
                            headers={"X-Forwarded-Host": "evil.example.net", "X-Forwarded-Proto": "https"})
    text = page.get_data(as_text=True)
    assert "evil.example.net" not in text
    assert 'value="https://10.0.0.5:8080"' not in text and "10.0.0.5:8080" in text


def test_forwarded_headers_honoured_behind_trusted_proxy(tmp_path, redis_server, make_user):
    from config import TestingConfig
    from wizard import create_app

    app = create_app(TestingConfig, INSTANCE_PATH=str(tmp_path / "p"), REDIS_URL=redis_server.url,
                     TRUSTED_PROXY_COUNT=1)
    with app.app_context():
        db.drop_all()  # a shared server database may hold another app's tables
        db.create_all()
        from wizard.models import User
        user = User(email="root@example.com", role="admin")
        user.set_password("correct horse battery")
        db.session.add(user)
        db.session.commit()
        client = app.test_client()
        client.post("/login", data={"email": "root@example.com", "password": "correct horse battery"})
        page = client.get("/admin/setup/address", base_url="http://10.0.0.5:8080",
                          headers={"X-Forwarded-Host": "crm.example.com", "X-Forwarded-Proto": "https"})
        assert 'value="https://crm.example.com"' in page.get_data(as_text=True)
        db.session.remove()
        db.drop_all()


def test_address_with_fragment_refused_next_to_field(admin_client):
    response = admin_client.post("/admin/setup/address", data={"site_address": "https://crm.example.com/#x"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "fragment" in page and "invalid-feedback" in page
    assert not services.is_set("SiteAddress")


def test_documented_intranet_recipe_is_refused_at_step_1_with_what_works(admin_client):
    response = admin_client.post("/admin/setup/address", data={"site_address": "10.0.0.5:8080"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and not services.is_set("SiteAddress")  # nothing saved
    assert 'data-code="raw_ip_host"' in page
    assert "Invalid Redirect: must end with a public top-level domain (such as .com or .org)." in page
    alternatives = re.search(r'id="address-alternatives".*?</div>', page, re.S).group(0)
    assert "https://crm.example.com" in alternatives and "http://localhost:8080" in alternatives
    assert db.session.get(SetupWizardState, 1).step == "address"


def test_the_seeds_full_uri_names_every_problem_at_step_1(admin_client):
    seed = "http://10.0.0.5:8080/0/ViewPage.aspx?Id=3b22f0ff-034a-48da-8758-a0660e5a26ff"
    page = admin_client.post("/admin/setup/address", data={"site_address": seed}).get_data(as_text=True)
    assert "/0/ViewPage.aspx" in re.search(r'class="invalid-feedback[^"]*"[^>]*>(.*?)</div>', page, re.S).group(1)
    assert 'data-code="raw_ip_host"' in page and 'data-code="scheme_not_https"' in page
    assert not services.is_set("SiteAddress")


@pytest.mark.parametrize("address, code", [("http://crm.example.com", "scheme_not_https"),
                                           ("https://crm.local", "tld_not_public_suffix")])
def test_other_refused_addresses_stay_at_step_1(admin_client, address, code):
    page = admin_client.post("/admin/setup/address", data={"site_address": address}).get_data(as_text=True)
    assert f'data-code="{code}"' in page and not services.is_set("SiteAddress")


def test_a_refused_address_saved_elsewhere_is_not_passed_on_by_step_2(admin_client):
    services.set_setting("SiteAddress", "https://10.0.0.5:8080")  # e.g. through the system settings card
    admin_client.post("/admin/setup/address", data={"site_address": SITE})
    services.set_setting("SiteAddress", "https://10.0.0.5:8080")
    page = admin_client.get("/admin/setup/values").get_data(as_text=True)
    assert 'data-code="raw_ip_host"' in page and 'id="fix-address"' in page
    assert "copy-button" not in page and 'id="values-form"' not in page and 'id="values-ok"' not in page
    assert "✓" not in re.search(r'data-step="address".*?</a>', page, re.S).group(0)
    assert "✓" not in re.search(r'data-step="values".*?</a>', page, re.S).group(0)
    response = admin_client.post("/admin/setup/values", data={"callback_form": "clean"})
    assert response.status_code == 200 and 'id="fix-address"' in response.get_data(as_text=True)


def test_values_copy_buttons_and_callback_choice(admin_client):
    set_address(admin_client)
    page = admin_client.get("/admin/setup/values").get_data(as_text=True)
    assert page.count("copy-button") >= 2 and 'id="values-ok"' in page
    assert f'value="{SITE}"' in page and f'value="{CLEAN}"' in page
    assert admin_client.post("/admin/setup/values", data={"callback_form": "legacy"}).status_code == 302
    assert services.google_client_config() is None
    assert services.redirect_uris() == [LEGACY, CLEAN]


def test_console_checklist(admin_client):
    set_address(admin_client)
    page = admin_client.get("/admin/setup/console").get_data(as_text=True)
    assert "Google People API" in page and "people.googleapis.com" in page
    assert "calendar-json.googleapis.com" in page
    assert "7 days" in page and 'id="testing-warning"' in page
    assert "Web application" in page and CLEAN in page
    admin_client.post("/admin/setup/console", data={"publishing_status": "testing"})
    assert services.get_setting("GoogleAppPublishingStatus") == "testing"
    assert "7 days" in admin_client.get("/admin/setup/summary").get_data(as_text=True)


# --- step 4 -----------------------------------------------------------------------------------------------

def test_upload_matching_file_saves_both_settings(admin_client, admin):
    set_address(admin_client)
    response = upload(admin_client, client_file())
    assert response.status_code == 302 and response.headers["Location"].endswith("/admin/setup/verify")
    assert services.get_setting("GoogleClientId") == CLIENT_ID
    assert services.get_setting("GoogleClientSecret") == CLIENT_SECRET
    assert {e.setting_code for e in services.audit_entries()} >= {"GoogleClientId", "GoogleClientSecret"}


def test_the_console_step_takes_the_downloaded_file(admin_client, google):
    set_address(admin_client)
    page = admin_client.get("/admin/setup/console").get_data(as_text=True)
    form = re.search(r'<form[^>]*id="console-upload-form".*?</form>', page, re.S).group(0)
    assert 'action="/admin/setup/credentials"' in form and 'id="client_file"' in form
    response = upload(admin_client, client_file())
    assert response.headers["Location"].endswith("/admin/setup/verify")
    assert {"console", "credentials"} <= set(db.session.get(SetupWizardState, 1).completed)


def test_upload_runs_googles_check_in_the_same_step(admin_client, google):
    google.add_client(client_id=CLIENT_ID, client_secret=CLIENT_SECRET, redirect_uris=[CLEAN],
                      javascript_origins=[SITE], status="production")
    set_address(admin_client)
    upload(admin_client, client_file())
    assert db.session.get(SetupWizardState, 1).probe_status == "accepted"
    page = admin_client.get("/admin/setup/verify").get_data(as_text=True)
    assert 'id="probe-result" data-status="accepted"' in page


def test_an_upload_google_refuses_says_so_on_arrival(admin_client, google):
    set_address(admin_client)
    upload(admin_client, client_file())  # no such client registered at Google
    db.session.expire_all()
    assert db.session.get(SetupWizardState, 1).probe_status == "invalid_client"
    assert "verify" not in db.session.get(SetupWizardState, 1).completed


@pytest.mark.parametrize("redirects,expected", [
    ([SITE + "/oauth/google/callback/"], "trailing slash"),
    (["http://crm.example.com/oauth/google/callback"], "scheme"),
    (["https://crm.example.com:8443/oauth/google/callback"], "port"),
    (["https://crm.example.org/oauth/google/callback"], "host"),
    ([LEGACY], "other callback form"),
    ([], "no Authorized redirect URIs"),
])
def test_upload_with_differing_redirect_says_exactly_what_differs(admin_client, redirects, expected):
    set_address(admin_client)
    response = upload(admin_client, client_file(redirect_uris=redirects))
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and 'id="differences"' in page
    assert f"do not include {CLEAN}" in page
    assert expected in page
    assert services.get_setting("GoogleClientId") == CLIENT_ID  # saved; the fix is in the console
    again = admin_client.get("/admin/setup/credentials").get_data(as_text=True)
    assert 'id="differences"' in again  # survives leaving the page


def test_upload_origin_difference(admin_client):
    set_address(admin_client)
    page = upload(admin_client, client_file(origins=[SITE + "/"])).get_data(as_text=True)
    assert f"origins do not include {SITE}" in page and "trailing slash" in page


@pytest.mark.parametrize("data,message", [
    (b"not json at all", "not JSON"),
    (b"[1, 2]", "not a client file from Google"),
    (json.dumps({"type": "service_account", "private_key": "x"}).encode(), "service account"),
    (client_file(key="installed"), "Desktop app"),
    (client_file(client_id="my-app"), "not a Google OAuth client ID"),
    (client_file(secret="GOCSPX-has spaces in it"), "spaces"),
    (b"", "empty"),
])
def test_bad_files_change_nothing(admin_client, data, message):
    set_address(admin_client)
    response = upload(admin_client, data)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and message in page and 'id="client_file-error"' in page \
        or 'id="client_id-error"' in page or 'id="client_secret-error"' in page
    assert message in page
    assert not services.is_set("GoogleClientId") and not services.is_set("GoogleClientSecret")


def test_ten_megabyte_upload_refused_with_message(admin_client):
    set_address(admin_client)
    big = b"{" + b" " * (10 * 1024 * 1024) + b"}"
    response = upload(admin_client, big)
    page = response.get_data(as_text=True)
    assert response.status_code == 413
    assert "too large" in page and 'id="client_file-error"' in page
    assert not services.is_set("GoogleClientId")


def test_sixty_five_kilobyte_upload_refused_by_own_limit(admin_client):
    set_address(admin_client)
    page = upload(admin_client, b"{" + b" " * 70000 + b"}").get_data(as_text=True)
    assert "too large" in page and not services.is_set("GoogleClientId")


def test_paste_credentials_and_secret_kept_on_empty(admin_client):
    set_address(admin_client)
    bad = admin_client.post("/admin/setup/credentials", data={"client_id": "x", "client_secret": "y y"})
    page = bad.get_data(as_text=True)
    assert 'id="client_id-error"' in page and 'id="client_secret-error"' in page
    assert not services.is_set("GoogleClientId")
    ok = admin_client.post("/admin/setup/credentials", data={"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET})
    assert ok.status_code == 302
    other_id = "987654321098-zyxwvutsrq.apps.googleusercontent.com"
    admin_client.post("/admin/setup/credentials", data={"client_id": other_id, "client_secret": ""})
    assert services.get_setting("GoogleClientId") == other_id
    assert services.get_setting("GoogleClientSecret") == CLIENT_SECRET
    assert CLIENT_SECRET not in admin_client.get("/admin/setup/credentials").get_data(as_text=True)


# --- step 5 against the emulator --------------------------------------------------------------------------

def configure(admin_client, google, redirect_uris=(CLEAN,), secret=CLIENT_SECRET, **client):
    set_address(admin_client)
    google.add_client(client_id=CLIENT_ID, client_secret=CLIENT_SECRET, redirect_uris=list(redirect_uris),
                      javascript_origins=[SITE], status="production", **client)
    assert upload(admin_client, client_file(secret=secret)).status_code == 302


def test_probe_accepts_the_right_pair(admin_client, google):
    configure(admin_client, google)
    response = admin_client.post("/admin/setup/verify/probe")
    assert response.status_code == 302
    page = admin_client.get("/admin/setup/verify").get_data(as_text=True)
    assert 'id="probe-result" data-status="accepted"' in page


def test_probe_explains_a_wrong_secret(admin_client, google):
    configure(admin_client, google, secret="GOCSPX-thisIsNotTheRightSecret1")
    admin_client.post("/admin/setup/verify/probe")
    page = admin_client.get("/admin/setup/verify").get_data(as_text=True)
    assert 'data-status="invalid_client"' in page
    assert "Add secret" in page  # the console's words for the fix


def test_probe_explains_an_unknown_client(admin_client, google):
    set_address(admin_client)
    upload(admin_client, client_file())  # never registered in the emulator
    admin_client.post("/admin/setup/verify/probe")
    page = admin_client.get("/admin/setup/verify").get_data(as_text=True)
    assert 'data-status="invalid_client"' in page


def consent(auth_url, action="allow", email="admin@example.com"):
    """Play the admin's browser on the emulator's consent page; return the redirect back to the site."""
    session = requests.Session()
    page = session.get(auth_url, allow_redirects=False, timeout=10)
    assert page.status_code == 200, page.text[:500]
    txn = re.search(r'name="txn" value="([^"]+)"', page.text).group(1)
    scopes = re.findall(r'name="scope" value="([^"]+)"', page.text)
    answer = session.post(auth_url.split("/o/oauth2")[0] + "/o/oauth2/v2/auth/consent", allow_redirects=False,
                          data={"txn": txn, "email": email, "scope": scopes, "action": action}, timeout=10)
    assert answer.status_code == 302, answer.text[:500]
    return answer.headers["Location"]


def roundtrip(admin_client, action="allow", callback=CLEAN):
    """Start the round trip, consent at the emulator, come back through the registered callback path."""
    start = admin_client.post("/admin/setup/verify/roundtrip")
    assert start.status_code == 302
    back = consent(start.headers["Location"], action)
    assert back.startswith(callback)
    parts = urlsplit(back)
    assert parse_qs(parts.query)["state"][0].startswith(verify.ROUNDTRIP_STATE_PREFIX)
    return admin_client.get(parts.path + "?" + parts.query), parts.query


def test_roundtrip_proves_redirect_and_apis(admin_client, google):
    configure(admin_client, google)
    finished, _ = roundtrip(admin_client)
    assert finished.headers["Location"].endswith("/admin/setup/verify#roundtrip")
    page = admin_client.get("/admin/setup/verify").get_data(as_text=True)
    assert 'id="roundtrip-result" data-status="ok"' in page and "admin@example.com" in page
    assert google.state.access_tokens == {} or all(
        t.get("revoked") for t in google.state.access_tokens.values())  # the wizard kept nothing


def test_roundtrip_through_the_legacy_callback(admin_client, google):
    configure(admin_client, google, redirect_uris=[LEGACY])
    admin_client.post("/admin/setup/values", data={"callback_form": "legacy"})
    finished, _ = roundtrip(admin_client, callback=LEGACY + "&")
    assert finished.headers["Location"].endswith("/admin/setup/verify#roundtrip")
    assert db.session.get(SetupWizardState, 1).roundtrip_status == "ok"


def test_other_states_pass_through_the_callback(admin_client):
    response = admin_client.get("/oauth/google/callback?state=someone-else&code=4/x")
    assert db.session.get(SetupWizardState, 1) is None or \
        db.session.get(SetupWizardState, 1).roundtrip_status is None
    assert response.status_code != 302 or "/admin/setup" not in response.headers.get("Location", "")


def test_roundtrip_state_is_single_use(admin_client, google):
    configure(admin_client, google)
    _, query = roundtrip(admin_client)
    calls = google.stats()
    replay = admin_client.get("/admin/setup/verify/return?" + query)
    assert replay.status_code == 302
    assert google.stats() == calls  # nothing sent to Google again
    assert db.session.get(SetupWizardState, 1).roundtrip_status == "ok"
    forged = admin_client.get("/admin/setup/verify/return?state=setup-forged&code=4/x")
    assert forged.status_code == 302 and google.stats() == calls


def test_roundtrip_reports_a_disabled_api(admin_client, google):
    configure(admin_client, google, disabled_apis=["people"])
    roundtrip(admin_client)
    page = admin_client.get("/admin/setup/verify").get_data(as_text=True)
    assert 'data-status="SERVICE_DISABLED"' in page
    assert "Google People API is not enabled" in page and "APIs &amp; Services → Library" in page


def test_roundtrip_reports_declined_consent(admin_client, google):
    configure(admin_client, google)
    roundtrip(admin_client, action="cancel")
    page = admin_client.get("/admin/setup/verify").get_data(as_text=True)
    assert 'data-status="access_denied"' in page and "Test users" in page


def test_redirect_mismatch_is_shown_on_googles_page_and_explained_here(admin_client, google):
    configure(admin_client, google, redirect_uris=[SITE + "/oauth/google/callback/"])
    start = admin_client.post("/admin/setup/verify/roundtrip")
    google_page = requests.get(start.headers["Location"], timeout=10)
    assert google_page.status_code == 400 and "redirect_uri_mismatch" in google_page.text
    page = admin_client.get("/admin/setup/verify").get_data(as_text=True)
    assert "redirect_uri_mismatch" in page and f"add exactly {CLEAN}" in page


def test_full_walk_resumes_and_summarises(admin_client, google):
    configure(admin_client, google)
    admin_client.post("/admin/setup/verify/probe")
    roundtrip(admin_client)
    page = admin_client.get("/admin/setup/summary").get_data(as_text=True)
    assert 'id="ready"' in page and CLIENT_ID in page and CLEAN in page
    assert CLIENT_SECRET not in page
    state = db.session.get(SetupWizardState, 1)
    assert {"address", "credentials", "verify"} <= set(state.completed)


def test_wizard_roundtrip_state_at_the_callback_is_admin_only(client, make_user, login):
    login(make_user("user@example.com"))
    response = client.get("/oauth/google/callback?state=setup-abc&code=4/x")
    assert response.status_code == 403
    assert client.get("/admin/setup/verify/return?state=setup-abc&code=4/x").status_code == 403
