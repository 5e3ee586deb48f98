"""The wizard's verification of the domain, through its page, against the emulator: it signs an assertion
for a test user, reads their calendar list and contacts, and names Google's answer — a key Google does not
know, a grant that lacks scopes (the missing ones listed), an address the domain does not have, an API not
enabled — in plain words, in English and Russian."""
import io
import json

import pytest

from tests.workspace.conftest import DOMAIN
from tests.workspace.keys import key_bytes
from wizard.google import workspace
from wizard.models.accounts import GoogleAccount
from wizard.extensions import db


@pytest.fixture
def admin_client(client, make_user, login):
    login(make_user("admin@example.com", role="admin"))
    return client


def upload(client, key_file: dict | bytes, domain=DOMAIN):
    data = key_file if isinstance(key_file, bytes) else json.dumps(key_file).encode()
    response = client.post("/admin/setup/domain", data={"key_file": (io.BytesIO(data), "key.json"),
                                                        "domain": domain}, content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)[:300]


def verify(client, address="ann@example.com"):
    response = client.post("/admin/setup/domain/verify", data={"address": address})
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_a_granted_delegation_verifies_and_connects_the_domains_users(admin_client, emulator, domain,
                                                                      service_account, make_user):
    make_user("bob@example.com")
    upload(admin_client, service_account["key_file"])
    page = verify(admin_client)
    assert 'data-status="ok"' in page and "calendar list and contacts were read" in page
    # bob (a CRM user of the domain) is connected; the administrator's own address is in the domain too.
    emails = sorted(a.email for a in db.session.scalars(db.select(GoogleAccount)))
    assert emails == ["admin@example.com", "bob@example.com"]


def test_a_key_google_does_not_know_says_so(admin_client, emulator, domain):
    upload(admin_client, key_bytes(email="crm-sync@unknown-project.iam.gserviceaccount.com"))
    page = verify(admin_client)
    assert f'data-status="{workspace.KEY_INVALID}"' in page
    assert "Google refused the key" in page and "Create new key" in page


def test_a_deleted_key_says_so(admin_client, emulator, domain, service_account):
    upload(admin_client, service_account["key_file"])
    emulator.control("DELETE", f"/service-accounts/{service_account['email']}/keys/"
                               f"{service_account['key_file']['private_key_id']}")
    page = verify(admin_client)
    assert f'data-status="{workspace.KEY_INVALID}"' in page and "Invalid JWT Signature." in page


def test_missing_scopes_are_listed(admin_client, emulator, domain, service_account):
    emulator.control("POST", f"/domains/{DOMAIN}/delegations",
                     json={"client_id": service_account["unique_id"], "scopes": workspace.SCOPES[0]})
    upload(admin_client, service_account["key_file"])
    page = verify(admin_client)
    assert f'data-status="{workspace.DELEGATION_MISSING}"' in page and "unauthorized_client" in page
    missing = page.split('id="missing-scopes"')[1].split("</ul>")[0]
    assert workspace.SCOPES[0] not in missing
    assert all(scope in missing for scope in workspace.SCOPES[1:])
    assert service_account["unique_id"] in page  # the client ID to grant, named in the instruction


def test_no_delegation_at_all_lists_every_scope(admin_client, emulator, service_account):
    emulator.control("POST", "/domains", json={"domain": DOMAIN, "users": ["ann@example.com"]})
    upload(admin_client, service_account["key_file"])
    page = verify(admin_client)
    missing = page.split('id="missing-scopes"')[1].split("</ul>")[0]
    assert all(scope in missing for scope in workspace.SCOPES)


def test_an_unknown_user_is_named(admin_client, emulator, domain, service_account):
    upload(admin_client, service_account["key_file"])
    page = verify(admin_client, "nobody@example.com")
    assert f'data-status="{workspace.USER_UNKNOWN}"' in page
    assert "nobody@example.com is not a user of the Google Workspace domain" in page
    assert db.session.scalar(db.select(GoogleAccount)) is None  # nothing connected on a failed check


def test_an_api_not_enabled_is_named(admin_client, emulator):
    account = emulator.control("POST", "/service-accounts", json={
        "name": "crm-sync", "key": True, "disabled_apis": ["people"]})
    emulator.control("POST", "/domains", json={"domain": DOMAIN, "users": ["ann@example.com"]})
    emulator.control("POST", f"/domains/{DOMAIN}/delegations",
                     json={"client_id": account["unique_id"], "scopes": ",".join(workspace.SCOPES)})
    upload(admin_client, account["key_file"])
    page = verify(admin_client)
    assert 'data-status="SERVICE_DISABLED"' in page and "Google People API is not enabled" in page


def test_the_answer_is_in_russian(admin_client, emulator, domain, service_account, admin_locale_ru):
    upload(admin_client, service_account["key_file"])
    page = verify(admin_client, "nobody@example.com")
    assert "не является пользователем домена Google Workspace" in page


@pytest.fixture
def admin_locale_ru():
    from wizard.models.users import User

    admin = db.session.scalar(db.select(User).where(User.email == "admin@example.com"))
    admin.locale = "ru"
    db.session.commit()


@pytest.mark.parametrize("address", ["", "ann", "ann@gmail.com"])
def test_an_address_outside_the_domain_is_refused_before_asking_google(admin_client, emulator, domain,
                                                                       service_account, address):
    upload(admin_client, service_account["key_file"])
    emulator.control("POST", "/stats/reset")
    page = verify(admin_client, address)
    assert 'data-status="outside"' in page and "is not an address of the domain example.com" in page
    assert emulator.control("GET", "/stats")["total"] == 0
