"""`syncwizard doctor`: every check of the installation, each OK, WARN or FAIL with the fix."""
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import text

from wizard import crypto
from wizard.extensions import db
from wizard.google.rules import CALLBACK_FORMS, check_address
from wizard.jobs.heartbeat import last_heartbeat
from wizard.models.accounts import GoogleAccount
from wizard.redis import get_redis
from wizard.settings import values as services
from wizard.setup import google_errors, verify

OK, WARN, FAIL = "ok", "warn", "fail"


@dataclass
class Check:
    name: str
    status: str
    detail: str = ""
    fix: str = ""


def _database():
    db.session.execute(text("SELECT 1"))
    return Check("database", OK, db.engine.url.render_as_string(hide_password=True))


def _migrations():
    # Alembic is imported only for this check: the other commands and the web process never need it.
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    directory = Path(current_app.extensions["migrate"].directory)
    migrate_config = current_app.extensions["migrate"].migrate.get_config(str(directory))
    heads = set(ScriptDirectory.from_config(migrate_config).get_heads()) if directory.is_dir() else set()
    with db.engine.connect() as connection:
        current = set(MigrationContext.configure(connection).get_current_heads())
    if not heads:
        return Check("migrations", WARN, _("this build ships no migrations"))
    if current == heads:
        return Check("migrations", OK, ", ".join(sorted(current)))
    return Check("migrations", FAIL, _("database at %(current)s, code at %(heads)s",
                                       current=", ".join(sorted(current)) or "-", heads=", ".join(sorted(heads))),
                 _("Run: syncwizard db upgrade"))



def _redis():
    get_redis().ping()
    return Check("redis", OK)


def _worker():
    beat = last_heartbeat(get_redis())
    max_age = current_app.config.get("WORKER_HEARTBEAT_MAX_AGE", 90)
    if beat is None:
        return Check("worker", FAIL, _("no worker heartbeat"), _("Start a worker: syncwizard worker"))
    age = time.time() - beat
    if age > max_age:
        return Check("worker", FAIL, _("last heartbeat %(age)s s ago", age=round(age)),
                     _("Restart the worker: syncwizard worker"))
    return Check("worker", OK, _("last heartbeat %(age)s s ago", age=round(age)))


def _site_address():
    address = services.site_address()
    if not address:
        return Check("site_address", FAIL, _("not set"), _("Run the setup wizard (/admin/setup) or: "
                                                              "syncwizard settings set SiteAddress URL"))
    verdict = check_address(address, CALLBACK_FORMS[services.callback_form()])
    if verdict.ok:
        return Check("site_address", OK, f"{verdict.origin} → {verdict.redirect_uri}")
    return Check("site_address", FAIL, "; ".join(p.message for p in verdict.problems),
                 " ".join(dict.fromkeys(p.fix for p in verdict.problems)))


def _consent_screen():
    status = services.get_setting("GoogleAppPublishingStatus")
    if status == "testing":
        return Check("consent_screen", WARN, _("External app in Testing: refresh tokens expire after 7 days"),
                     _("Publish the app in the Google Cloud console (Audience → Publish app), then run: "
                       "syncwizard settings set GoogleAppPublishingStatus production"))
    return Check("consent_screen", OK, status)


def _credentials():
    try:
        if services.is_set("GoogleClientSecret"):
            services.get_setting("GoogleClientSecret")
    except crypto.DecryptionError:
        return Check("credentials", FAIL, _("the client secret cannot be decrypted with ENCRYPTION_KEYS"),
                     _("Put the old key back in ENCRYPTION_KEYS (after the new one), or enter the secret again."))
    client = services.google_client_config()
    if client is None:
        return Check("credentials", FAIL, _("Google client ID or secret not set"),
                     _("Run the setup wizard (/admin/setup), step Credentials."))
    outcome = verify.probe(client, record=False)
    if outcome.good:
        return Check("credentials", OK, _("Google accepted the Client ID and secret."))
    what, fix = google_errors.explain(outcome.status, redirect_uri=client.redirect_uri, detail=outcome.detail)
    return Check("credentials", FAIL, what, fix)


def _accounts():
    checks = []
    for account in db.session.scalars(db.select(GoogleAccount).where(GoogleAccount.unlinked_at.is_(None))):
        name = f"account:{account.email or account.id}"
        if account.status != "connected" or not account.has_refresh_token:
            checks.append(Check(name, FAIL, f"{account.status} ({account.reason_code or '-'})",
                                _("The account's owner must reconnect it on the Sync page.")))
        else:
            checks.append(Check(name, OK, account.status))
    return checks


CHECKS = (_database, _migrations, _redis, _worker, _site_address, _consent_screen, _credentials)


def run() -> list[Check]:
    results = []
    for check in CHECKS:
        try:
            results.append(check())
        except Exception as exc:  # a check reports a failure, it does not raise it
            db.session.rollback()
            first_line = (str(exc).splitlines() or [""])[0][:200]
            results.append(Check(check.__name__.lstrip("_"), FAIL, f"{type(exc).__name__}: {first_line}"))
    try:
        results.extend(_accounts())
    except Exception as exc:
        db.session.rollback()
        results.append(Check("accounts", FAIL, type(exc).__name__))
    return results


def as_json(results) -> dict:
    return {"ok": all(r.status != FAIL for r in results), "checks": [asdict(r) for r in results]}
