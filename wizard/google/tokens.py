"""Tokens of a linked account: persisting them, and an Authlib session that refreshes by itself.

Used by the pages (calendar list) and by the Google adapters of the sync engine:

    session = get_oauth_session(account)      # requests.Session subclass, Bearer auth
    session.get(url)                          # refreshes first when the access token is (nearly) expired

A refresh that Google answers with `invalid_grant` (revoked, expired Testing token, >100 tokens) marks the
account "needs reconnect" and raises ReconnectNeeded, so the user is told instead of the sync stopping silently.
"""
from datetime import datetime, timedelta, timezone

from authlib.integrations.base_client import OAuthError
from authlib.integrations.requests_client import OAuth2Session
from flask import current_app

from wizard.google import client_config as config
from wizard.google import scopes as scope_sets
from wizard.extensions import db
from wizard.models.accounts import NEEDS_RECONNECT, GoogleAccount, as_utc, utcnow


class ReconnectNeeded(Exception):
    """The account has no usable grant; the user must reconnect it."""

    def __init__(self, account_id, reason_code):
        super().__init__(f"account {account_id} needs reconnect: {reason_code}")
        self.account_id = account_id
        self.reason_code = reason_code


class NotConfigured(Exception):
    """The administrator has not saved the Google client ID and secret."""


def apply_token(account: GoogleAccount, token: dict) -> None:
    """Copy an OAuth token response onto the account (encrypted). Keeps the old refresh token when Google
    sends none (it never does on refresh, nor on a repeated consent without prompt=consent)."""
    account.access_token = token.get("access_token")
    if token.get("refresh_token") and token["refresh_token"] != account.refresh_token:
        account.refresh_token = token["refresh_token"]
        account.refresh_token_issued_at = utcnow()
        account.refresh_token_expires_at = None
    expires_at = token.get("expires_at")
    if expires_at is None and token.get("expires_in") is not None:
        expires_at = utcnow().timestamp() + int(token["expires_in"])
    account.token_expires_at = (datetime.fromtimestamp(int(expires_at), timezone.utc)
                                if expires_at is not None else None)
    if token.get("refresh_token_expires_in") is not None:
        account.refresh_token_expires_at = utcnow() + timedelta(seconds=int(token["refresh_token_expires_in"]))
    if token.get("scope"):
        account.granted_scopes = " ".join(sorted(scope_sets.normalise(token["scope"])))


def save_token(account_id: int, token: dict) -> None:
    """Authlib's update_token hook: persist a refreshed token. Commits the current DB session."""
    account = db.session.get(GoogleAccount, account_id)
    if account is None or not account.is_linked:
        return
    apply_token(account, token)
    db.session.commit()


def token_dict(account: GoogleAccount) -> dict:
    expires = as_utc(account.token_expires_at)
    return {
        "access_token": account.access_token or "",
        "refresh_token": account.refresh_token,
        "token_type": "Bearer",
        # Unknown expiry: treat as expired so the first request refreshes.
        "expires_at": int(expires.timestamp()) if expires else 0,
    }


class AccountSession(OAuth2Session):
    """An OAuth2Session bound to one account: refreshed tokens are saved, dead grants reported."""

    def __init__(self, account_id, *args, **kwargs):
        self.account_id = account_id
        super().__init__(*args, **kwargs)

    def refresh_token(self, url=None, refresh_token=None, **kwargs):
        try:
            return super().refresh_token(url, refresh_token=refresh_token, **kwargs)
        except OAuthError as exc:
            if exc.error == "invalid_grant":
                from wizard.accounts.services import mark_needs_reconnect

                mark_needs_reconnect(self.account_id, "invalid_grant")
                raise ReconnectNeeded(self.account_id, "invalid_grant") from exc
            raise


def get_oauth_session(account: GoogleAccount) -> AccountSession:
    """A requests session for calling Google on behalf of the account."""
    if not account.is_linked or account.status == NEEDS_RECONNECT or not account.has_refresh_token:
        raise ReconnectNeeded(account.id, account.reason_code or "no_refresh_token")
    client = config.client_config()
    if client is None:
        raise NotConfigured()
    account_id = account.id

    def update_token(token, refresh_token=None, access_token=None):
        save_token(account_id, token)

    return AccountSession(
        account_id,
        client_id=client.client_id,
        client_secret=client.client_secret,
        token=token_dict(account),
        token_endpoint=current_app.config["GOOGLE_TOKEN_URL"],
        token_endpoint_auth_method="client_secret_post",
        update_token=update_token,
    )


def rotate_tokens() -> int:
    """Re-encrypt every stored token with the newest key (`syncwizard rotate-key`)."""
    from wizard import crypto

    count = 0
    for account in db.session.scalars(db.select(GoogleAccount)):
        for column in ("access_token_enc", "refresh_token_enc"):
            value = getattr(account, column)
            if value:
                setattr(account, column, crypto.rotate(value))
                count += 1
    db.session.commit()
    return count
