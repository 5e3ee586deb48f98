"""The wizard's domain path without Google: the mode choice, the key upload checked field by field (a wrong
file changes nothing, with a translated reason), the key stored encrypted and never shown back (its key ID
and service account are), replace-only, and the scopes in the Admin console's comma-delimited form."""
import io
import json

import pytest

from tests.workspace.keys import key_bytes, key_file
from wizard.extensions import db
from wizard.models.settings import SystemSetting
from wizard.settings import values


@pytest.fixture
def admin_client(client, make_user, login):
    login(make_user("admin@example.com", role="admin"))
    return client


def upload(client, data: bytes, domain="example.com", name="crm-project-0123.json"):
    return client.post("/admin/setup/domain", data={"key_file": (io.BytesIO(data), name), "domain": domain},
                       content_type="multipart/form-data")


def test_the_mode_choice_leads_to_the_domain_path_and_back(admin_client):
    page = admin_client.get("/admin/setup/mode").get_data(as_text=True)
    assert "The whole Google Workspace domain" in page and "Each user links their own Google account" in page
    assert values.get_setting("GoogleConnectionMode") == "personal"  # the documented procedure stays the default
    response = admin_client.post("/admin/setup/mode", data={"mode": "domain"})
    assert response.headers["Location"].endswith("/admin/setup/domain")
    assert values.domain_mode()
    response = admin_client.post("/admin/setup/mode", data={"mode": "personal"})
    assert response.headers["Location"].endswith("/admin/setup")
    assert not values.domain_mode()


def test_the_page_shows_googles_steps_and_the_comma_delimited_scopes(admin_client):
    page = admin_client.get("/admin/setup/domain").get_data(as_text=True)
    scopes = ("https://www.googleapis.com/auth/contacts,https://www.googleapis.com/auth/calendar.events,"
              "https://www.googleapis.com/auth/calendar.calendarlist.readonly")
    assert f'value="{scopes}"' in page and 'data-copy-target="delegation-scopes"' in page
    assert "Manage Domain Wide Delegation" in page and "OAuth scopes (comma-delimited)" in page
    assert "ac/owl/domainwidedelegation" in page and "iam-admin/serviceaccounts" in page


def test_a_key_is_stored_encrypted_and_only_its_id_and_account_are_shown(admin_client):
    data = key_bytes()
    response = upload(admin_client, data, domain="Example.COM")
    assert response.status_code == 302, response.get_data(as_text=True)[:400]
    row = db.session.scalar(db.select(SystemSetting).where(SystemSetting.code == "ServiceAccountKey"))
    assert row.encrypted and b"PRIVATE KEY" not in row.value.encode() and "crm-sync" not in row.value
    assert values.get_setting("WorkspaceDomain") == "example.com"
    assert values.domain_mode()
    page = admin_client.get("/admin/setup/domain").get_data(as_text=True)
    private = json.loads(data)["private_key"]
    assert "PRIVATE KEY" not in page and private.splitlines()[1] not in page
    assert "0123456789abcdef0123456789abcdef01234567" in page  # the key ID
    assert "crm-sync@crm-project.iam.gserviceaccount.com" in page
    assert 'value="104857600000000000001"' in page  # the numeric client ID, to paste in the Admin console
    assert values.delegation().key.private_key == private


def test_a_new_file_replaces_the_key_and_an_empty_one_keeps_it(admin_client):
    upload(admin_client, key_bytes())
    response = admin_client.post("/admin/setup/domain", data={"domain": "example.org"},
                                 content_type="multipart/form-data")
    assert response.status_code == 302
    assert values.delegation().key.private_key_id.startswith("0123") and values.delegation().domain == "example.org"
    upload(admin_client, key_bytes(key_id="ffff" * 10))
    assert values.delegation().key.private_key_id == "ffff" * 10


@pytest.mark.parametrize("data, words", [
    (b"not json at all", "This is not a JSON file"),
    (json.dumps({"web": {"client_id": "x", "client_secret": "y"}}).encode(), "not a service account key. Create"),
    (json.dumps({**key_file(), "type": "authorized_user"}).encode(), "not a service account key"),
    (json.dumps({k: v for k, v in key_file().items() if k != "private_key_id"}).encode(), "lacks fields"),
    (json.dumps({**key_file(), "private_key": "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"})
     .encode(), "private key cannot be read"),
    (b"{" + b" " * 20000 + b"}", "too large"),
])
def test_a_wrong_file_is_refused_with_a_reason_and_changes_nothing(admin_client, data, words):
    response = upload(admin_client, data)
    assert response.status_code == 200
    assert words in response.get_data(as_text=True)
    assert not values.is_set("ServiceAccountKey") and values.get_setting("WorkspaceDomain") is None
    assert not values.domain_mode()


def test_a_wrong_domain_is_refused_and_nothing_is_saved(admin_client):
    response = upload(admin_client, key_bytes(), domain="not a domain")
    assert "Enter the domain of your Google Workspace" in response.get_data(as_text=True)
    assert not values.is_set("ServiceAccountKey")


def test_the_page_speaks_russian(admin_client):
    admin_client.set_cookie("lang", "ru")
    page = admin_client.get("/admin/setup/domain", headers={"Accept-Language": "ru"}).get_data(as_text=True)
    assert "Ключ и домен" in page and "Проверить делегирование" in page and "Key and domain" not in page
