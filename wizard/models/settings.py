"""System settings (values, secrets encrypted), their audit log, and the setup wizard's saved state.

What a setting *is* (name, type, default, validation) lives in code, in wizard.settings.registry; a row here
holds only its current value. Secret values are stored as Fernet tokens (wizard.crypto), never in clear.
"""
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from wizard.extensions import db
from wizard.models.clock import utcnow  # noqa: F401


class SystemSetting(db.Model):
    __tablename__ = "system_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(100), unique=True, index=True)
    type: Mapped[str] = mapped_column(String(20))
    # Plain value for ordinary settings; a Fernet token for secrets. None means "use the default".
    value: Mapped[str | None] = mapped_column(Text, nullable=True)
    encrypted: Mapped[bool] = mapped_column(default=False)
    updated_at: Mapped[datetime | None] = mapped_column(nullable=True)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)


class SettingAudit(db.Model):
    """Who changed which setting and when. Never the value, old or new."""

    __tablename__ = "system_setting_audit"

    id: Mapped[int] = mapped_column(primary_key=True)
    setting_code: Mapped[str] = mapped_column(String(100), index=True)
    action: Mapped[str] = mapped_column(String(20))  # set | cleared | re-encrypted
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    actor_label: Mapped[str] = mapped_column(String(254), default="")  # e-mail, or "command line"
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class SetupWizardState(db.Model):
    """The one administrator's wizard in progress (one row): kept here, not in the cookie session, so it
    survives leaving the page and the OAuth round trip through Google."""

    __tablename__ = "setup_wizard_state"

    id: Mapped[int] = mapped_column(primary_key=True)
    step: Mapped[str] = mapped_column(String(30), default="address")
    completed: Mapped[list] = mapped_column(JSON, default=list)
    site_address: Mapped[str | None] = mapped_column(String(500), nullable=True)
    callback_form: Mapped[str] = mapped_column(String(10), default="clean")
    # Redirect URIs and origins found in an uploaded client_secret JSON, for the cross-check.
    file_redirect_uris: Mapped[list] = mapped_column(JSON, default=list)
    file_origins: Mapped[list] = mapped_column(JSON, default=list)
    probe_status: Mapped[str | None] = mapped_column(String(40), nullable=True)
    probe_at: Mapped[datetime | None] = mapped_column(nullable=True)
    roundtrip_state: Mapped[str | None] = mapped_column(String(100), nullable=True)
    roundtrip_status: Mapped[str | None] = mapped_column(String(60), nullable=True)
    roundtrip_detail: Mapped[str | None] = mapped_column(String(500), nullable=True)
    roundtrip_at: Mapped[datetime | None] = mapped_column(nullable=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
