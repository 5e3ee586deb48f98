"""syncwizard settings get/set, rotate-key and doctor, run against the app's real database and Redis."""
import json
import logging

from cryptography.fernet import Fernet
from sqlalchemy import select

from tests.setup.conftest import CLIENT_ID, CLIENT_SECRET
from wizard.cli import cli
from wizard.extensions import db
from wizard.models.settings import SystemSetting
from wizard.settings import values as services


def run(app, *args, input=None):
    return app.test_cli_runner().invoke(cli, list(args), input=input)


def test_settings_set_and_get(app):
    result = run(app, "settings", "set", "GoogleClientId", CLIENT_ID)
    assert result.exit_code == 0, result.output
    assert run(app, "settings", "get", "GoogleClientId").output.strip() == CLIENT_ID
    assert run(app, "settings", "get", "MassDeleteShare").output.strip() == "20"
    (entry,) = services.audit_entries("GoogleClientId")
    assert entry.actor_label == "command line"


def test_secret_only_from_stdin_and_never_printed(app, caplog):
    caplog.set_level(logging.DEBUG)
    refused = run(app, "settings", "set", "GoogleClientSecret", CLIENT_SECRET)
    assert refused.exit_code == 2 and not services.is_set("GoogleClientSecret")
    result = run(app, "settings", "set", "GoogleClientSecret", input=CLIENT_SECRET + "\n")
    assert result.exit_code == 0, result.output
    assert services.get_setting("GoogleClientSecret") == CLIENT_SECRET
    shown = run(app, "settings", "get", "GoogleClientSecret").output
    assert shown.strip() == "(set, hidden)"
    listed = run(app, "settings", "list").output
    assert "GoogleClientSecret" in listed and CLIENT_SECRET not in listed
    assert CLIENT_SECRET not in caplog.text


def test_bad_value_is_refused_with_the_message(app):
    result = run(app, "settings", "set", "GoogleClientSecret", input="GOCSPX-with spaces inside\n")
    assert result.exit_code == 1
    assert "spaces" in result.output
    assert run(app, "settings", "get", "Nope").exit_code == 2


def test_rotate_key(app):
    run(app, "settings", "set", "GoogleClientSecret", input=CLIENT_SECRET + "\n")
    old_key = app.config["ENCRYPTION_KEYS"]
    new_key = Fernet.generate_key().decode()
    app.config["ENCRYPTION_KEYS"] = f"{new_key},{old_key}"
    result = run(app, "rotate-key")
    assert result.exit_code == 0, result.output
    assert "settings: 1 value(s) re-encrypted" in result.output
    app.config["ENCRYPTION_KEYS"] = new_key
    assert services.get_setting("GoogleClientSecret") == CLIENT_SECRET
    row = db.session.scalar(select(SystemSetting).where(SystemSetting.code == "GoogleClientSecret"))
    assert Fernet(new_key.encode()).decrypt(row.value.encode()).decode() == CLIENT_SECRET


def test_doctor_reports_every_check_and_fails(app):
    app.config["GOOGLE_TOKEN_URL"] = "http://127.0.0.1:9/token"  # nothing listens: unreachable
    result = run(app, "doctor", "--json")
    assert result.exit_code == 1
    report = json.loads(result.output)
    by_name = {c["name"]: c for c in report["checks"]}
    assert by_name["database"]["status"] == "ok"
    assert by_name["redis"]["status"] == "ok"
    assert by_name["worker"]["status"] == "fail" and "syncwizard worker" in by_name["worker"]["fix"]
    assert by_name["site_address"]["status"] == "fail"
    assert by_name["credentials"]["status"] == "fail"
    assert report["ok"] is False

    services.set_setting("SiteAddress", "crm.local")
    services.set_setting("GoogleClientId", CLIENT_ID)
    services.set_setting("GoogleClientSecret", CLIENT_SECRET)
    report = json.loads(run(app, "doctor", "--json").output)
    by_name = {c["name"]: c for c in report["checks"]}
    assert "public top-level domain" in by_name["site_address"]["detail"]
    assert "crm.intranet.example.com" in by_name["site_address"]["fix"]
    assert "could not reach Google" in by_name["credentials"]["detail"]
    assert by_name["consent_screen"]["status"] == "ok"
    services.set_setting("GoogleAppPublishingStatus", "testing")
    report = json.loads(run(app, "doctor", "--json").output)
    consent = next(c for c in report["checks"] if c["name"] == "consent_screen")
    assert consent["status"] == "warn" and "7 days" in consent["detail"] and "Publish" in consent["fix"]
    assert CLIENT_SECRET not in json.dumps(report)


def test_doctor_text_output(app):
    result = run(app, "doctor")
    assert result.exit_code == 1
    assert "OK   database" in result.output and "FAIL worker" in result.output
