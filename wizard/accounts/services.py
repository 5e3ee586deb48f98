"""Linked accounts: linking (after the OAuth flow), reconnecting, unlinking, status changes.

Pages and the API call these; the sync engine calls mark_needs_reconnect() when Google answers invalid_grant.
"""
from dataclasses import dataclass

from flask import abort
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from wizard.accounts import linking as oauth
from wizard.accounts.settings import follow_personal_tags, new_settings
from wizard.accounts.linking import LinkError
from wizard.extensions import db
from wizard.jobs.queue import enqueue_sync
from wizard.google import scopes
from wizard.google.tokens import apply_token, get_oauth_session, save_token  # noqa: F401 (public API)
from wizard.messages import define, render
from wizard.models.accounts import (
    CONNECTED,
    NEEDS_RECONNECT,
    REVOKED,
    GoogleAccount,
    linked_on_mailbox,
    mark_needs_reconnect,  # noqa: F401 (public API: pages and the API)
    utcnow,
)

define("accounts.link.taken", _l(
    "The Google account %(email)s is already linked by another user of this CRM. A Google account can be "
    "linked by one user only; ask that user to unlink it first."))
define("accounts.link.through_domain", _l(
    "The Google account %(email)s is already connected through your company's Google Workspace domain: it syncs "
    "without a personal link. Nothing was changed."))
define("accounts.link.wrong_account", _l(
    "You signed in to Google as %(got)s, but were reconnecting %(expected)s. Nothing was changed; please "
    "choose %(expected)s on Google's page."))
define("accounts.link.linked", _l("The Google account %(email)s is linked."))
define("accounts.link.relinked", _l("The Google account %(email)s is connected again."))
define("accounts.link.partial", _l(
    "The Google account %(email)s is linked, but some access was not granted: %(features)s. "
    "These features stay off until you grant the missing access."))
define("accounts.unlink.done", _l(
    "The Google account %(email)s is unlinked and its access revoked. Your CRM data is kept."))
define("accounts.unlink.not_revoked", _l(
    "The Google account %(email)s is unlinked here, but Google could not confirm the revocation. "
    "You can remove the access in your Google account's security settings."))

REASON_INVALID_GRANT = "invalid_grant"


@dataclass
class LinkOutcome:
    account: GoogleAccount | None = None
    message: str = ""
    category: str = "success"
    restart_url: str | None = None  # go back to Google (to ask for consent once more)


# Queries, always scoped to the owner: another user's account is a 404, never a 403 that confirms it exists.
def linked_accounts(user):
    return db.session.scalars(
        select(GoogleAccount).where(GoogleAccount.user_id == user.id, GoogleAccount.unlinked_at.is_(None))
        .order_by(GoogleAccount.linked_at)).all()


def account_for(user, account_id) -> GoogleAccount:
    account = db.session.get(GoogleAccount, account_id)
    if account is None or account.user_id != user.id or not account.is_linked:
        abort(404)
    return account


def accounts_needing_reconnect(user):
    return db.session.scalars(
        select(GoogleAccount).where(GoogleAccount.user_id == user.id, GoogleAccount.unlinked_at.is_(None),
                                    GoogleAccount.status == NEEDS_RECONNECT)).all()


# Starting the flow
def start_link(user) -> str:
    """Add a new account. prompt=consent is not sent: we cannot know yet which Google account the user picks;
    if it turns out we hold no refresh token for it and Google sent none, the callback asks once more."""
    return oauth.authorization_url(user.id, list(scopes.REQUESTED))


def start_reconnect(user, account) -> str:
    return oauth.authorization_url(user.id, list(scopes.REQUESTED), account_id=account.id,
                                   prompt_consent=not account.has_refresh_token, login_hint=account.email)


def start_grant_missing(user, account) -> str:
    wanted = scopes.identity_and(scopes.missing(account.granted_scopes))
    return oauth.authorization_url(user.id, wanted, account_id=account.id,
                                   prompt_consent=not account.has_refresh_token, login_hint=account.email)


# Finishing it
def complete_link(user, args) -> LinkOutcome:
    """Handle Google's redirect back. Raises LinkError (nothing saved) or returns the outcome."""
    pending, token, identity = oauth.receive(user.id, args)
    sub, email = identity["sub"], identity["email"]
    holder = db.session.scalar(
        select(GoogleAccount).where(GoogleAccount.google_sub == sub, GoogleAccount.unlinked_at.is_(None)))
    if holder is not None and holder.user_id != user.id:
        raise LinkError("accounts.link.taken", email=email or holder.email)
    _refuse_a_mailbox_connected_through_the_domain(user, email)
    if pending.account_id is not None:
        expected = db.session.get(GoogleAccount, pending.account_id)
        if expected is not None and expected.google_sub != sub:
            raise LinkError("accounts.link.wrong_account", got=email, expected=expected.email)
    account = holder or db.session.scalar(
        select(GoogleAccount).where(GoogleAccount.user_id == user.id, GoogleAccount.google_sub == sub))
    if not token.get("refresh_token") and not (account is not None and account.has_refresh_token):
        if pending.prompted_consent:
            raise LinkError("accounts.link.no_refresh_token")
        # Google remembers an earlier grant and sent no refresh token: ask once more, with prompt=consent.
        return LinkOutcome(restart_url=oauth.authorization_url(
            user.id, pending.scopes, account_id=pending.account_id, prompt_consent=True, login_hint=email))
    return _save_link(user, account, identity, token)


def _refuse_a_mailbox_connected_through_the_domain(user, email) -> None:
    """One mailbox is connected once (wizard.accounts.domain): two linked accounts on it would each write the
    same contacts and meetings into it."""
    delegated = linked_on_mailbox(email, delegated=True) if email else None
    if delegated is not None:
        raise LinkError("accounts.link.through_domain" if delegated.user_id == user.id else "accounts.link.taken",
                        email=email)


def _save_link(user, account, identity, token) -> LinkOutcome:
    relinked = account is not None
    if account is None:
        account = GoogleAccount(user_id=user.id, google_sub=identity["sub"], linked_at=utcnow())
        account.settings = new_settings()
        db.session.add(account)
    elif not account.is_linked:
        account.linked_at = utcnow()
    account.email = identity["email"] or account.email
    account.name = identity["name"] or account.name
    account.unlinked_at = None
    apply_token(account, token)
    account.set_status(CONNECTED)
    if account.settings is None:
        account.settings = new_settings()
    follow_personal_tags(account, user)  # the tags put on contacts before linking (the documented order)
    try:
        db.session.commit()
    except IntegrityError as exc:  # another user linked the same Google account a moment ago
        db.session.rollback()
        raise LinkError("accounts.link.taken", email=identity["email"]) from exc
    lacking = scopes.missing(account.granted_scopes)
    if lacking:
        names = ", ".join(str(f.label) for f in scopes.FEATURES if f.scope in lacking)
        return LinkOutcome(account, render("accounts.link.partial", email=account.email, features=names), "warning")
    code = "accounts.link.relinked" if relinked else "accounts.link.linked"
    return LinkOutcome(account, render(code, email=account.email))


FIRST_SYNC_SCOPES = {"contacts": scopes.CONTACTS, "activities": scopes.CALENDAR_EVENTS}


def start_first_sync(account) -> None:
    """Linking ends with a sync under way (the procedure names no "Sync now"), of what the access allows."""
    for object, scope in FIRST_SYNC_SCOPES.items():
        if scopes.has(account.granted_scopes, scope):
            enqueue_sync(account.id, object, trigger="manual")


# Status changes
def unlink(account) -> str:
    """Revoke at Google, forget the tokens; keep the row, its settings and every pair (relinking reuses them)."""
    token = account.refresh_token or account.access_token
    revoked = oauth.revoke(token) if token else True
    account.access_token = None
    account.refresh_token = None
    account.token_expires_at = None
    account.refresh_token_issued_at = None
    account.refresh_token_expires_at = None
    account.unlinked_at = utcnow()
    account.set_status(REVOKED, "unlinked")
    db.session.commit()
    return render("accounts.unlink.done" if revoked else "accounts.unlink.not_revoked", email=account.email)


def account_dict(account) -> dict:
    """A linked account as the JSON API shows it (never a token)."""
    features = scopes.feature_states(account.granted_scopes)
    return {
        "id": account.id, "email": account.email, "name": account.name, "status": account.status,
        "reason_code": account.reason_code, "connection": account.kind,
        "features": {f.code: granted for f, granted in features},
        # what a link is missing: the scopes Google granted, the features they do not allow, and whether
        # only reconnecting (a new consent) can bring the account back
        "scopes_granted": sorted(account.scopes),
        "missing_features": [f.code for f, granted in features if not granted],
        "needs_reconnect": account.needs_reconnect,
        "linked_at": account.linked_at.isoformat() if account.linked_at else None,
    }
