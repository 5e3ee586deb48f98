"""Test helpers shared by the accounts and health tests (real DB rows, no mocks)."""
from datetime import datetime, timedelta, timezone

from wizard.google import scopes
from wizard.extensions import db
from wizard.models.accounts import AccountSettings, GoogleAccount

ALL_SCOPES = " ".join(sorted(scopes.normalise(scopes.REQUESTED)))
CLIENT_ID = "123456789012-abcdefghijklmnop.apps.googleusercontent.com"
CLIENT_SECRET = "GOCSPX-testing-secret-0123456789"


def add_account(user, email="someone@gmail.com", sub=None, scopes_granted=ALL_SCOPES, **fields):
    account = GoogleAccount(user_id=user.id, google_sub=sub or f"sub-{email}", email=email,
                            granted_scopes=scopes_granted, **fields)
    account.access_token = "ya29.test-access"
    account.refresh_token = "1//test-refresh"
    account.token_expires_at = datetime.now(timezone.utc) + timedelta(hours=1)
    account.settings = AccountSettings()
    db.session.add(account)
    db.session.commit()
    return account


def configure_google_client(site="http://localhost", client_id=CLIENT_ID, secret=CLIENT_SECRET):
    from wizard.settings.values import set_setting

    set_setting("SiteAddress", site)
    set_setting("GoogleClientId", client_id)
    set_setting("GoogleClientSecret", secret)
