"""Users under domain-wide delegation: their linked accounts, made without any consent screen.

In domain mode a CRM user whose address is in the Workspace domain (or whom the administrator mapped to an
address of the domain) gets a GoogleAccount of kind "delegated": no refresh token, tokens minted on demand by
wizard.google.workspace. Everything else (settings, tags, periods, the health page, the engine) treats it as
any linked account. The row outlives a switch-off (unlinked_at set, like an unlink), so switching the user on
again reuses it and its pairs: nothing is duplicated, and a user switched off is never enrolled again by
enrol_domain() until the administrator switches them on.

One Google mailbox is connected once: an address a user linked personally (through the consent screen) is not
connected through the domain as well, and the other way round (wizard.accounts.services.complete_link), since
two linked accounts on one mailbox would each write the same contacts and meetings into it.
"""
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from wizard.accounts.settings import follow_personal_tags, new_settings
from wizard.extensions import db
from wizard.google import workspace
from wizard.jobs.queue import enqueue_sync
from wizard.messages import define, render
from wizard.models.accounts import (
    CONNECTED,
    DELEGATED,
    NEEDS_RECONNECT,
    REVOKED,
    GoogleAccount,
    linked_on_mailbox,
    utcnow,
)
from wizard.models.users import User
from wizard.settings.values import delegation, domain_mode
from wizard.sync.records import normalize_email

SWITCHED_OFF = "delegation_off"
MODE_OFF = "domain_mode_off"  # stopped because the administrator chose "each user links their own" again

define("accounts.domain.not_configured", _l(
    "The Google Workspace domain is not connected yet: upload the service account key and the domain in the "
    "setup wizard first."))
define("accounts.domain.outside", _l(
    "%(address)s is not an address of the domain %(domain)s."))
define("accounts.domain.taken", _l(
    "%(address)s is already connected for another user of this CRM."))
define("accounts.domain.personal", _l(
    "%(address)s is linked personally by its user (through Google's consent screen) and keeps syncing that way. "
    "To connect it through the domain instead, the user unlinks it in their settings first."))


class DomainError(Exception):
    def __init__(self, code, **params):
        super().__init__(code)
        self.code, self.params = code, params

    @property
    def message(self):
        return render(self.code, **self.params)


@dataclass
class Member:
    """One CRM user as the administrator's table shows them."""

    user: User
    account: GoogleAccount | None  # the delegated account, linked or switched off
    in_domain: bool
    personal: GoogleAccount | None = None  # a personal link to the user's own address, which stays theirs

    @property
    def state(self) -> str:
        """on | needs_reconnect | personal | off | not_in_domain | available (in the domain, never enrolled)."""
        if self.personal is not None and (self.account is None or not self.account.is_linked):
            return "personal"
        if self.account is None:
            return "available" if self.in_domain else "not_in_domain"
        if not self.account.is_linked:
            return "off"
        return "needs_reconnect" if self.account.status == NEEDS_RECONNECT else "on"


def delegated_account(user) -> GoogleAccount | None:
    """The user's delegated account row (the newest, linked or not)."""
    return db.session.scalar(select(GoogleAccount).where(
        GoogleAccount.user_id == user.id, GoogleAccount.kind == DELEGATED).order_by(
        GoogleAccount.unlinked_at.is_(None).desc(), GoogleAccount.id.desc()).limit(1))


def _sub(address: str) -> str:
    # No user signs in, so Google's `sub` is never learnt: the address stands for it, prefixed so that it can
    # never equal a real sub (digits) of a personally linked account.
    return "domain:" + address


def enrol(user, address: str | None = None, start_sync: bool = True) -> GoogleAccount:
    """Connect `user` through the domain as `address` (their CRM e-mail by default). Raises DomainError."""
    grant = delegation()
    if grant is None:
        raise DomainError("accounts.domain.not_configured")
    address = normalize_email(address or user.email)
    if not grant.covers(address):
        raise DomainError("accounts.domain.outside", address=address, domain=grant.domain)
    personal = linked_on_mailbox(address, delegated=False)
    if personal is not None:
        raise DomainError("accounts.domain.personal" if personal.user_id == user.id else "accounts.domain.taken",
                          address=address)
    holder = db.session.scalar(select(GoogleAccount).where(
        GoogleAccount.google_sub == _sub(address), GoogleAccount.unlinked_at.is_(None)))
    if holder is not None and holder.user_id != user.id:
        raise DomainError("accounts.domain.taken", address=address)
    account = holder or db.session.scalar(select(GoogleAccount).where(
        GoogleAccount.user_id == user.id, GoogleAccount.google_sub == _sub(address)))
    current = delegated_account(user)
    if current is not None and current is not account and current.is_linked:
        switch_off(current, commit=False)  # mapped to another address: one delegated account per user
    if account is None:
        account = GoogleAccount(user_id=user.id, google_sub=_sub(address), kind=DELEGATED, linked_at=utcnow(),
                                settings=new_settings())
        db.session.add(account)
    elif not account.is_linked:
        account.linked_at = utcnow()
    account.email, account.name = address, user.name or account.name or ""
    account.unlinked_at = None
    account.granted_scopes = " ".join(sorted(workspace.SCOPES))
    account.set_status(CONNECTED)
    if account.settings is None:
        account.settings = new_settings()
    follow_personal_tags(account, user)
    db.session.commit()
    if start_sync:
        for object in ("contacts", "activities"):
            enqueue_sync(account.id, object, trigger="manual")
    return account


def switch_off(account: GoogleAccount, commit: bool = True) -> None:
    """Stop syncing the user through the domain; the row, its settings and pairs stay for a later switch-on."""
    account.unlinked_at = utcnow()
    account.set_status(REVOKED, SWITCHED_OFF)
    if commit:
        db.session.commit()


def connected_through_domain() -> list[GoogleAccount]:
    return list(db.session.scalars(select(GoogleAccount).where(
        GoogleAccount.kind == DELEGATED, GoogleAccount.unlinked_at.is_(None)).order_by(GoogleAccount.id)))


def stop_for_personal_mode() -> int:
    """The administrator went back to "each user links their own Google account": nothing may keep acting as
    the users through the key. Their rows, settings and pairs stay, so choosing the domain again (and
    verifying) reconnects the same accounts without duplicating anything. Returns how many were stopped."""
    stopped = connected_through_domain()
    for account in stopped:
        account.unlinked_at = utcnow()
        account.set_status(REVOKED, MODE_OFF)
    db.session.commit()
    return len(stopped)


def _enrolment_address(user) -> str | None:
    """None: leave the user alone (already connected, or switched off by the administrator); else the address
    to connect them as (their CRM e-mail, or the one they had before the mode was switched to personal)."""
    current = delegated_account(user)
    if current is None:
        return user.email
    return current.email if not current.is_linked and current.reason_code == MODE_OFF else None


def enrol_domain(start_sync: bool = True) -> list[GoogleAccount]:
    """Every active user whose CRM e-mail is in the domain and who has no delegated account yet, and everyone
    the mode switch stopped (a user the administrator switched off keeps their switched-off row and is left
    alone)."""
    grant = delegation()
    if grant is None:
        return []
    enrolled = []
    for user in db.session.scalars(select(User).order_by(User.id)):
        address = _enrolment_address(user) if user.is_active else None
        if address is None or not grant.covers(address):
            continue
        try:
            enrolled.append(enrol(user, address, start_sync=start_sync))
        except DomainError:  # the address is connected for someone else: the table shows it
            db.session.rollback()
    return enrolled


def members() -> list[Member]:
    grant = delegation()
    rows = []
    for user in db.session.scalars(select(User).order_by(User.email)):
        personal = linked_on_mailbox(user.email, delegated=False)
        rows.append(Member(user, delegated_account(user), bool(grant and grant.covers(user.email)),
                           personal if personal is not None and personal.user_id == user.id else None))
    return rows


def domain_broken() -> str | None:
    """The domain-wide reason delegated accounts are stopped for (key deleted, delegation withdrawn), if any:
    the administrators' one banner."""
    return db.session.scalar(select(GoogleAccount.reason_code).where(
        GoogleAccount.kind == DELEGATED, GoogleAccount.unlinked_at.is_(None),
        GoogleAccount.status == NEEDS_RECONNECT, GoogleAccount.reason_code.in_(workspace.DOMAIN_WIDE)).limit(1))


def enrol_new_user(user) -> GoogleAccount | None:
    """A user just created: in domain mode, one whose address is in the domain is connected at once, so that
    tagging contacts is all they ever do. Anything else (personal mode, another domain) leaves them alone."""
    grant = delegation()
    if grant is None or not domain_mode() or not grant.covers(user.email):
        return None
    try:
        return enrol(user)
    except DomainError:
        db.session.rollback()
        return None
