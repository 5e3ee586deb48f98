"""Tokens of a linked account: persisting them, and a session (wizard.google.oauth) that refreshes by itself.

Used by the pages (calendar list) and by the Google adapters of the sync engine, each handing in the OAuth
client it read from the system settings:

    session = get_oauth_session(account, client)   # requests.Session subclass, Bearer auth
    session.get(url)                               # refreshes first when the access token is (nearly) expired

A refresh that Google answers with `invalid_grant` (revoked, expired Testing token, >100 tokens) marks the
account "needs reconnect" (wizard.models.accounts.mark_needs_reconnect, the model's own operation) and raises
ReconnectNeeded, so the user is told instead of the sync stopping silently.

A delegated account (domain-wide delegation, wizard.google.workspace) has no token here at all: its session
mints one per user through the domain's service account, handed in instead of the OAuth client. Google
refusing the domain's key or delegation stops every delegated account at once (mark_delegation_broken); an
address the domain does not know stops only its own.
"""
from datetime import datetime, timedelta, timezone

from wizard import crypto
from wizard.extensions import db
from wizard.google import scopes as scope_sets
from wizard.google import workspace
from wizard.google.oauth import Client, ReconnectNeeded, account_session
from wizard.models.accounts import (NEEDS_RECONNECT, GoogleAccount, as_utc, mark_delegation_broken,
                                    mark_needs_reconnect, utcnow)
from wizard.redis import get_redis

__all__ = ["NotConfigured", "ReconnectNeeded", "apply_token", "get_oauth_session", "rotate_tokens", "save_token"]


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


def get_oauth_session(account: GoogleAccount, client):
    """A requests session for calling Google on behalf of the account: with the configured OAuth client
    (`Client`) for a personally linked account, with the domain's service account (`workspace.Delegation`)
    for a delegated one."""
    if account.delegated:
        return delegated_session(account, client)
    if not account.is_linked or account.status == NEEDS_RECONNECT or not account.has_refresh_token:
        raise ReconnectNeeded(account.id, account.reason_code or "no_refresh_token")
    if client is None:
        raise NotConfigured()
    account_id = account.id

    def update_token(token, refresh_token=None, access_token=None):
        save_token(account_id, token)

    return account_session(client, account_id, token_dict(account), update_token, mark_needs_reconnect)


def on_delegation_refused(account_id, reason: str) -> None:
    """Google refused the domain's assertion: an unknown address stops its one account; a deleted key or a
    withdrawn delegation stops every delegated account at once (one token request, not one per account)."""
    if reason in workspace.DOMAIN_WIDE:
        mark_delegation_broken(reason)
    else:
        mark_needs_reconnect(account_id, reason)


def delegated_session(account: GoogleAccount, delegation, redis=None):
    """A session minting tokens for the account's address through the domain's service account."""
    if not account.is_linked or account.status == NEEDS_RECONNECT:
        raise ReconnectNeeded(account.id, account.reason_code or workspace.REFUSED)
    if not isinstance(delegation, workspace.Delegation):
        raise NotConfigured()
    cache = workspace.TokenCache(get_redis() if redis is None else redis)
    return workspace.DelegatedSession(account.id, account.email, delegation, cache, on_delegation_refused)


def rotate_tokens() -> int:
    """Re-encrypt every stored token with the newest key (`syncwizard rotate-key`)."""
    count = 0
    for account in db.session.scalars(db.select(GoogleAccount)):
        for column in ("access_token_enc", "refresh_token_enc"):
            value = getattr(account, column)
            if value:
                setattr(account, column, crypto.rotate(value))
                count += 1
    db.session.commit()
    return count
