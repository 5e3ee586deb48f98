"""Linked Google accounts, their tokens (encrypted at rest) and their sync settings.

A GoogleAccount row outlives an unlink: the tokens are wiped and `unlinked_at` set, but the row (and so its id,
which pairs and cursors refer to) stays, so relinking the same Google account reuses it and duplicates nothing.
"""
from datetime import date, datetime, timedelta

from sqlalchemy import Date, ForeignKey, Index, String, Text, UniqueConstraint, select, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wizard import crypto
from wizard.extensions import db
from wizard.models.clock import as_utc, utcnow  # noqa: F401

# Account status
CONNECTED = "connected"
NEEDS_RECONNECT = "needs_reconnect"
REVOKED = "revoked"
STATUSES = (CONNECTED, NEEDS_RECONNECT, REVOKED)

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


class AccountSettings(db.Model):
    """"Настроить...": what, how often and how a linked account syncs."""

    __tablename__ = "account_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("google_accounts.id", ondelete="CASCADE"), unique=True)
    # The documented fields
    activities_auto: Mapped[bool] = mapped_column(default=True)
    activities_period_minutes: Mapped[int] = mapped_column(default=60)
    activities_sync_from: Mapped[date] = mapped_column(Date, default=default_sync_from)
    contacts_auto: Mapped[bool] = mapped_column(default=True)
    contacts_period_minutes: Mapped[int] = mapped_column(default=60)
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
    conflict_policy: Mapped[str] = mapped_column(String(20), default="ask")
    # Deletions are not propagated as deletions unless asked (the sync core's Policy): a CRM delete takes the
    # Google record out of the sync, a Google delete untags the CRM record. Even when on, an edit on the other
    # side since the last sync beats the delete.
    delete_in_google: Mapped[bool] = mapped_column(default=False)
    delete_in_crm: Mapped[bool] = mapped_column(default=False)
    untag_policy: Mapped[str] = mapped_column(String(20), default="remove_label")
    notify_attendees: Mapped[str] = mapped_column(String(20), default="none")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    account: Mapped[GoogleAccount] = relationship(back_populates="settings")

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
