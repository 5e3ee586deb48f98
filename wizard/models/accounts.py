"""Linked Google accounts, their tokens (encrypted at rest) and their sync settings.

A GoogleAccount row outlives an unlink: the tokens are wiped and `unlinked_at` set, but the row (and so its id,
which pairs and cursors refer to) stays, so relinking the same Google account reuses it and duplicates nothing.
"""
from datetime import date, datetime, timedelta

from sqlalchemy import Date, ForeignKey, Index, String, Text, UniqueConstraint, func, select, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wizard import crypto
from wizard.extensions import db
from wizard.models.clock import as_utc, utcnow  # noqa: F401

# Account status
CONNECTED = "connected"
NEEDS_RECONNECT = "needs_reconnect"
REVOKED = "revoked"
STATUSES = (CONNECTED, NEEDS_RECONNECT, REVOKED)

# How an account is connected: the user's own consent (refresh token stored), or the Workspace domain's
# service account acting for the user (domain-wide delegation: no consent, no refresh token, tokens minted).
PERSONAL = "personal"
DELEGATED = "delegated"
KINDS = (PERSONAL, DELEGATED)

# Direction per object
TWO_WAY = "two_way"
TO_GOOGLE = "to_google"
FROM_GOOGLE = "from_google"
DIRECTIONS = (TWO_WAY, TO_GOOGLE, FROM_GOOGLE)

# What wins a true conflict (the same field changed differently on both sides)
CONFLICT_POLICIES = ("newest", "crm_wins", "google_wins", "ask")
# A contact that loses its sync tag: take it out of the Google label (kept in Google), or delete it in Google
UNTAG_POLICIES = ("remove_label", "delete")
# Calendar's sendUpdates values; sync writes mail nobody unless the user asks
NOTIFY_ATTENDEES = ("none", "externalOnly", "all")

# Periods, in minutes. Contacts must sync at least daily so People API sync tokens (7 days) never expire
# even after a few failed runs.
MIN_PERIOD = 5
MAX_PERIOD = 7 * 24 * 60
MAX_CONTACTS_PERIOD = 24 * 60

# Refresh tokens of a client in "Testing" status die this long after they were issued.
TESTING_REFRESH_TOKEN_LIFETIME = timedelta(days=7)


class GoogleAccount(db.Model):
    __tablename__ = "google_accounts"
    __table_args__ = (
        # A user has one row per Google account (reused after unlink)...
        UniqueConstraint("user_id", "google_sub", name="uq_google_accounts_user_sub"),
        # ...and a Google account is linked to at most one user at a time.
        Index("uq_google_accounts_active_sub", "google_sub", unique=True,
              sqlite_where=text("unlinked_at IS NULL"), postgresql_where=text("unlinked_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    google_sub: Mapped[str] = mapped_column(String(255))
    email: Mapped[str] = mapped_column(String(254), default="")
    name: Mapped[str] = mapped_column(String(200), default="")
    access_token_enc: Mapped[str | None] = mapped_column(Text, nullable=True)
    refresh_token_enc: Mapped[str | None] = mapped_column(Text, nullable=True)
    token_expires_at: Mapped[datetime | None] = mapped_column(nullable=True)
    refresh_token_issued_at: Mapped[datetime | None] = mapped_column(nullable=True)
    # Google states it (refresh_token_expires_in) for time-limited grants, e.g. a client in Testing status.
    refresh_token_expires_at: Mapped[datetime | None] = mapped_column(nullable=True)
    granted_scopes: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), default=CONNECTED)
    kind: Mapped[str] = mapped_column(String(20), default=PERSONAL, server_default=PERSONAL)
    reason_code: Mapped[str | None] = mapped_column(String(64), nullable=True)
    status_changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    linked_at: Mapped[datetime] = mapped_column(default=utcnow)
    unlinked_at: Mapped[datetime | None] = mapped_column(nullable=True)

    user = relationship("User")
    settings: Mapped["AccountSettings"] = relationship(
        back_populates="account", uselist=False, cascade="all, delete-orphan")
    tag_mappings: Mapped[list["AccountTagMapping"]] = relationship(
        back_populates="account", cascade="all, delete-orphan", order_by="AccountTagMapping.id")

    # Tokens: stored encrypted, handed out in clear only to the code that calls Google.
    @property
    def access_token(self) -> str | None:
        return crypto.decrypt(self.access_token_enc) if self.access_token_enc else None

    @access_token.setter
    def access_token(self, value):
        self.access_token_enc = crypto.encrypt(value) if value else None

    @property
    def refresh_token(self) -> str | None:
        return crypto.decrypt(self.refresh_token_enc) if self.refresh_token_enc else None

    @refresh_token.setter
    def refresh_token(self, value):
        self.refresh_token_enc = crypto.encrypt(value) if value else None

    @property
    def has_refresh_token(self) -> bool:
        return bool(self.refresh_token_enc)

    @property
    def scopes(self) -> set[str]:
        return set((self.granted_scopes or "").split())

    @property
    def is_linked(self) -> bool:
        return self.unlinked_at is None

    @property
    def delegated(self) -> bool:
        return self.kind == DELEGATED

    @property
    def needs_reconnect(self) -> bool:
        return self.is_linked and self.status == NEEDS_RECONNECT

    def set_status(self, status, reason_code=None):
        if status not in STATUSES:
            raise ValueError(status)
        self.status = status
        self.reason_code = reason_code
        self.status_changed_at = utcnow()

    def testing_token_expiry(self):
        """When the refresh token dies: as Google stated it, else 7 days after issue (client in Testing)."""
        if self.refresh_token_expires_at:
            return as_utc(self.refresh_token_expires_at)
        issued = as_utc(self.refresh_token_issued_at)
        return issued + TESTING_REFRESH_TOKEN_LIFETIME if issued else None

    @property
    def sends_no_contacts(self) -> bool:
        """A contacts sync towards Google with no tag chosen sends no contact: never to be shown as success."""
        return (self.settings is not None and self.settings.contacts_direction != FROM_GOOGLE
                and not self.tag_mappings)

    def __repr__(self):
        return f"<GoogleAccount {self.id} {self.email} {self.status}>"


def default_sync_from():
    return date.today() - timedelta(days=30)


# How a following setting reads its system default, handed in by wizard.settings.values when it loads: the
# models sit below the settings layer and import none of it.
system_default_reader = None


def _system_default(code):
    if system_default_reader is None:
        raise RuntimeError(f"no reader of system settings handed in (wizard.settings.values): {code}")
    return system_default_reader(code)


def following(own: str, code: str, convert=lambda value: value):
    """An account setting that follows the system setting `code` (read at run time) while the account has no
    value of its own (column `own` NULL). Assigning sets the account's own value; None follows again."""
    def get(self):
        value = getattr(self, own)
        return convert(_system_default(code)) if value is None else value

    def put(self, value):
        setattr(self, own, value)

    return property(get, put)


def deletions_propagate(policy) -> bool:
    return policy == "if_unchanged"


class AccountSettings(db.Model):
    """"Настроить...": what, how often and how a linked account syncs.

    The period, the conflict policy and the deletion switches follow the system settings ("Synchronization
    defaults") until the account is given its own value: `*_own` hold that value (NULL: follow), the
    properties of the same names without `_own` the value in effect."""

    __tablename__ = "account_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("google_accounts.id", ondelete="CASCADE"), unique=True)
    # The documented fields
    activities_auto: Mapped[bool] = mapped_column(default=True)
    activities_period_own: Mapped[int | None] = mapped_column("activities_period_minutes", default=None)
    activities_sync_from: Mapped[date] = mapped_column(Date, default=default_sync_from)
    contacts_auto: Mapped[bool] = mapped_column(default=True)
    contacts_period_own: Mapped[int | None] = mapped_column("contacts_period_minutes", default=None)
    # The documented procedure tags contacts and never says to pick a tag: an account linked through the OAuth
    # flow starts with this on (wizard.accounts.settings.new_settings) and syncs every personal tag of its
    # user, each to a Google label of the same name, until the user chooses tags one by one. Off for settings
    # made any other way, and for accounts linked before it existed: they keep their explicit choice.
    sync_all_personal_tags: Mapped[bool] = mapped_column(default=False, server_default=text("false"))
    # Beyond them
    target_calendar_id: Mapped[str] = mapped_column(String(1024), default="primary")
    target_calendar_name: Mapped[str] = mapped_column(String(255), default="")
    contacts_direction: Mapped[str] = mapped_column(String(20), default=TWO_WAY)
    activities_direction: Mapped[str] = mapped_column(String(20), default=TWO_WAY)
    conflict_policy_own: Mapped[str | None] = mapped_column("conflict_policy", String(20), default=None)
    # Deletions are not propagated as deletions unless asked (the sync core's Policy): a CRM delete takes the
    # Google record out of the sync, a Google delete untags the CRM record. Even when on, an edit on the other
    # side since the last sync beats the delete.
    delete_in_google_own: Mapped[bool | None] = mapped_column("delete_in_google", default=None)
    delete_in_crm_own: Mapped[bool | None] = mapped_column("delete_in_crm", default=None)
    untag_policy: Mapped[str] = mapped_column(String(20), default="remove_label")
    notify_attendees: Mapped[str] = mapped_column(String(20), default="none")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    account: Mapped[GoogleAccount] = relationship(back_populates="settings")

    activities_period_minutes = following("activities_period_own", "ActivitiesSyncPeriodMinutes")
    contacts_period_minutes = following("contacts_period_own", "ContactsSyncPeriodMinutes")
    conflict_policy = following("conflict_policy_own", "SyncConflictPolicy")
    delete_in_google = following("delete_in_google_own", "SyncDeletePolicy", deletions_propagate)
    delete_in_crm = following("delete_in_crm_own", "SyncDeletePolicy", deletions_propagate)
    FOLLOWING = ("activities_period_minutes", "contacts_period_minutes", "conflict_policy", "delete_in_google",
                 "delete_in_crm")

    def follows(self, name: str) -> bool:
        """Whether the setting `name` (one of FOLLOWING) follows the system default."""
        return getattr(self, name.replace("_minutes", "") + "_own") is None

    @property
    def deletion_policy(self) -> str:
        """One-word summary for readers that predate the two switches: "delete" only when both are on.
        Prefer delete_in_google / delete_in_crm, which map one-to-one onto the sync core's Policy."""
        return "delete" if self.delete_in_google and self.delete_in_crm else "propagate"


class AccountTagMapping(db.Model):
    """A personal tag whose contacts sync through this account, and the Google label (contact group) they get."""

    __tablename__ = "account_tag_mappings"
    __table_args__ = (UniqueConstraint("account_id", "tag_id", name="uq_account_tag_mappings_account_tag"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("google_accounts.id", ondelete="CASCADE"), index=True)
    tag_id: Mapped[int] = mapped_column(index=True)
    google_label: Mapped[str] = mapped_column(String(255))

    account: Mapped[GoogleAccount] = relationship(back_populates="tag_mappings")


def mark_needs_reconnect(account_id: int, reason_code: str) -> None:
    """The grant stopped working (e.g. invalid_grant on refresh). The user sees a banner on every page.
    A dead refresh token is dropped so that reconnecting asks Google for a new one (prompt=consent)."""
    account = db.session.get(GoogleAccount, account_id)
    if account is None or not account.is_linked:
        return
    if reason_code == "invalid_grant":
        account.refresh_token = None
        account.access_token = None
        account.token_expires_at = None
        account.refresh_token_expires_at = None
    if account.status != NEEDS_RECONNECT or account.reason_code != reason_code:
        account.set_status(NEEDS_RECONNECT, reason_code)
    db.session.commit()


def linked_on_mailbox(address: str, delegated: bool) -> "GoogleAccount | None":
    """The linked account on this Google mailbox through the domain's delegation (delegated) or a personal link:
    one mailbox is connected once (wizard.accounts.domain)."""
    kind = GoogleAccount.kind == DELEGATED if delegated else GoogleAccount.kind != DELEGATED
    return db.session.scalar(select(GoogleAccount).where(
        kind, GoogleAccount.unlinked_at.is_(None),
        func.lower(GoogleAccount.email) == address.strip().lower()).limit(1))


def mark_delegation_broken(reason_code: str) -> int:
    """The domain's key or delegation stopped working: every delegated account stops at once (not one failed
    run each, which would ask Google once per account); the administrator must reconnect the domain.
    Returns how many accounts were marked."""
    accounts = list(db.session.scalars(select(GoogleAccount).where(
        GoogleAccount.kind == DELEGATED, GoogleAccount.unlinked_at.is_(None))))
    for account in accounts:
        if account.status != NEEDS_RECONNECT or account.reason_code != reason_code:
            account.set_status(NEEDS_RECONNECT, reason_code)
    db.session.commit()
    return len(accounts)


def restore_delegated(from_reasons) -> int:
    """The domain was reconnected (verified again): its accounts stopped for one of `from_reasons` (the
    domain-wide ones, wizard.google.workspace.DOMAIN_WIDE) resume."""
    accounts = list(db.session.scalars(select(GoogleAccount).where(
        GoogleAccount.kind == DELEGATED, GoogleAccount.unlinked_at.is_(None),
        GoogleAccount.status == NEEDS_RECONNECT, GoogleAccount.reason_code.in_(from_reasons))))
    for account in accounts:
        account.set_status(CONNECTED)
    db.session.commit()
    return len(accounts)


def map_personal_tags(account, tags) -> None:
    """While the account syncs every personal tag, map each of `tags` it lacks to a label of the tag's name."""
    if not (account.settings and account.settings.sync_all_personal_tags):
        return
    mapped = {m.tag_id for m in account.tag_mappings}
    for tag in tags:
        if tag.personal and tag.id not in mapped:
            account.tag_mappings.append(AccountTagMapping(tag_id=tag.id, google_label=tag.name))


def map_new_personal_tag(tag) -> None:
    """A personal tag just created: the owner's accounts that sync every personal tag take it too."""
    if not tag.personal:
        return
    db.session.flush()  # the tag's id
    for account in db.session.scalars(select(GoogleAccount).where(
            GoogleAccount.user_id == tag.owner_id, GoogleAccount.unlinked_at.is_(None))):
        map_personal_tags(account, [tag])
