"""Models: the CRM side (contacts, personal tags, activities), its change cursor and personal API tokens.

Every row belongs to one user (`owner_id`). Deletion keeps a tombstone (`deleted_at`) so the sync engine can
see that a record went away. Every write through `wizard.crm.services` appends a row to `crm_changes` in the
same transaction: the engine reads "what changed since position N" from there instead of diffing tables.

Indexes are shaped for the list page of a user with 50,000 contacts: the owner's live contacts in sort order
come straight from one index, and text search reads one precomputed, case-folded `search_text` column
instead of joining e-mails and phones.
"""
from datetime import date, datetime, timezone

from sqlalchemy import (
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wizard.extensions import db
from wizard.models.clock import utcnow  # noqa: F401


class UTCDateTime(TypeDecorator):
    """Aware UTC datetimes in, aware UTC datetimes out, on SQLite (which keeps no zone) and PostgreSQL alike."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given where a UTC instant is required")
        return value.astimezone(timezone.utc).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)


CONTACT_FIELD_TYPES = ("home", "work", "mobile", "other")
ACTIVITY_TYPES = ("task", "call", "meeting")
ACTIVITY_STATUSES = ("planned", "done", "cancelled")
CHANGE_OBJECTS = ("contact", "activity")
# Google Calendar's attendee responseStatus values; a participant's answer comes from Google only.
RESPONSE_STATUSES = ("needsAction", "accepted", "declined", "tentative")

contact_tags = Table(
    "contact_tags",
    db.Model.metadata,
    Column("contact_id", ForeignKey("contacts.id", ondelete="CASCADE"), primary_key=True),
    Column("tag_id", ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True),
    # The primary key serves "contacts of a contact"; this one serves "contacts carrying tag T".
    Index("ix_contact_tags_tag_contact", "tag_id", "contact_id"),
)


class Contact(db.Model):
    __tablename__ = "contacts"
    __table_args__ = (
        Index("ix_contacts_owner_live_sort", "owner_id", "deleted_at", "sort_name", "id"),
        Index("ix_contacts_owner_live_company", "owner_id", "deleted_at", "company_key", "id"),
        Index("ix_contacts_owner_live_updated", "owner_id", "deleted_at", "updated_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    first_name: Mapped[str] = mapped_column(String(100), default="")
    middle_name: Mapped[str] = mapped_column(String(100), default="")
    last_name: Mapped[str] = mapped_column(String(100), default="")
    display_name: Mapped[str] = mapped_column(String(300), default="")
    company: Mapped[str] = mapped_column(String(200), default="")
    job_title: Mapped[str] = mapped_column(String(200), default="")
    birthday_day: Mapped[int | None] = mapped_column(Integer, nullable=True)
    birthday_month: Mapped[int | None] = mapped_column(Integer, nullable=True)
    birthday_year: Mapped[int | None] = mapped_column(Integer, nullable=True)  # birthdays without a year exist
    notes: Mapped[str] = mapped_column(Text, default="")
    # Derived by the services on every write; never edited directly.
    sort_name: Mapped[str] = mapped_column(String(300), default="")
    company_key: Mapped[str] = mapped_column(String(200), default="")
    search_text: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    emails: Mapped[list["ContactEmail"]] = relationship(
        back_populates="contact", cascade="all, delete-orphan", order_by="ContactEmail.position")
    phones: Mapped[list["ContactPhone"]] = relationship(
        back_populates="contact", cascade="all, delete-orphan", order_by="ContactPhone.position")
    addresses: Mapped[list["ContactAddress"]] = relationship(
        back_populates="contact", cascade="all, delete-orphan", order_by="ContactAddress.position")
    tags: Mapped[list["Tag"]] = relationship(secondary=contact_tags, back_populates="contacts",
                                             order_by="Tag.name")

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    @property
    def birthday(self) -> str:
        """ISO-like text: `1990-05-17`, or `--05-17` when the year is unknown (vCard's convention)."""
        if not (self.birthday_day and self.birthday_month):
            return ""
        if self.birthday_year:
            return f"{self.birthday_year:04d}-{self.birthday_month:02d}-{self.birthday_day:02d}"
        return f"--{self.birthday_month:02d}-{self.birthday_day:02d}"


class ContactEmail(db.Model):
    __tablename__ = "contact_emails"

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    value: Mapped[str] = mapped_column(String(254))
    normalized: Mapped[str] = mapped_column(String(254), index=True)  # matching on a first sync
    type: Mapped[str] = mapped_column(String(20), default="other")

    contact: Mapped[Contact] = relationship(back_populates="emails")


class ContactPhone(db.Model):
    __tablename__ = "contact_phones"

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    value: Mapped[str] = mapped_column(String(50))
    normalized: Mapped[str] = mapped_column(String(50), index=True)  # E.164 when parseable, else digits
    type: Mapped[str] = mapped_column(String(20), default="other")

    contact: Mapped[Contact] = relationship(back_populates="phones")


class ContactAddress(db.Model):
    __tablename__ = "contact_addresses"

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    street: Mapped[str] = mapped_column(String(300), default="")
    city: Mapped[str] = mapped_column(String(100), default="")
    region: Mapped[str] = mapped_column(String(100), default="")
    postcode: Mapped[str] = mapped_column(String(20), default="")
    country: Mapped[str] = mapped_column(String(100), default="")
    type: Mapped[str] = mapped_column(String(20), default="other")

    contact: Mapped[Contact] = relationship(back_populates="addresses")


class Tag(db.Model):
    """A user's own tag. Only personal tags are eligible for sync; public tags (personal=False) never sync."""

    __tablename__ = "tags"
    __table_args__ = (UniqueConstraint("owner_id", "name", name="uq_tags_owner_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    personal: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    contacts: Mapped[list[Contact]] = relationship(secondary=contact_tags, back_populates="tags",
                                                   viewonly=True)


class Activity(db.Model):
    """A task, call or meeting. Timed ones hold UTC instants plus the IANA zone they were planned in; all-day
    ones hold dates only (`end_date` inclusive, as users think of it; Google's exclusive end is the
    adapter's business) and leave `start_at`/`end_at` empty."""

    __tablename__ = "activities"
    __table_args__ = (
        Index("ix_activities_owner_live_start", "owner_id", "deleted_at", "start_at"),
        Index("ix_activities_owner_live_start_date", "owner_id", "deleted_at", "start_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(300))
    type: Mapped[str] = mapped_column(String(20), default="task")
    start_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    end_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    all_day: Mapped[bool] = mapped_column(default=False)
    start_date: Mapped[date | None] = mapped_column(nullable=True)
    end_date: Mapped[date | None] = mapped_column(nullable=True)
    location: Mapped[str] = mapped_column(String(300), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), default="planned")
    show_in_calendar: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    participants: Mapped[list["ActivityParticipant"]] = relationship(
        back_populates="activity", cascade="all, delete-orphan", order_by="ActivityParticipant.position",
        lazy="selectin")  # a sync run reads thousands of activities: one query per batch, not one per activity

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None


class ActivityParticipant(db.Model):
    """Someone taking part in an activity: one of the owner's contacts (`contact_id`, with the e-mail it was
    invited at) or a free e-mail address. The e-mail is the identity Google's attendees share, so it is unique
    per activity; `response_status` is the answer Google reports (the CRM never answers for a person)."""

    __tablename__ = "activity_participants"
    __table_args__ = (UniqueConstraint("activity_id", "normalized", name="uq_activity_participants_email"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("activities.id", ondelete="CASCADE"), index=True)
    # A deleted contact's row goes (tombstones keep it); the participant stays as its e-mail.
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id", ondelete="SET NULL"), nullable=True,
                                                   index=True)
    position: Mapped[int] = mapped_column(default=0)
    email: Mapped[str] = mapped_column(String(254))
    normalized: Mapped[str] = mapped_column(String(254))
    display_name: Mapped[str] = mapped_column(String(300), default="")
    response_status: Mapped[str] = mapped_column(String(20), default="needsAction")

    activity: Mapped[Activity] = relationship(back_populates="participants")
    contact: Mapped[Contact | None] = relationship(lazy="selectin")  # list pages name every participant


class CrmChange(db.Model):
    """The change cursor: one row per write; one owner's rows commit in `seq` order (wizard.crm.changes).
    `origin` tells the engine's own writes apart."""

    __tablename__ = "crm_changes"
    __table_args__ = (
        Index("ix_crm_changes_owner_object_seq", "owner_id", "object", "seq"),
        {"sqlite_autoincrement": True},  # never reuse a sequence number, even after deletes
    )

    seq: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    object: Mapped[str] = mapped_column(String(20))
    record_id: Mapped[int] = mapped_column()
    origin: Mapped[str] = mapped_column(String(40), default="user")
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ApiToken(db.Model):
    """A personal API token. Only its SHA-256 is stored: tokens are long random strings, so a fast hash is
    enough and lets a request find its token by an indexed lookup."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100), default="")
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(12))  # shown in lists so a user can tell tokens apart
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
