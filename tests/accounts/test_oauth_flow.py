"""Linking a Google account through the emulator's consent page, over real HTTP."""
import secrets

import pytest
import requests
from sqlalchemy import text

from tests.accounts.conftest import CLEAN_CALLBACK, login_with
from tests.accounts.helpers import CLIENT_ID, CLIENT_SECRET
from wizard.google import scopes
from wizard.settings.values import oauth_client
from wizard.google.tokens import ReconnectNeeded, get_oauth_session
from wizard.extensions import db
from wizard.models.accounts import AccountSettings, GoogleAccount, as_utc
from wizard.models.sync import Pair


@pytest.fixture
def user(make_user):
    return make_user("anna@example.com")


def accounts():
    db.session.expire_all()
    return db.session.scalars(db.select(GoogleAccount).order_by(GoogleAccount.id)).all()


def test_add_page_offers_gmail_with_a_local_icon(client, login, user, google):
    login(user)
    page = client.get("/sync/add").get_data(as_text=True)
    assert 'id="service-gmail"' in page
    assert "/static/accounts-gmail.svg" in page
    assert client.get("/static/accounts-gmail.svg").status_code == 200


def test_full_link_flow(web, login, user):
    login(user)
    auth_url = web.start()
    params = web.auth_params()
    assert auth_url.startswith(web.emulator.url + "/o/oauth2/v2/auth?")
    assert params["client_id"] == CLIENT_ID and params["redirect_uri"] == CLEAN_CALLBACK
    assert params["access_type"] == "offline" and params["include_granted_scopes"] == "true"
    assert params["code_challenge_method"] == "S256" and len(params["code_challenge"]) == 43
    assert "prompt" not in params  # no refresh token could be held for an account not chosen yet
    assert set(params["scope"].split()) == set(scopes.REQUESTED)

    response = web.back_to_app(web.consent())
    assert response.status_code == 302 and response.headers["Location"].endswith("/sync")
    [account] = accounts()
    assert (account.user_id, account.email, account.name) == (user.id, "anna@gmail.com", "Anna Ivanova")
    assert account.status == "connected" and account.is_linked
    assert scopes.missing(account.granted_scopes) == []
    assert account.refresh_token and account.access_token
    assert account.settings is not None and account.settings.notify_attendees == "none"
    page = web.client.get("/sync").get_data(as_text=True)
    assert "The Google account anna@gmail.com is linked." in page
    assert 'data-status="connected"' in page


def test_tokens_are_encrypted_at_rest(web, login, user):
    login(user)
    web.link()
    [account] = accounts()
    raw = db.session.execute(text("SELECT access_token_enc, refresh_token_enc FROM google_accounts")).one()
    assert account.access_token not in raw[0] and account.refresh_token not in raw[1]


def test_session_refreshes_an_expired_token_and_saves_it(web, login, user, app):
    login(user)
    web.link()
    [account] = accounts()
    old_access = account.access_token
    account.token_expires_at = account.token_expires_at.replace(year=2000)
    db.session.commit()
    session = get_oauth_session(account, oauth_client())
    response = session.get(app.config["GOOGLE_USERINFO_URL"], timeout=10)
    assert response.status_code == 200 and response.json()["email"] == "anna@gmail.com"
    [account] = accounts()
    assert account.access_token != old_access
    assert account.refresh_token  # a refresh response carries none: the old one is kept
    assert account.token_expires_at.year > 2000


def test_legacy_callback_path_works(web, login, user):
    from wizard.settings.values import set_setting

    set_setting("OAuthCallbackForm", "legacy")
    login(user)
    web.start()
    assert web.auth_params()["redirect_uri"].endswith("/0/ViewPage.aspx?Id=3b22f0ff-034a-48da-8758-a0660e5a26ff")
    location = web.consent()
    assert "/0/ViewPage.aspx?Id=3b22f0ff-034a-48da-8758-a0660e5a26ff&" in location
    assert web.back_to_app(location).status_code == 302
    assert [a.email for a in accounts()] == ["anna@gmail.com"]


def test_legacy_path_with_another_id_is_not_found(client, login, user):
    login(user)
    assert client.get("/0/ViewPage.aspx?Id=00000000-0000-0000-0000-000000000000&state=x").status_code == 404


def test_partial_consent_links_with_features_off_then_grant_missing(web, login, user):
    login(user)
    response = web.link(untick=(scopes.CONTACTS,))
    [account] = accounts()
    assert account.status == "connected"
    assert scopes.missing(account.granted_scopes) == [scopes.CONTACTS]
    page = web.client.get("/sync").get_data(as_text=True)
    assert "some access was not granted: Contacts" in page
    assert 'data-feature="contacts" data-granted="no"' in page
    assert 'data-feature="activities" data-granted="yes"' in page
    assert "Grant missing access" in page
    assert response.status_code == 302

    web.start(f"/sync/accounts/{account.id}/grant")
    params = web.auth_params()
    assert scopes.CONTACTS in params["scope"].split()
    assert params["login_hint"] == "anna@gmail.com"
    assert "prompt" not in params  # we hold a refresh token: no needless re-consent
    web.back_to_app(web.consent())
    [account] = accounts()
    assert scopes.missing(account.granted_scopes) == []


def test_cancel_links_nothing(web, login, user):
    login(user)
    web.start()
    response = web.back_to_app(web.consent(action="cancel"))
    assert response.status_code == 302
    assert "You cancelled access at Google" in web.client.get("/sync").get_data(as_text=True)
    assert accounts() == []


def test_replayed_state_is_refused_and_changes_nothing(web, login, user):
    login(user)
    web.start()
    location = web.consent()
    web.back_to_app(location)
    [before] = accounts()
    snapshot = (before.access_token_enc, before.refresh_token_enc, before.linked_at)
    web.client.get("/sync")  # consume the success message
    web.back_to_app(location)
    page = web.client.get("/sync").get_data(as_text=True)
    assert "expired or was already used" in page
    [after] = accounts()
    assert (after.access_token_enc, after.refresh_token_enc, after.linked_at) == snapshot


def test_forged_state_is_refused(web, login, user):
    login(user)
    web.start()
    location = web.consent()
    forged = location.replace("state=", "state=" + secrets.token_urlsafe(8))
    web.back_to_app(forged)
    assert "expired or was already used" in web.client.get("/sync").get_data(as_text=True)
    assert accounts() == []
    # A state without any pending authorization at all:
    web.client.get("/oauth/google/callback?state=abc&code=xyz")
    assert accounts() == []


def test_state_from_another_users_session_is_refused(web, other_web, login, user, make_user):
    login(user)
    web.start()
    location = web.consent()
    login_with(other_web.client, make_user("eve@example.com"))
    other_web.back_to_app(location)
    assert accounts() == []
    # ...and the victim's own flow still completes: the attacker could not even burn the state.
    web.back_to_app(location)
    assert [a.user_id for a in accounts()] == [user.id]


def test_missing_client_configuration(web, login, user):
    from wizard.settings.values import clear_setting

    clear_setting("GoogleClientSecret")
    login(user)
    response = web.client.post("/sync/connect/google")
    assert response.status_code == 302 and response.headers["Location"].endswith("/sync")
    assert "not set up yet" in web.client.get("/sync").get_data(as_text=True)
    assert accounts() == []


def test_configuration_removed_during_consent(web, login, user):
    from wizard.settings.values import clear_setting

    login(user)
    web.start()
    location = web.consent()
    clear_setting("GoogleClientId")
    web.back_to_app(location)
    assert "not set up yet" in web.client.get("/sync").get_data(as_text=True)
    assert accounts() == []


def test_changed_client_applies_without_restart(web, login, user, google):
    from wizard.settings.values import set_setting

    google.add_client(client_id="999999999999-newclientabcdefgh.apps.googleusercontent.com",
                      client_secret="GOCSPX-another-secret-012345", redirect_uris=[CLEAN_CALLBACK],
                      status="production")
    set_setting("GoogleClientId", "999999999999-newclientabcdefgh.apps.googleusercontent.com")
    set_setting("GoogleClientSecret", "GOCSPX-another-secret-012345")
    login(user)
    web.start()
    assert web.auth_params()["client_id"].startswith("999999999999-")
    web.back_to_app(web.consent())
    assert len(accounts()) == 1


def test_one_google_account_cannot_be_linked_by_two_users(web, other_web, login, user, make_user):
    login(user)
    web.link("anna@gmail.com")
    other = make_user("eve@example.com")
    login_with(other_web.client, other)
    other_web.link("anna@gmail.com")
    page = other_web.client.get("/sync").get_data(as_text=True)
    assert "already linked by another user" in page
    [account] = accounts()
    assert account.user_id == user.id and account.status == "connected"


def test_several_accounts_per_user(web, login, user):
    login(user)
    web.link("anna@gmail.com")
    web.link("boris@gmail.com")
    assert sorted(a.email for a in accounts()) == ["anna@gmail.com", "boris@gmail.com"]
    page = web.client.get("/sync").get_data(as_text=True)
    assert "anna@gmail.com" in page and "boris@gmail.com" in page


def test_revoked_grant_needs_reconnect_with_banner_then_reconnect(web, login, user, app, google):
    login(user)
    web.link()
    [account] = accounts()
    google.control("POST", "/grants/revoke", json={"email": "anna@gmail.com"})
    account.token_expires_at = account.token_expires_at.replace(year=2000)
    db.session.commit()
    with pytest.raises(ReconnectNeeded):
        get_oauth_session(account, oauth_client()).get(app.config["GOOGLE_USERINFO_URL"], timeout=10)
    [account] = accounts()
    assert account.status == "needs_reconnect" and account.reason_code == "invalid_grant"
    home = web.client.get("/").get_data(as_text=True)
    assert 'data-banner="reconnect"' in home and "anna@gmail.com" in home

    web.start(f"/sync/accounts/{account.id}/reconnect")
    params = web.auth_params()
    assert params["prompt"] == "consent"  # the dead refresh token was dropped: ask for a new one
    assert params["login_hint"] == "anna@gmail.com"
    web.back_to_app(web.consent())
    [again] = accounts()
    assert again.id == account.id and again.status == "connected" and again.refresh_token
    assert 'data-banner="reconnect"' not in web.client.get("/").get_data(as_text=True)


def test_reconnect_with_another_google_account_changes_nothing(web, login, user):
    from wizard.accounts.services import mark_needs_reconnect

    login(user)
    web.link("anna@gmail.com")
    [account] = accounts()
    mark_needs_reconnect(account.id, "invalid_grant")
    web.start(f"/sync/accounts/{account.id}/reconnect")
    web.back_to_app(web.consent(email="boris@gmail.com"))
    assert "but were reconnecting anna@gmail.com" in web.client.get("/sync").get_data(as_text=True)
    [account] = accounts()
    assert account.status == "needs_reconnect" and account.email == "anna@gmail.com"


def test_unlink_revokes_keeps_pairs_and_relink_reuses_everything(web, login, user, app, google):
    login(user)
    web.link()
    [account] = accounts()
    refresh_token = account.refresh_token
    account.settings.contacts_period_minutes = 240
    db.session.add(Pair(account_id=account.id, object="contacts", crm_id=1, google_id="people/c1"))
    db.session.commit()

    response = web.client.post(f"/sync/accounts/{account.id}/unlink")
    assert response.status_code == 302
    [account] = accounts()
    assert account.unlinked_at is not None and account.status == "revoked"
    assert account.access_token is None and account.refresh_token is None
    # Revoked at Google: the old refresh token is dead there.
    dead = requests.post(app.config["GOOGLE_TOKEN_URL"], data={
        "grant_type": "refresh_token", "refresh_token": refresh_token, "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET}, timeout=10)
    assert dead.status_code == 400 and dead.json()["error"] == "invalid_grant"
    page = web.client.get("/sync").get_data(as_text=True)
    assert "is unlinked and its access revoked" in page and 'data-account-id=' not in page
    assert web.client.get(f"/sync/accounts/{account.id}/settings").status_code == 404

    web.link()
    [again] = accounts()
    assert again.id == account.id and again.is_linked and again.status == "connected" and again.refresh_token
    assert db.session.scalar(db.select(db.func.count(GoogleAccount.id))) == 1
    assert db.session.scalar(db.select(db.func.count(AccountSettings.id))) == 1
    assert again.settings.contacts_period_minutes == 240
    assert db.session.scalars(db.select(Pair)).one().account_id == again.id
    assert "is connected again" in web.client.get("/sync").get_data(as_text=True)


def test_lost_refresh_token_is_requested_again_with_prompt_consent(web, login, user):
    """Google sends no refresh token to a client it already granted offline access: the product then asks
    once more with prompt=consent (and only then)."""
    login(user)
    web.link()
    [account] = accounts()
    db.session.delete(account)  # e.g. the database was restored from an old backup
    db.session.commit()
    web.start()
    response = web.back_to_app(web.consent())
    retry_url = response.headers["Location"]
    params = web.auth_params(retry_url)
    assert params["prompt"] == "consent" and params["login_hint"] == "anna@gmail.com"
    assert accounts() == []  # nothing half-saved in between
    web.back_to_app(web.consent(url=retry_url))
    [account] = accounts()
    assert account.refresh_token


def test_testing_client_token_expiry_is_shown(web, login, user, google):
    """Google states refresh_token_expires_in for a client in Testing: the health page shows the date."""
    google.control("PATCH", f"/clients/{CLIENT_ID}", json={"status": "testing"})
    login(user)
    web.link()
    [account] = accounts()
    assert account.refresh_token_expires_at is not None
    lifetime = account.testing_token_expiry() - as_utc(account.refresh_token_issued_at)
    assert abs(lifetime.total_seconds() / 86400 - 7) < 0.01
    page = web.client.get(f"/sync/accounts/{account.id}/health").get_data(as_text=True)
    assert 'data-token-health="expiring"' in page and "expires on" in page


def test_unlink_when_google_is_unreachable_still_forgets_the_tokens(web, login, user, app):
    login(user)
    web.link()
    [account] = accounts()
    app.config["GOOGLE_REVOKE_URL"] = "http://127.0.0.1:9/revoke"  # nothing listens there
    web.client.post(f"/sync/accounts/{account.id}/unlink")
    [account] = accounts()
    assert account.unlinked_at is not None and account.refresh_token is None and account.access_token is None
    assert "Google could not confirm the revocation" in web.client.get("/sync").get_data(as_text=True)
