"""What users and administrators see of delegated accounts: the user's sync settings and health pages work as
for a personally linked account (calendars read through the delegation), a stopped domain is one banner for
administrators and a plain line for its users, and the administrator's table switches users off and on
(as another address of the domain too) without duplicating anything."""
import pytest

from tests.workspace.conftest import token_requests
from wizard.accounts import domain as domain_accounts
from wizard.extensions import db
from wizard.google import workspace
from wizard.models.accounts import CONNECTED, REVOKED, GoogleAccount, mark_delegation_broken


@pytest.fixture
def ann(make_user):
    return make_user("ann@example.com")


@pytest.fixture
def admin(make_user):
    return make_user("boss@example.org", role="admin")  # outside the domain: no delegated account


def test_the_users_settings_and_health_pages_work_under_delegation(app, client, login, emulator, configured, ann):
    account = domain_accounts.enrol(ann, start_sync=False)
    login(ann)
    page = client.get(f"/sync/accounts/{account.id}/settings").get_data(as_text=True)
    assert "ann@example.com" in page
    calendar_lists = emulator.control("GET", "/stats")["by_user_endpoint"]["ann@example.com"]
    assert any("calendarList" in endpoint for endpoint in calendar_lists)  # read through the delegation
    assert token_requests(emulator) == 1
    assert client.get(f"/sync/accounts/{account.id}/health").status_code == 200
    page = client.get("/sync").get_data(as_text=True)
    assert "ann@example.com" in page


def test_a_stopped_domain_is_one_banner_for_admins_and_a_plain_line_for_users(
        app, client, login, emulator, configured, ann, admin, make_user):
    accounts = [domain_accounts.enrol(ann, start_sync=False),
                domain_accounts.enrol(make_user("bob@example.com"), start_sync=False)]
    assert mark_delegation_broken(workspace.KEY_INVALID) == 2
    login(ann)
    page = client.get("/crm/contacts").get_data(as_text=True)
    assert 'data-banner="domain-user"' in page and "administrator must reconnect" in page
    assert 'data-banner="reconnect"' not in page  # no button sending the user to a consent page
    assert 'data-banner="domain"' not in page
    health = client.get(f"/sync/accounts/{accounts[0].id}/health").get_data(as_text=True)
    assert "The administrator must reconnect the domain" in health
    assert "/reconnect" not in health
    client.post("/logout")
    login(admin)
    page = client.get("/crm/contacts").get_data(as_text=True)
    assert page.count('data-banner="domain"') == 1 and "Reconnect the domain" in page
    members = client.get("/admin/domain/users").get_data(as_text=True)
    assert members.count('data-state="needs_reconnect"') == len(accounts)


def test_the_admin_switches_a_user_off_and_on_as_another_address(app, client, login, emulator, configured,
                                                                  admin, make_user):
    carol = make_user("carol@crm.example.net")  # her CRM address is not the domain's
    ann = make_user("ann@example.com")
    login(admin)
    client.post("/admin/domain/users/enrol")
    page = client.get("/admin/domain/users").get_data(as_text=True)
    assert 'data-user="carol@crm.example.net" data-state="not_in_domain"' in page
    assert 'data-user="ann@example.com" data-state="on"' in page
    client.post(f"/admin/domain/users/{ann.id}/off")
    account = domain_accounts.delegated_account(ann)
    assert account.status == REVOKED and not account.is_linked
    client.post("/admin/domain/users/enrol")  # switched off stays off
    assert not domain_accounts.delegated_account(ann).is_linked
    client.post(f"/admin/domain/users/{ann.id}/on", data={"address": ""})
    assert domain_accounts.delegated_account(ann).id == account.id and account.status == CONNECTED
    # Carol is mapped to a domain address; an address outside the domain is refused with a reason.
    page = client.post(f"/admin/domain/users/{carol.id}/on", data={"address": "carol@gmail.com"},
                       follow_redirects=True).get_data(as_text=True)
    assert "carol@gmail.com is not an address of the domain example.com." in page
    assert domain_accounts.delegated_account(carol) is None
    client.post(f"/admin/domain/users/{carol.id}/on", data={"address": "cat@example.com"})
    assert domain_accounts.delegated_account(carol).email == "cat@example.com"
    # The same domain address cannot serve two CRM users.
    page = client.post(f"/admin/domain/users/{ann.id}/on", data={"address": "cat@example.com"},
                       follow_redirects=True).get_data(as_text=True)
    assert "cat@example.com is already connected for another user" in page
    assert db.session.scalar(db.select(db.func.count()).select_from(GoogleAccount)) == 2


def test_the_users_table_and_switches_are_for_admins_only(app, client, login, configured, ann):
    login(ann)
    assert client.get("/admin/domain/users").status_code in (403, 404)
    assert client.post(f"/admin/domain/users/{ann.id}/on").status_code in (400, 403, 404)
    assert domain_accounts.delegated_account(ann) is None


def test_a_user_invited_in_domain_mode_is_connected_at_once(app, client, login, emulator, configured, admin):
    login(admin)
    client.post("/admin/users/new", data={"email": "dan@example.com", "name": "Dan", "role": "user"})
    client.post("/admin/users/new", data={"email": "eve@gmail.com", "name": "Eve", "role": "user"})
    accounts = {a.email: a for a in db.session.scalars(db.select(GoogleAccount))}
    assert set(accounts) == {"dan@example.com"} and accounts["dan@example.com"].status == CONNECTED


def test_a_too_long_address_is_refused_with_a_reason(app, client, login, configured, admin, ann):
    login(admin)
    page = client.post(f"/admin/domain/users/{ann.id}/on", data={"address": "a" * 250 + "@example.com"},
                       follow_redirects=True)
    assert page.status_code == 200 and "254" in page.get_data(as_text=True)
    assert domain_accounts.delegated_account(ann) is None


def test_a_domain_user_may_still_link_a_personal_gmail(app, client, login, emulator, configured, ann):
    from tests.accounts.conftest import CLEAN_CALLBACK, SITE, Browser
    from tests.accounts.helpers import CLIENT_ID, CLIENT_SECRET, configure_google_client

    emulator.add_client(client_id=CLIENT_ID, client_secret=CLIENT_SECRET, redirect_uris=[CLEAN_CALLBACK],
                        javascript_origins=[SITE], status="production")
    emulator.add_user("anna.personal@gmail.com", "Anna")
    configure_google_client(SITE)
    delegated = domain_accounts.enrol(ann, start_sync=False)
    login(ann)
    response = Browser(client, emulator).link("anna.personal@gmail.com")
    assert response.status_code == 302
    accounts = {a.kind: a for a in db.session.scalars(db.select(GoogleAccount).where(GoogleAccount.user_id == ann.id))}
    assert set(accounts) == {"delegated", "personal"} and accounts["delegated"].id == delegated.id
    assert accounts["personal"].email == "anna.personal@gmail.com" and accounts["personal"].has_refresh_token
    assert accounts["delegated"].refresh_token_enc is None and accounts["delegated"].status == CONNECTED


def test_the_admin_menu_leads_to_the_users_of_the_domain_in_domain_mode_only(app, client, login, configured, ann,
                                                                             admin):
    from wizard.settings.values import set_setting

    login(admin)
    assert 'href="/admin/domain/users"' in client.get("/crm/contacts").get_data(as_text=True)
    set_setting("GoogleConnectionMode", "personal")
    assert 'href="/admin/domain/users"' not in client.get("/crm/contacts").get_data(as_text=True)
    set_setting("GoogleConnectionMode", "domain")
    client.post("/logout")
    login(ann)
    assert 'href="/admin/domain/users"' not in client.get("/crm/contacts").get_data(as_text=True)


def test_the_api_says_an_account_is_connected_by_the_domain(app, client, configured, ann):
    from wizard.api.tokens import create_token

    account = domain_accounts.enrol(ann, start_sync=False)
    token = create_token(ann.id)[1]
    body = client.get(f"/api/v1/accounts/{account.id}", headers={"Authorization": f"Bearer {token}"}).json
    assert body["connection"] == "delegated" and body["needs_reconnect"] is False


def test_going_back_to_personal_mode_stops_the_domain_and_coming_back_reconnects_the_same_accounts(
        app, client, login, emulator, configured, ann, admin, make_user):
    from wizard.jobs.schedule import account_is_runnable

    bob = make_user("bob@example.com")
    carol = make_user("carol@crm.example.net")  # mapped by the administrator to a domain address
    first = [domain_accounts.enrol(ann, start_sync=False), domain_accounts.enrol(bob, start_sync=False),
             domain_accounts.enrol(carol, "cat@example.com", start_sync=False)]
    domain_accounts.switch_off(first[1])  # the administrator's own switch-off of bob
    login(admin)
    warning = client.get("/admin/setup/mode").get_data(as_text=True)
    assert 'id="mode-stops-domain"' in warning and "stops the 2 users" in warning
    page = client.post("/admin/setup/mode", data={"mode": "personal"}, follow_redirects=True).get_data(as_text=True)
    assert "2 users connected through the domain were stopped" in page
    for account in first:
        db.session.refresh(account)
        assert not account.is_linked and not account_is_runnable(account)
    assert 'id="mode-stops-domain"' not in client.get("/admin/setup/mode").get_data(as_text=True)

    client.post("/admin/setup/mode", data={"mode": "domain"})
    again = domain_accounts.enrol_domain(start_sync=False)
    assert sorted(a.id for a in again) == sorted([first[0].id, first[2].id])  # the same rows: pairs kept
    assert {a.email for a in again} == {"ann@example.com", "cat@example.com"}
    db.session.refresh(first[1])
    assert not first[1].is_linked  # switched off by the administrator: stays off
