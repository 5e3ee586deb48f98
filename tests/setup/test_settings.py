"""System settings: registry, validation, encryption at rest, audit, pages, access."""
import logging

import pytest
from click.testing import CliRunner
from flask.cli import ScriptInfo
from sqlalchemy import select

from tests.setup.conftest import CLIENT_ID, CLIENT_SECRET
from wizard.cli import cli
from wizard.extensions import db
from wizard.models.settings import SettingAudit, SystemSetting
from wizard.settings import registry
from wizard.settings import values as services


def test_ensure_settings_is_idempotent(app):
    assert services.ensure_settings() == len(registry.SETTINGS)
    assert services.ensure_settings() == 0
    codes = set(db.session.scalars(select(SystemSetting.code)))
    assert {"GoogleClientId", "GoogleClientSecret", "SiteAddress", "OAuthCallbackForm", "MassDeleteShare",
            "MassDeleteMinimum", "FirstSyncPreviewThreshold", "SyncConflictPolicy", "SyncDeletePolicy",
            "ContactsSyncPeriodMinutes", "ActivitiesSyncPeriodMinutes"} <= codes


def test_defaults_and_typed_values(app):
    assert services.get_setting("MassDeleteShare") == 20
    assert services.get_setting("MassDeleteMinimum") == 10
    assert services.get_setting("OAuthCallbackForm") == "clean"
    services.set_setting("MassDeleteShare", "35")
    assert services.get_setting("MassDeleteShare") == 35
    with pytest.raises(services.SettingError):
        services.set_setting("MassDeleteShare", "150")
    assert services.get_setting("MassDeleteShare") == 35


@pytest.mark.parametrize("code,value,error", [
    ("GoogleClientId", "not-a-client-id", "settings.client_id_format"),
    ("GoogleClientSecret", "GOCSPX-abc def ghi jkl mno", "settings.secret_spaces"),
    ("GoogleClientSecret", CLIENT_ID, "settings.secret_is_id"),
    ("GoogleClientSecret", "short", "settings.secret_format"),
    ("SiteAddress", "https://crm.example.com/#top", "google_rules.fragment"),
    ("SiteAddress", "https://crm.example.com/crm?x=1", "site_address.path"),
    ("OAuthCallbackForm", "other", "settings.choice"),
    ("MassDeleteMinimum", "ten", "settings.integer"),
])
def test_bad_values_change_nothing(app, code, value, error):
    with pytest.raises(services.SettingError) as caught:
        services.set_setting(code, value)
    assert caught.value.message.code == error
    with app.test_request_context():
        assert caught.value.message.render() != error
    assert not services.is_set(code)
    assert db.session.scalar(select(SettingAudit).where(SettingAudit.setting_code == code)) is None


def test_site_address_is_normalised_but_intranet_addresses_are_kept(app):
    services.set_setting("SiteAddress", "CRM.Example.com:443/")
    assert services.get_setting("SiteAddress") == "https://crm.example.com"
    services.set_setting("SiteAddress", "10.0.0.5:8080")  # saved; the wizard explains Google's refusal
    assert services.get_setting("SiteAddress") == "https://10.0.0.5:8080"


def test_secret_encrypted_at_rest_and_audited_without_value(app, admin, tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    services.set_setting("GoogleClientSecret", CLIENT_SECRET, actor=admin)
    row = db.session.scalar(select(SystemSetting).where(SystemSetting.code == "GoogleClientSecret"))
    assert row.encrypted and CLIENT_SECRET not in row.value
    assert services.get_setting("GoogleClientSecret") == CLIENT_SECRET
    assert services.display_value("GoogleClientSecret") == "••••••••"
    (entry,) = services.audit_entries("GoogleClientSecret")
    assert (entry.actor_id, entry.actor_label, entry.action) == (admin.id, admin.email, "set")
    assert CLIENT_SECRET not in caplog.text
    assert "GoogleClientSecret" in caplog.text


def test_secret_not_in_sqlite_file(tmp_path, redis_server):
    from config import TestingConfig
    from wizard import create_app

    db_file = tmp_path / "settings.db"
    app = create_app(TestingConfig, INSTANCE_PATH=str(tmp_path / "i"), REDIS_URL=redis_server.url,
                     SQLALCHEMY_DATABASE_URI=f"sqlite:///{db_file}")
    with app.app_context():
        db.create_all()
        services.set_setting("GoogleClientSecret", CLIENT_SECRET)
        services.set_setting("GoogleClientId", CLIENT_ID)
        db.session.remove()
        db.engine.dispose()
    data = db_file.read_bytes()
    assert CLIENT_ID.encode() in data  # the file is really the one written
    assert CLIENT_SECRET.encode() not in data
    assert CLIENT_SECRET[7:].encode() not in data


def test_google_client_config_read_at_request_time(app):
    assert services.google_client_config() is None
    services.set_setting("SiteAddress", "https://crm.example.com")
    services.set_setting("GoogleClientId", CLIENT_ID)
    assert services.google_client_config() is None  # no secret yet
    services.set_setting("GoogleClientSecret", CLIENT_SECRET)
    config = services.google_client_config()
    assert config.client_id == CLIENT_ID and config.client_secret == CLIENT_SECRET
    assert config.redirect_uri == "https://crm.example.com/oauth/google/callback"
    assert config.origin == "https://crm.example.com"
    assert CLIENT_SECRET not in repr(config)
    services.set_setting("OAuthCallbackForm", "legacy")
    assert services.google_client_config().redirect_uri == (
        "https://crm.example.com/0/ViewPage.aspx?Id=3b22f0ff-034a-48da-8758-a0660e5a26ff")
    assert services.redirect_uris() == [
        "https://crm.example.com/0/ViewPage.aspx?Id=3b22f0ff-034a-48da-8758-a0660e5a26ff",
        "https://crm.example.com/oauth/google/callback"]


def test_rotation_reencrypts_with_the_new_key(app):
    from cryptography.fernet import Fernet

    services.set_setting("GoogleClientSecret", CLIENT_SECRET)
    before = db.session.scalar(select(SystemSetting.value).where(SystemSetting.code == "GoogleClientSecret"))
    old_key = app.config["ENCRYPTION_KEYS"]
    new_key = Fernet.generate_key().decode()
    app.config["ENCRYPTION_KEYS"] = f"{new_key},{old_key}"
    calls = []
    services.rotatable(lambda: calls.append(1) or 0)
    try:
        results = services.rotate_all()
    finally:
        services.ROTATABLE.pop()
    assert results["settings"] == 1 and calls == [1]
    app.config["ENCRYPTION_KEYS"] = new_key  # the old key dropped
    assert services.get_setting("GoogleClientSecret") == CLIENT_SECRET
    after = db.session.scalar(select(SystemSetting.value).where(SystemSetting.code == "GoogleClientSecret"))
    assert after != before


# --- pages ------------------------------------------------------------------------------------------------

def test_pages_are_admin_only(client, make_user, login):
    assert client.get("/admin/settings").status_code in (302, 401)
    login(make_user("user@example.com"))
    for url in ("/admin/settings", "/admin/settings/GoogleClientId", "/admin/setup", "/admin/setup/address"):
        assert client.get(url).status_code == 403, url
    assert client.post("/admin/settings/GoogleClientId", data={"value": CLIENT_ID}).status_code == 403
    assert not services.is_set("GoogleClientId")


def test_registry_search_and_open(admin_client):
    page = admin_client.get("/admin/settings?q=secret").get_data(as_text=True)
    assert "GoogleClientSecret" in page and "MassDeleteShare" not in page
    page = admin_client.get("/admin/settings?q=Google service access").get_data(as_text=True)
    assert "GoogleClientId" in page and 'href="/admin/settings/GoogleClientId"' in page


def test_card_saves_and_closes(admin_client, admin):
    page = admin_client.get("/admin/settings/GoogleClientId").get_data(as_text=True)
    assert "Default value" in page and "GoogleClientId" in page and 'href="/admin/settings"' in page
    response = admin_client.post("/admin/settings/GoogleClientId", data={"value": CLIENT_ID})
    assert response.status_code == 302
    assert services.get_setting("GoogleClientId") == CLIENT_ID
    page = admin_client.get("/admin/settings/GoogleClientId").get_data(as_text=True)
    assert CLIENT_ID in page and admin.email in page


def test_card_refuses_bad_value_next_to_the_field(admin_client):
    response = admin_client.post("/admin/settings/GoogleClientSecret", data={"value": "has spaces in it ok"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "spaces" in page and "invalid-feedback" in page
    assert not services.is_set("GoogleClientSecret")


def test_secret_card_masks_and_replaces_only(admin_client):
    admin_client.post("/admin/settings/GoogleClientSecret", data={"value": CLIENT_SECRET})
    assert services.get_setting("GoogleClientSecret") == CLIENT_SECRET
    for url in ("/admin/settings/GoogleClientSecret", "/admin/settings"):
        assert CLIENT_SECRET not in admin_client.get(url).get_data(as_text=True)
    admin_client.post("/admin/settings/GoogleClientSecret", data={"value": ""})  # empty keeps it
    assert services.get_setting("GoogleClientSecret") == CLIENT_SECRET


def test_russian_card(admin_client, admin):
    admin.locale = "ru"
    db.session.commit()
    page = admin_client.get("/admin/settings/GoogleClientSecret").get_data(as_text=True)
    assert "Секретный ключ для доступа к сервисам Google" in page
    assert "Значение по умолчанию" in page and "Сохранить" in page and "Закрыть" in page
    page = admin_client.get("/admin/settings").get_data(as_text=True)
    assert "Системные настройки" in page and "Открыть" in page
    assert "Показать конфликт для решения" in page  # a choice shows its label, not its code
    assert "Ключ для доступа к сервисам Google" in page


def test_an_environment_value_outside_a_settings_range_is_reported_not_silently_dropped(app, admin_client):
    app.config["SYNC_FIRST_SYNC_PREVIEW"] = "1000000000"  # above the setting's 0–1000000
    assert services.get_setting("FirstSyncPreviewThreshold") == 50  # the default applies...
    page = admin_client.get("/admin/settings").get_data(as_text=True)
    assert 'data-refused-seed="SYNC_FIRST_SYNC_PREVIEW"' in page  # ...and the administrator is told
    assert "SYNC_FIRST_SYNC_PREVIEW=1000000000 is not a valid value of FirstSyncPreviewThreshold (0–1000000)" in page
    result = CliRunner().invoke(cli, ["worker", "--burst", "--no-scheduler"], obj=ScriptInfo(create_app=lambda: app))
    assert result.exit_code == 0, result.output
    assert "Warning: SYNC_FIRST_SYNC_PREVIEW=1000000000 is not a valid value" in result.output  # and the operator
    services.set_setting("FirstSyncPreviewThreshold", "30")  # set here, the variable no longer matters
    assert 'data-refused-seed' not in admin_client.get("/admin/settings").get_data(as_text=True)


def test_a_valid_environment_value_is_not_reported(app, admin_client):
    app.config["SYNC_FIRST_SYNC_PREVIEW"] = "20"
    assert services.get_setting("FirstSyncPreviewThreshold") == 20
    assert 'data-refused-seed' not in admin_client.get("/admin/settings").get_data(as_text=True)
