"""People who log in (administrators and users), their login sessions, and the audit log of user
administration.

A login session lives here, server side, and the cookies only carry a random key to it (stored as SHA-256), so
ending the row ends the session cookie and the remember-me cookie of that login, wherever they were copied.
"""
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from wizard.extensions import db
from wizard.models.clock import utcnow  # noqa: F401
from wizard.models.crm import UTCDateTime
from wizard.sync.records import normalize_email as core_normalize_email

ROLES = ("admin", "user")


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True, index=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(10), default="user")
    locale: Mapped[str | None] = mapped_column(String(10), nullable=True)
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    # The key of the login session this instance was loaded for (set by wizard.auth.sessions, never stored
    # on the row): Flask-Login writes get_id() into the session and the remember-me cookie, so both name the
    # login, not just the user, and ending that login ends them.
    login_session_key = None

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def is_active(self) -> bool:
        return self.active

    def get_id(self) -> str:
        key = self.login_session_key
        return f"{self.id}:{key}" if key else str(self.id)

    def set_password(self, password: str) -> None:
        # scrypt: memory-hard, Werkzeug's default since 3.0
        self.password_hash = generate_password_hash(password, method="scrypt")

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    @staticmethod
    def normalize_email(email: str) -> str:
        return core_normalize_email(email or "")  # the core's rule: one e-mail key everywhere



class UserSession(db.Model):
    """One login: from the login form (or a one-time link) until logout, expiry or being ended."""

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)  # SHA-256 of the cookie's random key
    remember: Mapped[bool] = mapped_column(default=False)
    # Aware UTC in and out on SQLite and PostgreSQL alike (lifetimes are compared with the clock).
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True, index=True)
    # Shown to the user on their sessions page, so they can tell their devices apart.
    user_agent: Mapped[str] = mapped_column(String(200), default="")
    ip: Mapped[str] = mapped_column(String(45), default="")

    user = relationship("User")


class UserAudit(db.Model):
    """Who did what to which user account, and when. Never a password or a link."""

    __tablename__ = "user_audit"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    action: Mapped[str] = mapped_column(String(30))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    actor_label: Mapped[str] = mapped_column(String(254), default="")  # e-mail, or "command line"
    target_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True,
                                                  index=True)
    target_label: Mapped[str] = mapped_column(String(254), default="")
    detail: Mapped[str] = mapped_column(String(100), default="")  # e.g. the new role
